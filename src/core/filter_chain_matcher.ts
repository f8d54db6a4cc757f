/**
 * A listener's `filter_chain_matcher` (the xDS matcher API, `xds.type.matcher.v3.Matcher`) over
 * the network inputs, as Envoy's listener evaluates it once per connection:
 *
 * - `matcher_tree` reads one input and looks its value up in `exact_match_map`,
 *   `prefix_match_map` (longest prefix first, shorter prefixes tried when a nested matcher does
 *   not match) or the IP trie `custom_match` (`xds.type.matcher.v3.IPMatcher`: most specific
 *   range first; a range that is not `exclusive` lets less specific ranges be tried);
 * - `matcher_list` tries its matchers in order; the first whose predicate holds and whose
 *   `on_match` yields an action wins;
 * - an input without a value (no SNI, no ALPN, a `source_type` that is not local) matches no
 *   key and no predicate;
 * - a nested matcher that matched nothing (its own `on_no_match` included) makes the enclosing
 *   entry not match, so the search goes on (xDS: "considered not to have matched");
 * - `on_no_match` applies when nothing at its level matched; an `on_match` with `keep_matching`
 *   does not end the search (its action would run, but the result is "no match").
 *
 * The action is a `google.protobuf.StringValue` naming a filter chain. Input values are Envoy's
 * (network_inputs.cc): ports as decimal text, `application_protocol` as `'h2','http/1.1'`,
 * `source_type` as `local` for a loopback or same-IP peer (no value otherwise),
 * `transport_protocol` `raw_buffer` unless a listener filter detected another.
 * `filter_state` has no value in tsproxy (no listener filter sets filter state).
 *
 * Pure: every decision is recorded as a {@link MatcherStep} for explain; serve ignores them.
 */
import type { StringMatcher, TypedExtensionConfig, XdsIpMatcher, XdsMatcher, XdsOnMatch, XdsPredicate } from '../config/types.js';
import { positionOf } from '../config/position.js';
import type { ConnectionInfo } from './connection_info.js';
import { cidrContains, isLoopback, sameIp } from './cidr.js';
import { compileStringMatcher, type CompiledStringMatcher } from './string_matcher.js';

/** The network inputs a filter chain matcher reads, by Envoy's extension name without `envoy.matching.inputs.`. */
export type NetworkInput =
  | 'destination_ip'
  | 'destination_port'
  | 'source_ip'
  | 'source_port'
  | 'direct_source_ip'
  | 'source_type'
  | 'server_name'
  | 'transport_protocol'
  | 'application_protocol'
  | 'filter_state';

const NET = 'envoy.extensions.matching.common_inputs.network.v3.';
const INPUTS: Readonly<Record<string, NetworkInput>> = {
  [`${NET}DestinationIPInput`]: 'destination_ip',
  [`${NET}DestinationPortInput`]: 'destination_port',
  [`${NET}SourceIPInput`]: 'source_ip',
  [`${NET}SourcePortInput`]: 'source_port',
  [`${NET}DirectSourceIPInput`]: 'direct_source_ip',
  [`${NET}SourceTypeInput`]: 'source_type',
  [`${NET}ServerNameInput`]: 'server_name',
  [`${NET}TransportProtocolInput`]: 'transport_protocol',
  [`${NET}ApplicationProtocolInput`]: 'application_protocol',
  [`${NET}FilterStateInput`]: 'filter_state',
};

/** Type of the IP trie custom matcher (`envoy.matching.custom_matchers.trie_matcher`). */
export const IP_MATCHER_TYPE = 'xds.type.matcher.v3.IPMatcher';
/** Type of the IP input matcher of a predicate's `custom_match` (`envoy.matching.matchers.ip`). */
export const IP_INPUT_MATCHER_TYPE = 'envoy.extensions.matching.input_matchers.ip.v3.Ip';
/** Type of the action: the filter chain's name. */
export const STRING_VALUE_TYPE = 'google.protobuf.StringValue';

