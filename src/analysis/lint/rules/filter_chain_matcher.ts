/**
 * `listener/filter-chain-matcher`: a listener's `filter_chain_matcher` that cannot do what it
 * says. Envoy requires every filter chain of such a listener to be uniquely named (it refuses the
 * config otherwise); an action must be a `google.protobuf.StringValue`; an action naming a chain
 * the listener does not have makes the match fail (default_filter_chain, or the connection is
 * closed); `filter_chain_match` on a chain is ignored under a matcher.
 */
import { actionChainName, extensionTypeName, STRING_VALUE_TYPE, walkFilterChainMatcher } from '../../../core/filter_chain_matcher.js';
import type { LintRule } from '../rule.js';
import { didYouMean } from '../walk.js';

export const filterChainMatcher: LintRule = {
  id: 'listener/filter-chain-matcher',
  severity: 'error',
  category: 'references',
  summary: 'A listener with filter_chain_matcher has unnamed or same-named filter chains, or an action that is not a filter chain name.',
  help:
    'With filter_chain_matcher, Envoy picks the filter chain by the name its action carries (a ' +
    'google.protobuf.StringValue): every chain must have a unique name, or Envoy refuses the config.',
  example: 'filter_chain_matcher: {...}\nfilter_chains: [{ filters: [...] }]   # no name',
  check(ctx) {
    for (const site of ctx.model.listeners) {
      const l = site.listener;
      if (l.filter_chain_matcher === undefined) continue;
      const label = `listener "${l.name ?? ''}"`;
      const names = new Set<string>();
      (l.filter_chains ?? []).forEach((c, i) => {
        const path = `${site.path}.filter_chains[${i}]`;
        if (c.name === undefined || c.name === '') {
          ctx.report(this, { node: c, path }, `${label} has a filter_chain_matcher, so every filter chain needs a unique name; filter chain #${i} has none (Envoy refuses the config)`);
        } else if (names.has(c.name)) {
          ctx.report(this, { node: c, field: 'name', path: `${path}.name` }, `${label}: filter chain name "${c.name}" is used twice; filter_chain_matcher needs unique names (Envoy refuses the config)`);
        } else names.add(c.name);
      });
      walkFilterChainMatcher(l.filter_chain_matcher, (role, ext, rel) => {
        if (role !== 'action' || extensionTypeName(ext) === STRING_VALUE_TYPE) return;
        ctx.report(this, { node: ext, path: `${site.path}.${rel}` },
          `${label}: action "${ext.name}" is ${extensionTypeName(ext) || 'untyped'}; a filter chain matcher's action must be a ${STRING_VALUE_TYPE} naming a filter chain`);
      });
    }
  },
};

export const filterChainUnknownAction: LintRule = {
  id: 'listener/filter-chain-matcher-miss',
  severity: 'warning',
  category: 'routing',
  summary: "A filter_chain_matcher action names a filter chain the listener does not have, or a chain's filter_chain_match is ignored under the matcher.",
  help:
    'An action naming a chain the listener does not have makes the match fail: the connection gets ' +
    'default_filter_chain or is closed. Under a filter_chain_matcher, Envoy ignores filter_chain_match: ' +
    'move the criteria into the matcher.',
  example: 'on_no_match: { action: { name: web, typed_config: { "@type": type.googleapis.com/google.protobuf.StringValue, value: wbe } } }',
  check(ctx) {
    for (const site of ctx.model.listeners) {
      const l = site.listener;
      if (l.filter_chain_matcher === undefined) continue;
      const label = `listener "${l.name ?? ''}"`;
      const names = new Set((l.filter_chains ?? []).map((c) => c.name).filter((n): n is string => n !== undefined && n !== ''));
      (l.filter_chains ?? []).forEach((c, i) => {
        if (c.filter_chain_match === undefined) return;
        ctx.report(this, { node: c, field: 'filter_chain_match', path: `${site.path}.filter_chains[${i}].filter_chain_match` },
          `${label}: filter_chain_match of filter chain "${c.name ?? i}" is ignored because the listener has a filter_chain_matcher; express it in the matcher`);
      });
      walkFilterChainMatcher(l.filter_chain_matcher, (role, ext, rel) => {
        if (role !== 'action') return;
        const chain = actionChainName(ext);
        if (chain === undefined || names.has(chain)) return;
        ctx.report(this, { node: ext, path: `${site.path}.${rel}` },
          `${label}: action "${ext.name}" names filter chain "${chain}", which the listener does not have${didYouMean(chain, names)}: ` +
            `the match fails and the connection ${l.default_filter_chain ? 'gets default_filter_chain' : 'is closed'}`);
      });
    }
  },
};
