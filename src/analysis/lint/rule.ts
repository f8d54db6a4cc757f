/**
 * The lint rule contract: a rule is static metadata (stable id, default severity, help) plus a
 * pure `check` over a loaded config that reports findings through the context. Rules never throw
 * on odd configs; they skip what they cannot judge.
 */
import type { Severity } from '../../config/diagnostic.js';
import type { LintContext } from './context.js';

/**
 * Rule families, used to group `--list-rules` and the docs. `tsproxy` holds the findings about
 * tsproxy rather than the config (a feature it does not implement, a type it does not model):
 * see concerns.ts.
 */
export type RuleCategory = 'schema' | 'references' | 'routing' | 'behaviour' | 'security' | 'tsproxy';

/** What `--list-rules`, the docs and SARIF's `tool.driver.rules` say about a rule. */
export interface RuleMeta {
  /** Stable id, `area/what` (e.g. `route/unknown-cluster`). Never renamed once shipped. */
  readonly id: string;
  readonly severity: Severity;
  readonly category: RuleCategory;
  /** One line: what the rule finds (SARIF `shortDescription`). */
  readonly summary: string;
  /** Why it matters and how to fix it (SARIF `help`). */
  readonly help: string;
  /** A minimal YAML snippet that triggers the rule (for `--list-rules`). */
  readonly example: string;
}

/** A semantic rule run on a decoded config. Schema rules are reported by the loader instead. */
export interface LintRule extends RuleMeta {
  /** Reports findings with `ctx.report`. Must be pure and must not throw. */
  check(ctx: LintContext): void;
}
