/**
 * The lint rule contract: a rule is static metadata (stable id, default severity, help) plus a
 * pure `check` over a loaded config that reports findings through the context. Rules never throw
 * on odd configs; they skip what they cannot judge.
 */
import type { LintContext } from './context.js';
import type { RuleMeta } from './rule_meta.js';

/** A semantic rule run on a decoded config. Schema rules are reported by the loader instead. */
export interface LintRule extends RuleMeta {
  /** Reports findings with `ctx.report`. Must be pure and must not throw. */
  check(ctx: LintContext): void;
}
