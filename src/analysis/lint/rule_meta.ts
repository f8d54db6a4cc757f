/**
 * What a lint rule says about itself (stable id, default severity, family, help): read by
 * `--list-rules`, the docs, SARIF's `tool.driver.rules` and the lint context's reports. Types only.
 */
import type { Severity } from '../../config/diagnostic.js';

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