/** One decision on the way to (or away from) a filter chain, for explain. */
export interface MatcherStep {
  /** Path below the listener: `filter_chain_matcher.matcher_tree.exact_match_map.map["80"]`. */
  readonly path: string;
  /** In words: `destination_port is "80": a key of exact_match_map`. */
  readonly text: string;
  /** Where the node is in the config file, when the decoder recorded it. */
  readonly position?: { readonly file: string; readonly line: number; readonly col: number };
}

/** What the matcher chose. */
export interface MatcherResult {
  /** The filter chain name the action carries; undefined when nothing matched. */
  readonly chainName: string | undefined;
  /** The action's own `name`. */
  readonly actionName?: string;
  /** The decisions in order; the last one is the action taken (or the last miss). */
  readonly steps: readonly MatcherStep[];
}

const typeName = (t: TypedExtensionConfig | undefined): string => {
  const url = t?.typed_config?.['@type'] ?? '';
  return url.slice(url.lastIndexOf('/') + 1);
};

/** The input a TypedExtensionConfig names, or undefined when tsproxy does not know it. */
export function networkInputOf(input: TypedExtensionConfig | undefined): NetworkInput | undefined {
  return INPUTS[typeName(input)];
}

/** The value of a network input for a connection, as Envoy's input returns it; undefined: no value. */
export function networkInputValue(kind: NetworkInput, conn: ConnectionInfo): string | undefined {
  switch (kind) {
    case 'destination_ip':
      return conn.destinationIp;
    case 'destination_port':
      return conn.destinationPort === undefined ? undefined : String(conn.destinationPort);
    case 'source_ip':
      return conn.sourceIp;
    case 'source_port':
      return conn.sourcePort === undefined ? undefined : String(conn.sourcePort);
    case 'direct_source_ip':
      return conn.directSourceIp ?? conn.sourceIp;
    case 'source_type': {
      const src = conn.sourceIp;
      if (src === undefined) return undefined;
      const local = isLoopback(src) || (conn.destinationIp !== undefined && sameIp(src, conn.destinationIp));
      return local ? 'local' : undefined;
    }
    case 'server_name':
      return conn.serverName === undefined || conn.serverName === '' ? undefined : conn.serverName;
    case 'transport_protocol':
      return conn.transportProtocol ?? 'raw_buffer';
    case 'application_protocol':
      return conn.applicationProtocols?.length ? conn.applicationProtocols.map((p) => `'${p}'`).join(',') : undefined;
    case 'filter_state':
      return undefined;
  }
}

const compiledMatchers = new WeakMap<StringMatcher, CompiledStringMatcher>();

function stringMatcher(sm: StringMatcher): CompiledStringMatcher {
  let c = compiledMatchers.get(sm);
  if (c === undefined) {
    // Config errors in it (a bad regex) are lint's to report; here it just never matches.
    c = compileStringMatcher(sm, { runtime: {}, diagnostics: [], file: '' }, '');
    compiledMatchers.set(sm, c);
  }
  return c;
}

interface Hit {
  readonly action: TypedExtensionConfig;
}

class Evaluation {
  readonly steps: MatcherStep[] = [];
  constructor(private readonly conn: ConnectionInfo) {}

  step(path: string, text: string, node?: object): void {
    const p = node === undefined ? undefined : positionOf(node);
    this.steps.push(p ? { path, text, position: { file: p.file, line: p.line, col: p.col } } : { path, text });
  }

  matcher(m: XdsMatcher, path: string): Hit | undefined {
    const hit = m.matcher_tree ? this.tree(m, path) : m.matcher_list ? this.list(m, path) : undefined;
    if (hit) return hit;
    if (m.on_no_match) {
      this.step(`${path}.on_no_match`, 'nothing matched at this level: on_no_match', m.on_no_match);
      return this.onMatch(m.on_no_match, `${path}.on_no_match`);
    }
    return undefined;
  }

