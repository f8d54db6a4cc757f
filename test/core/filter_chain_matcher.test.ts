// Listener.filter_chain_matcher through the core's selectFilterChain (the function serve and
// match both call): trees, lists, the IP trie, nested matchers, on_no_match, and Envoy's input values.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FilterChain, Listener, XdsMatcher, XdsOnMatch } from '../../src/config/types.js';
import { selectFilterChain, type ConnectionInfo } from '../../src/core/listener_match.js';
import { networkInputValue } from '../../src/core/filter_chain_matcher.js';

const NET = 'type.googleapis.com/envoy.extensions.matching.common_inputs.network.v3.';
const input = (n: string) => ({ name: n, typed_config: { '@type': `${NET}${n}` } });
const act = (chain: string): XdsOnMatch => ({ action: { name: chain, typed_config: { '@type': 'type.googleapis.com/google.protobuf.StringValue', value: chain } } });
const chain = (name: string): FilterChain => ({ name, filters: [] });

function listener(m: XdsMatcher, names = ['a', 'b', 'c', 'd'], dflt?: FilterChain): Listener {
  return {
    name: 'l',
    address: { socket_address: { address: '0.0.0.0', port_value: 15008 } },
    // Envoy ignores filter_chain_match under a matcher: this one would otherwise drop chain "a".
    filter_chains: names.map((n) => (n === 'a' ? { ...chain(n), filter_chain_match: { destination_port: 1 } } : chain(n))),
    filter_chain_matcher: m,
    default_filter_chain: dflt,
  };
}

const pick = (l: Listener, c: ConnectionInfo): string => {
  const s = selectFilterChain(l, c);
  return s.isDefault ? `default:${s.chain?.name ?? ''}` : (s.chain?.name ?? 'closed');
};

test('matcher_tree exact_match_map on destination_port, on_no_match, a missing input value', () => {
  const l = listener({
    matcher_tree: { input: input('DestinationPortInput'), exact_match_map: { map: { '80': act('a'), '443': act('b') } } },
    on_no_match: act('c'),
  });
  assert.equal(pick(l, { destinationPort: 80 }), 'a');
  assert.equal(pick(l, { destinationPort: 443 }), 'b');
  assert.equal(pick(l, { destinationPort: 8080 }), 'c');
  assert.equal(pick(l, {}), 'c');
  const s = selectFilterChain(l, { destinationPort: 8080 });
  assert.deepEqual(s.matcher?.steps.map((x) => x.text), [
    'destination_port is "8080": not a key of exact_match_map (keys "80", "443")',
    'nothing matched at this level: on_no_match',
    'action "c"',
  ]);
  assert.equal(s.steps.length, 0, 'filter_chain_match levels are not consulted');
});

test('no match: default_filter_chain, else the connection is closed; an action naming no chain fails the match', () => {
  const m: XdsMatcher = { matcher_tree: { input: input('ServerNameInput'), exact_match_map: { map: { 'a.com': act('a'), 'x.com': act('nope') } } } };
  assert.equal(pick(listener(m), { serverName: 'b.com' }), 'closed');
  assert.match(selectFilterChain(listener(m), { serverName: 'b.com' }).reason, /matched nothing and there is no default_filter_chain: the connection is closed/);
  assert.equal(pick(listener(m, ['a'], chain('dflt')), { serverName: 'b.com' }), 'default:dflt');
  const s = selectFilterChain(listener(m, ['a'], chain('dflt')), { serverName: 'x.com' });
  assert.equal(s.isDefault, true);
  assert.match(s.reason, /names filter chain "nope", which the listener does not have/);
  assert.equal(pick(listener(m), { serverName: 'a.com' }), 'a');
});

test('prefix_match_map: longest prefix first, a shorter one when the nested matcher does not match', () => {
  const nested: XdsOnMatch = {
    matcher: { matcher_tree: { input: input('DestinationPortInput'), exact_match_map: { map: { '9080': act('b') } } } },
  };
  const l = listener({ matcher_tree: { input: input('ServerNameInput'), prefix_match_map: { map: { 'api.': act('a'), 'api.v2.': nested } } } });
  assert.equal(pick(l, { serverName: 'api.v2.example', destinationPort: 9080 }), 'b');
  assert.equal(pick(l, { serverName: 'api.v2.example', destinationPort: 1 }), 'a');
  assert.equal(pick(l, { serverName: 'www.example' }), 'closed');
});

test('IP trie custom_match: most specific range first; exclusive stops the fall-through', () => {
  const ipm = (exclusive: boolean): XdsMatcher => ({
    matcher_tree: {
      input: input('DestinationIPInput'),
      custom_match: {
        name: 'ip',
        typed_config: {
          '@type': 'type.googleapis.com/xds.type.matcher.v3.IPMatcher',
          range_matchers: [
            { ranges: [{ address_prefix: '10.0.0.0', prefix_len: 8 }], on_match: act('a') },
            {
              ranges: [{ address_prefix: '10.96.0.0', prefix_len: 16 }],
              exclusive,
              on_match: { matcher: { matcher_tree: { input: input('DestinationPortInput'), exact_match_map: { map: { '80': act('b') } } } } },
            },
            { ranges: [{ address_prefix: 'fd00::', prefix_len: 8 }], on_match: act('d') },
          ],
        },
      },
    },
  });
  assert.equal(pick(listener(ipm(false)), { destinationIp: '10.96.1.2', destinationPort: 80 }), 'b');
  assert.equal(pick(listener(ipm(false)), { destinationIp: '10.96.1.2', destinationPort: 81 }), 'a');
  assert.equal(pick(listener(ipm(true)), { destinationIp: '10.96.1.2', destinationPort: 81 }), 'closed');
  assert.equal(pick(listener(ipm(false)), { destinationIp: '10.1.1.1' }), 'a');
  assert.equal(pick(listener(ipm(false)), { destinationIp: 'fd00::1' }), 'd');
  assert.equal(pick(listener(ipm(false)), { destinationIp: '192.168.0.1' }), 'closed');
});

