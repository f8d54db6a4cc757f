/**
 * Two kinds of findings: about the config ("this is wrong or risky": Envoy would refuse it, or it
 * misroutes) and about tsproxy ("tsproxy does not implement X": the config is fine for Envoy,
 * but tsproxy's answers or `serve` do not account for X). CI gates on the first kind; the second
 * fails a run only when asked (`--fail-on-unsupported`), so a valid config is never failed for a
 * gap in tsproxy.
 */
import type { Diagnostic, Severity } from '../../config/diagnostic.js';
import { ruleMeta } from './registry.js';

/** What a finding is about. */
export type Concern = 'config' | 'tsproxy';

/** The concern of a rule id: its category `tsproxy`, or a rule id under `unsupported/` or `serve/`. */
export function concernOf(rule: string): Concern {
  if (ruleMeta(rule)?.category === 'tsproxy') return 'tsproxy';
  return rule.startsWith('unsupported/') || rule.startsWith('serve/') ? 'tsproxy' : 'config';
}

const RANK: Record<Severity, number> = { info: 0, warning: 1, error: 2 };

/**
 * Whether a finding makes lint exit 1. A config finding does when its severity reaches `failOn`.
 * A tsproxy finding only with `failOnUnsupported`, then when it is a warning or worse (an info
 * when `failOn` is info).
 */
export function failsLint(d: Pick<Diagnostic, 'rule' | 'severity'>, failOn: Severity, failOnUnsupported: boolean): boolean {
  if (concernOf(d.rule) === 'config') return RANK[d.severity] >= RANK[failOn];
  return failOnUnsupported && RANK[d.severity] >= Math.min(RANK[failOn], RANK.warning);
}