  onMatch(om: XdsOnMatch, path: string): Hit | undefined {
    if (om.keep_matching) {
      this.step(path, 'keep_matching: its action does not end the search (no match)', om);
      return undefined;
    }
    if (om.action) {
      this.step(`${path}.action`, `action "${om.action.name}"`, om.action);
      return { action: om.action };
    }
    if (om.matcher) {
      const hit = this.matcher(om.matcher, `${path}.matcher`);
      if (!hit) this.step(`${path}.matcher`, 'the nested matcher matched nothing: this entry does not match', om.matcher);
      return hit;
    }
    return undefined;
  }

  private input(t: TypedExtensionConfig, path: string): { label: string; value: string | undefined } | undefined {
    const kind = networkInputOf(t);
    if (kind === undefined) {
      this.step(path, `input ${typeName(t) || '(no @type)'} is not a network input tsproxy reads: no value`, t);
      return undefined;
    }
    return { label: kind, value: networkInputValue(kind, this.conn) };
  }

  private tree(m: XdsMatcher, path: string): Hit | undefined {
    const tree = m.matcher_tree!;
    const tp = `${path}.matcher_tree`;
    const input = this.input(tree.input, `${tp}.input`);
    if (input === undefined) return undefined;
    if (input.value === undefined) {
      this.step(`${tp}.input`, `${input.label} has no value for this connection: no key matches`, tree.input);
      return undefined;
    }
    const v = input.value;
    if (tree.exact_match_map) {
      const map = tree.exact_match_map.map ?? {};
      if (!Object.hasOwn(map, v)) {
        this.step(`${tp}.exact_match_map`, `${input.label} is "${v}": not a key of exact_match_map (${keyList(map)})`, tree.exact_match_map);
        return undefined;
      }
      const kp = `${tp}.exact_match_map.map[${JSON.stringify(v)}]`;
      this.step(kp, `${input.label} is "${v}": key of exact_match_map`, map[v]);
      return this.onMatch(map[v]!, kp);
    }
    if (tree.prefix_match_map) {
      const map = tree.prefix_match_map.map ?? {};
      const keys = Object.keys(map).filter((k) => v.startsWith(k)).sort((a, b) => b.length - a.length);
      if (keys.length === 0) {
        this.step(`${tp}.prefix_match_map`, `${input.label} is "${v}": no key of prefix_match_map is a prefix of it (${keyList(map)})`, tree.prefix_match_map);
        return undefined;
      }
      for (const k of keys) {
        const kp = `${tp}.prefix_match_map.map[${JSON.stringify(k)}]`;
        this.step(kp, `${input.label} is "${v}": longest remaining prefix "${k}" of prefix_match_map`, map[k]);
        const hit = this.onMatch(map[k]!, kp);
        if (hit) return hit;
      }
      return undefined;
    }
    if (tree.custom_match) return this.custom(tree.custom_match, `${tp}.custom_match`, input.label, v);
    return undefined;
  }