test('matcher_list: first predicate that holds wins; and/or/not; value_match and the ip input matcher', () => {
  const l = listener({
    matcher_list: {
      matchers: [
        {
          predicate: {
            and_matcher: {
              predicate: [
                { single_predicate: { input: input('SourceIPInput'), custom_match: { name: 'ip', typed_config: { '@type': 'type.googleapis.com/envoy.extensions.matching.input_matchers.ip.v3.Ip', cidr_ranges: [{ address_prefix: '192.168.0.0', prefix_len: 16 }] } } } },
                { not_matcher: { single_predicate: { input: input('SourcePortInput'), value_match: { exact: '22' } } } },
              ],
            },
          },
          on_match: act('a'),
        },
        {
          predicate: {
            or_matcher: {
              predicate: [
                { single_predicate: { input: input('TransportProtocolInput'), value_match: { exact: 'tls' } } },
                { single_predicate: { input: input('ApplicationProtocolInput'), value_match: { contains: "'h2'" } } },
              ],
            },
          },
          on_match: act('b'),
        },
      ],
    },
    on_no_match: act('c'),
  });
  assert.equal(pick(l, { sourceIp: '192.168.1.1', sourcePort: 1000 }), 'a');
  assert.equal(pick(l, { sourceIp: '192.168.1.1', sourcePort: 22 }), 'c');
  assert.equal(pick(l, { sourceIp: '192.168.1.1', sourcePort: 22, transportProtocol: 'tls' }), 'b');
  assert.equal(pick(l, { sourceIp: '8.8.8.8', applicationProtocols: ['h2', 'http/1.1'] }), 'b');
  assert.equal(pick(l, { sourceIp: '8.8.8.8', applicationProtocols: ['http/1.1'] }), 'c');
  const s = selectFilterChain(l, { sourceIp: '8.8.8.8', transportProtocol: 'tls' });
  assert.match(s.matcher!.steps[0]!.text, /^does not hold: source_ip "8.8.8.8" is not in 192.168.0.0\/16/);
  assert.match(s.matcher!.steps[1]!.text, /^holds: transport_protocol "tls" matches exact "tls"/);
});

test('keep_matching does not end the search; a nested matcher without a match lets the list go on', () => {
  const l = listener({
    matcher_list: {
      matchers: [
        { predicate: { single_predicate: { input: input('DestinationPortInput'), value_match: { prefix: '' } } }, on_match: { ...act('a'), keep_matching: true } },
        {
          predicate: { single_predicate: { input: input('DestinationPortInput'), value_match: { exact: '80' } } },
          on_match: { matcher: { matcher_tree: { input: input('ServerNameInput'), exact_match_map: { map: { 'x.com': act('b') } } } } },
        },
        { predicate: { single_predicate: { input: input('DestinationPortInput'), value_match: { exact: '80' } } }, on_match: act('c') },
      ],
    },
  });
  assert.equal(pick(l, { destinationPort: 80, serverName: 'x.com' }), 'b');
  assert.equal(pick(l, { destinationPort: 80, serverName: 'y.com' }), 'c');
  assert.equal(pick(l, { destinationPort: 81 }), 'closed');
});

test("network input values are Envoy's", () => {
  assert.equal(networkInputValue('application_protocol', { applicationProtocols: ['h2', 'http/1.1'] }), "'h2','http/1.1'");
  assert.equal(networkInputValue('application_protocol', {}), undefined);
  assert.equal(networkInputValue('source_type', { sourceIp: '127.0.0.1' }), 'local');
  assert.equal(networkInputValue('source_type', { sourceIp: '10.0.0.1', destinationIp: '10.0.0.1' }), 'local');
  assert.equal(networkInputValue('source_type', { sourceIp: '10.0.0.1', destinationIp: '10.0.0.2' }), undefined);
  assert.equal(networkInputValue('transport_protocol', {}), 'raw_buffer');
  assert.equal(networkInputValue('server_name', { serverName: '' }), undefined);
  assert.equal(networkInputValue('direct_source_ip', { sourceIp: '1.2.3.4' }), '1.2.3.4');
  assert.equal(networkInputValue('destination_port', { destinationPort: 15008 }), '15008');
  assert.equal(networkInputValue('filter_state', { sourceIp: '1.2.3.4' }), undefined);
});

test('without a matcher: several chains no criterion tells apart are named, not "the only candidate"', () => {
  const l: Listener = { name: 'l', address: { socket_address: { address: '0.0.0.0', port_value: 1 } }, filter_chains: [chain('a'), chain('b')] };
  assert.match(selectFilterChain(l, {}).reason, /no filter_chain_match criterion tells the 2 chains apart: the first is taken/);
  assert.equal(selectFilterChain({ ...l, filter_chains: [chain('a')] }, {}).reason, 'the only filter chain');
});
