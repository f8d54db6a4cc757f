/**
 * Every lint rule, in the order `--list-rules` and the docs show them: schema rules (reported by
 * the loader) first, then references, routing, behaviour, security, and last the findings about
 * tsproxy itself (category `tsproxy`).
 */
import type { LintRule } from './rule.js';
import type { RuleMeta } from './rule_meta.js';
import { schemaRules, tsproxySchemaRules } from './schema_rules.js';
import { referenceRules } from './rules/references.js';
import { routingRules } from './rules/routing.js';
import { shadowedRoute } from './rules/shadowing.js';
import { behaviourRules } from './rules/behaviour.js';
import { securityRules } from './rules/security.js';
import { pathTemplate } from './rules/path_templates.js';
import { filterChainMatcher, filterChainUnknownAction } from './rules/filter_chain_matcher.js';
import { tlsRules } from './rules/tls.js';

/** The semantic rules lint runs on a decoded config. */
export const semanticRules: readonly LintRule[] = [
  ...referenceRules,
  filterChainMatcher,
  filterChainUnknownAction,
  shadowedRoute,
  ...routingRules,
  pathTemplate,
  ...behaviourRules,
  ...securityRules,
  ...tlsRules,
];

/** Every rule id lint can report, with its metadata. */
export const allRules: readonly RuleMeta[] = [...schemaRules, ...semanticRules, ...tsproxySchemaRules];

const byId = new Map(allRules.map((r) => [r.id, r] as const));

/** The metadata of `id`, or undefined for an id lint does not know. */
export function ruleMeta(id: string): RuleMeta | undefined {
  return byId.get(id);
}