  private custom(cm: TypedExtensionConfig, path: string, label: string, v: string): Hit | undefined {
    if (typeName(cm) !== IP_MATCHER_TYPE) {
      this.step(path, `custom_match ${typeName(cm) || '(no @type)'} is not implemented by tsproxy: no match`, cm);
      return undefined;
    }
    const ip = cm.typed_config as unknown as XdsIpMatcher;
    const hits: { len: number; i: number; range: string }[] = [];
    (ip.range_matchers ?? []).forEach((rm, i) => {
      let best: { len: number; range: string } | undefined;
      for (const r of rm.ranges ?? []) {
        const len = cidrContains(v, r);
        if (len !== undefined && (best === undefined || len > best.len)) best = { len, range: `${r.address_prefix}/${len}` };
      }
      if (best) hits.push({ ...best, i });
    });
    if (hits.length === 0) {
      this.step(path, `${label} is "${v}": in no range of the IP matcher (${cm.name || 'custom_match'})`, cm);
      return undefined;
    }
    // Most specific first; equal lengths keep config order.
    hits.sort((a, b) => b.len - a.len || a.i - b.i);
    for (const h of hits) {
      const rm = ip.range_matchers![h.i]!;
      const rp = `${path}.typed_config.range_matchers[${h.i}]`;
      this.step(rp, `${label} is "${v}": in range ${h.range}${h.len > 0 ? '' : ' (any address)'}`, rm);
      const hit = rm.on_match ? this.onMatch(rm.on_match, `${rp}.on_match`) : undefined;
      if (hit) return hit;
      if (rm.exclusive) {
        this.step(rp, 'exclusive: less specific ranges are not tried', rm);
        return undefined;
      }
    }
    return undefined;
  }

  private list(m: XdsMatcher, path: string): Hit | undefined {
    const matchers = m.matcher_list!.matchers ?? [];
    for (let i = 0; i < matchers.length; i++) {
      const fm = matchers[i]!;
      const mp = `${path}.matcher_list.matchers[${i}]`;
      const why: string[] = [];
      const ok = this.predicate(fm.predicate, why);
      this.step(`${mp}.predicate`, `${ok ? 'holds' : 'does not hold'}: ${why.join('; ')}`, fm.predicate);
      if (!ok) continue;
      const hit = this.onMatch(fm.on_match, `${mp}.on_match`);
      if (hit) return hit;
    }
    return undefined;
  }

  private predicate(p: XdsPredicate, why: string[]): boolean {
    if (p.single_predicate) {
      const sp = p.single_predicate;
      const kind = networkInputOf(sp.input);
      const label = kind ?? typeName(sp.input);
      const v = kind === undefined ? undefined : networkInputValue(kind, this.conn);
      if (v === undefined) {
        why.push(`${label} has no value`);
        return false;
      }
      if (sp.value_match) {
        const sm = stringMatcher(sp.value_match);
        const ok = sm.match(v);
        why.push(`${label} "${v}" ${ok ? 'matches' : 'does not match'} ${sm.describe()}`);
        return ok;
      }
      if (sp.custom_match && typeName(sp.custom_match) === IP_INPUT_MATCHER_TYPE) {
        const ranges = (sp.custom_match.typed_config?.['cidr_ranges'] ?? []) as { address_prefix: string; prefix_len?: number }[];
        const ok = ranges.some((r) => cidrContains(v, r) !== undefined);
        why.push(`${label} "${v}" ${ok ? 'is' : 'is not'} in ${ranges.map((r) => `${r.address_prefix}/${r.prefix_len ?? ''}`).join(', ') || 'no range'}`);
        return ok;
      }
      why.push(`custom_match ${typeName(sp.custom_match) || '(none)'} is not implemented by tsproxy`);
      return false;
    }
    if (p.and_matcher) return (p.and_matcher.predicate ?? []).every((q) => this.predicate(q, why));
    if (p.or_matcher) return (p.or_matcher.predicate ?? []).some((q) => this.predicate(q, why));
    if (p.not_matcher) {
      const inner: string[] = [];
      const ok = !this.predicate(p.not_matcher, inner);
      why.push(`not (${inner.join('; ')})`);
      return ok;
    }
    return false;
  }
}

function keyList(map: Readonly<Record<string, unknown>>): string {
  const keys = Object.keys(map);
  if (keys.length === 0) return 'no keys';
  const shown = keys.slice(0, 6).map((k) => `"${k}"`).join(', ');
  return `keys ${shown}${keys.length > 6 ? `, ... ${keys.length - 6} more` : ''}`;
}

/** The value of an action: the filter chain name a `google.protobuf.StringValue` carries. */
export function actionChainName(action: TypedExtensionConfig): string | undefined {
  if (typeName(action) !== STRING_VALUE_TYPE) return undefined;
  const v = action.typed_config?.['value'];
  return typeof v === 'string' ? v : undefined;
}

/** Runs the matcher for a connection. */
export function evaluateFilterChainMatcher(m: XdsMatcher, conn: ConnectionInfo): MatcherResult {
  const ev = new Evaluation(conn);
  const hit = ev.matcher(m, 'filter_chain_matcher');
  if (!hit) return { chainName: undefined, steps: ev.steps };
  const name = actionChainName(hit.action);
  if (name === undefined) {
    ev.step('filter_chain_matcher', `the action "${hit.action.name}" is not a google.protobuf.StringValue naming a filter chain: no match`, hit.action);
  }
  return { chainName: name, actionName: hit.action.name, steps: ev.steps };
}

/** The role of an extension inside a matcher, for {@link walkFilterChainMatcher}. */
export type MatcherExtensionRole = 'action' | 'input' | 'custom_match' | 'predicate_custom_match';

/**
 * Visits every extension a matcher names (actions, inputs, custom matchers), depth first in
 * config order, with its path below the listener. For lint; evaluation does not use it.
 */
export function walkFilterChainMatcher(
  m: XdsMatcher,
  visit: (role: MatcherExtensionRole, ext: TypedExtensionConfig, path: string) => void,
  path = 'filter_chain_matcher',
): void {
  const onMatch = (om: XdsOnMatch | undefined, p: string): void => {
    if (!om) return;
    if (om.action) visit('action', om.action, `${p}.action`);
    if (om.matcher) walkFilterChainMatcher(om.matcher, visit, `${p}.matcher`);
  };
  const predicate = (pr: XdsPredicate | undefined, p: string): void => {
    if (!pr) return;
    if (pr.single_predicate) {
      visit('input', pr.single_predicate.input, `${p}.single_predicate.input`);
      if (pr.single_predicate.custom_match) visit('predicate_custom_match', pr.single_predicate.custom_match, `${p}.single_predicate.custom_match`);
    }
    (pr.and_matcher?.predicate ?? []).forEach((q, i) => predicate(q, `${p}.and_matcher.predicate[${i}]`));
    (pr.or_matcher?.predicate ?? []).forEach((q, i) => predicate(q, `${p}.or_matcher.predicate[${i}]`));
    predicate(pr.not_matcher, `${p}.not_matcher`);
  };
  const tree = m.matcher_tree;
  if (tree) {
    const tp = `${path}.matcher_tree`;
    visit('input', tree.input, `${tp}.input`);
    for (const kind of ['exact_match_map', 'prefix_match_map'] as const) {
      const map = tree[kind]?.map ?? {};
      for (const k of Object.keys(map)) onMatch(map[k], `${tp}.${kind}.map[${JSON.stringify(k)}]`);
    }
    if (tree.custom_match) {
      visit('custom_match', tree.custom_match, `${tp}.custom_match`);
      if (typeName(tree.custom_match) === IP_MATCHER_TYPE) {
        const ip = tree.custom_match.typed_config as unknown as XdsIpMatcher;
        (ip.range_matchers ?? []).forEach((rm, i) => onMatch(rm.on_match, `${tp}.custom_match.typed_config.range_matchers[${i}].on_match`));
      }
    }
  }
  (m.matcher_list?.matchers ?? []).forEach((fm, i) => {
    const p = `${path}.matcher_list.matchers[${i}]`;
    predicate(fm.predicate, `${p}.predicate`);
    onMatch(fm.on_match, `${p}.on_match`);
  });
  onMatch(m.on_no_match, `${path}.on_no_match`);
}

/** The extension type name of a TypedExtensionConfig (`xds.type.matcher.v3.IPMatcher`). */
export function extensionTypeName(ext: TypedExtensionConfig): string {
  return typeName(ext);
}
