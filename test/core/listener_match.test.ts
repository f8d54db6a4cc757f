import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FilterChain, Listener, RouteConfiguration } from '../../src/config/types.js';
import { suggest } from '../../src/config/suggest.js';
import {
  findHttpConnectionManager,
  HCM_TYPE_URL,
  listenerAddress,
  parseIp,
  resolveRouteConfiguration,
  selectFilterChain,
  selectListener,
} from '../../src/core/listener_match.js';
import { bareRouteConfig, routeConfigTarget, selectRouteConfiguration } from '../../src/core/route_config_choice.js';

function chain(name: string, m: FilterChain['filter_chain_match']): FilterChain {
  return { name, filter_chain_match: m, filters: [] };
}

function listener(chains: FilterChain[], dflt?: FilterChain): Listener {
  return {
    name: 'l',
    address: { socket_address: { address: '0.0.0.0', port_value: 443 } },
    filter_chains: chains,
    default_filter_chain: dflt,
  };
}

const pick = (l: Listener, c: Parameters<typeof selectFilterChain>[1]) => {
  const s = selectFilterChain(l, c);
  return s.isDefault ? 'default' : (s.chain?.name ?? 'none');
};

test('listener by name, by port, the only one, unknown', () => {
  const ls: Listener[] = [
    { name: 'a', address: { socket_address: { address: '0.0.0.0', port_value: 80 } } },
    { name: 'b', address: { socket_address: { address: '0.0.0.0', port_value: 81 } } },
  ];
  assert.equal(selectListener(ls, { name: 'b' }).index, 1);
  assert.equal(selectListener(ls, { port: 80 }).index, 0);
  assert.equal(selectListener([ls[0]!], {}).reason, 'the only listener');
  const miss = selectListener(ls, { name: 'zz' });
  assert.equal(miss.listener, undefined);
  assert.match(miss.reason, /no listener named "zz" \(listeners: a, b\)/);
  assert.match(selectListener(ls, { port: 9 }).reason, /no listener on port 9 \(listeners: 0.0.0.0:80, 0.0.0.0:81\)/);
});

test('server_names: exact beats *.suffix beats longest wildcard beats catch-all', () => {
  const l = listener([
    chain('any', {}),
    chain('wild-com', { server_names: ['*.com'] }),
    chain('wild', { server_names: ['*.example.com'] }),
    chain('exact', { server_names: ['www.example.com'] }),
  ]);
  assert.equal(pick(l, { serverName: 'www.example.com' }), 'exact');
  assert.equal(pick(l, { serverName: 'api.example.com' }), 'wild');
  assert.equal(pick(l, { serverName: 'a.b.example.com' }), 'wild');
  assert.equal(pick(l, { serverName: 'foo.com' }), 'wild-com');
  assert.equal(pick(l, { serverName: 'foo.org' }), 'any');
  assert.equal(pick(l, {}), 'any');
  // A wildcard never matches the bare suffix.
  assert.equal(pick(l, { serverName: 'example.com' }), 'wild-com');
});

test('destination_port narrows first and Envoy does not backtrack', () => {
  const l = listener(
    [chain('port-sni', { destination_port: 443, server_names: ['a.example.com'] }), chain('catch-all', {})],
    chain('fallback', {}),
  );
  // Port 443 keeps only port-sni; its server_names then miss: no backtracking to catch-all.
  const s = selectFilterChain(l, { destinationPort: 443, serverName: 'b.example.com' });
  assert.equal(s.isDefault, true);
  assert.deepEqual(
    s.steps.map((x) => x.criterion),
    ['destination_port', 'server_names'],
  );
  assert.match(s.reason, /no filter chain matches server_names "b.example.com"; using default_filter_chain/);
  assert.equal(pick(l, { destinationPort: 8443, serverName: 'b.example.com' }), 'catch-all');
});

test('transport_protocol defaults to raw_buffer; application_protocols', () => {
  const l = listener([chain('tls', { transport_protocol: 'tls' }), chain('raw', { transport_protocol: 'raw_buffer' })]);
  assert.equal(pick(l, {}), 'raw');
  assert.equal(pick(l, { transportProtocol: 'tls' }), 'tls');
  const a = listener([chain('h2', { application_protocols: ['h2'] }), chain('other', {})]);
  assert.equal(pick(a, { applicationProtocols: ['h2', 'http/1.1'] }), 'h2');
  assert.equal(pick(a, { applicationProtocols: ['http/1.1'] }), 'other');
});

test('prefix ranges: longest prefix wins, IPv4 and IPv6', () => {
  const l = listener([
    chain('wide', { source_prefix_ranges: [{ address_prefix: '10.0.0.0', prefix_len: 8 }] }),
    chain('narrow', { source_prefix_ranges: [{ address_prefix: '10.1.0.0', prefix_len: 16 }] }),
    chain('v6', { source_prefix_ranges: [{ address_prefix: '2001:db8::', prefix_len: 32 }] }),
    chain('rest', {}),
  ]);
  assert.equal(pick(l, { sourceIp: '10.1.2.3' }), 'narrow');
  assert.equal(pick(l, { sourceIp: '10.2.2.3' }), 'wide');
  assert.equal(pick(l, { sourceIp: '2001:db8::1' }), 'v6');
  assert.equal(pick(l, { sourceIp: '192.168.0.1' }), 'rest');
  assert.equal(pick(l, { sourceIp: '::ffff:10.1.0.9' }), 'narrow');
});

test('source_type and source_ports', () => {
  const l = listener([chain('local', { source_type: 'SAME_IP_OR_LOOPBACK' }), chain('ext', { source_type: 'EXTERNAL' })]);
  assert.equal(pick(l, { sourceIp: '127.0.0.1' }), 'local');
  assert.equal(pick(l, { sourceIp: '8.8.8.8', destinationIp: '10.0.0.1' }), 'ext');
  const p = listener([chain('p', { source_ports: [5000] }), chain('any', {})]);
  assert.equal(pick(p, { sourcePort: 5000 }), 'p');
  assert.equal(pick(p, { sourcePort: 5001 }), 'any');
});

test('no chain and no default: the connection is closed', () => {
  const s = selectFilterChain(listener([chain('x', { server_names: ['x.com'] })]), { serverName: 'y.com' });
  assert.equal(s.chain, undefined);
  assert.match(s.reason, /no default_filter_chain: the connection is closed/);
});

test('parseIp', () => {
  assert.deepEqual(parseIp('1.2.3.4'), { v6: false, bytes: [1, 2, 3, 4] });
  assert.equal(parseIp('::1')?.bytes[15], 1);
  assert.equal(parseIp('300.1.1.1'), undefined);
  assert.equal(parseIp('nonsense'), undefined);
  // IPv4 as `^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$` with each group <= 255.
  assert.deepEqual(parseIp('255.255.255.255')?.bytes, [255, 255, 255, 255]);
  assert.deepEqual(parseIp('0.0.0.0')?.bytes, [0, 0, 0, 0]);
  assert.deepEqual(parseIp('01.002.3.4')?.bytes, [1, 2, 3, 4]);
  assert.deepEqual(parseIp(' [10.0.0.1] ')?.bytes, [10, 0, 0, 1]);
  for (const bad of ['256.1.1.1', '1.2.3', '1.2.3.4.5', '1234.1.1.1', '1..2.3', '.1.2.3', '1.2.3.', '1.2.3.4x', '1.2.3.-4', '']) {
    assert.equal(parseIp(bad), undefined, bad);
  }
  assert.deepEqual(parseIp('::ffff:192.168.0.1'), { v6: false, bytes: [192, 168, 0, 1] });
  assert.equal(parseIp('::ffff:192.168.0.256'), undefined);
});

test('HCM found by @type or legacy name; route config inline or by rds name', () => {
  const hcm = { '@type': HCM_TYPE_URL, stat_prefix: 'ingress', rds: { route_config_name: 'r1' } };
  const c: FilterChain = { filters: [{ name: 'tcp', typed_config: { '@type': 'x' } }, { name: 'anything', typed_config: hcm }] };
  const found = findHttpConnectionManager(c);
  assert.equal(found?.index, 1);
  assert.equal(found?.hcm.stat_prefix, 'ingress');
  assert.equal(findHttpConnectionManager({ filters: [{ name: 'envoy.http_connection_manager' }] })?.index, 0);
  assert.equal(findHttpConnectionManager({ filters: [{ name: 'envoy.filters.network.tcp_proxy' }] }), undefined);
  const r = resolveRouteConfiguration(found!.hcm, [{ name: 'r0' }, { name: 'r1' }]);
  assert.equal(r.source, 'rds');
  assert.equal(r.routeConfig?.name, 'r1');
  assert.match(resolveRouteConfiguration(found!.hcm, []).problem ?? '', /"r1" \(rds\) is not in this config/);
});

test('listenerAddress brackets IPv6', () => {
  assert.equal(listenerAddress({ address: { socket_address: { address: '::', port_value: 80 } } }), '[::]:80');
  assert.equal(listenerAddress({ address: { socket_address: { address: '10.0.0.1', port_value: 80 } } }), '10.0.0.1:80');
  assert.equal(listenerAddress({ address: { pipe: { path: '/tmp/s' } } }), '/tmp/s');
});

function httpListener(name: string, port: number, rds: string): Listener {
  return {
    name,
    address: { socket_address: { address: '0.0.0.0', port_value: port } },
    filter_chains: [{ filters: [{ name: 'hcm', typed_config: { '@type': HCM_TYPE_URL, stat_prefix: name, rds: { route_config_name: rds } } as never }] }],
  };
}

test('several HTTP listeners and nothing to choose by: the first, marked ambiguous, every candidate named', () => {
  const ls = [httpListener('a', 8080, 'ra'), { name: 'tcp', address: { socket_address: { address: '0.0.0.0', port_value: 9 } } }, httpListener('b', 9000, 'rb')];
  const s = selectListener(ls, {});
  assert.equal(s.index, 0);
  assert.equal(s.ambiguous, true);
  assert.equal(s.reason, 'ambiguous: 2 listeners could take this request and none listens on the port the client connects to: "a" (0.0.0.0:8080, routes "ra"); "b" (0.0.0.0:9000, routes "rb"); answering for the first, "a" (choose with --listener NAME or --port N, or give the Host a port)');
  // One HTTP listener among others is not ambiguous.
  const one = selectListener([ls[1]!, ls[2]!], {});
  assert.deepEqual([one.index, one.ambiguous, one.reason], [1, undefined, 'the only one of 2 listeners with an HTTP connection manager']);
});

test('route configurations by name: did-you-mean, the listener that routes with it, bare files', () => {
  const rcs: RouteConfiguration[] = [{ name: 'http.8080' }, { name: '80' }, { name: 'inbound|9080||' }];
  assert.equal(selectRouteConfiguration(rcs, '80', suggest).routeConfig, rcs[1]);
  assert.equal(selectRouteConfiguration(rcs, 'http.808', suggest).reason, 'no route configuration named "http.808"; did you mean "http.8080"? (route configurations: "http.8080", "80", "inbound|9080||")');
  const ls = [httpListener('a', 8080, 'http.8080'), httpListener('b', 80, '80'), httpListener('c', 81, '80')];
  assert.deepEqual(routeConfigTarget(ls, rcs, 'http.8080', suggest), { kind: 'listener', index: 0 });
  const shared = routeConfigTarget(ls, rcs, '80', suggest);
  assert.equal(shared.kind, 'route_config');
  assert.match(shared.kind === 'route_config' ? shared.note : '', /2 listeners route with it \("b", "c"\)/);
  assert.equal(routeConfigTarget(ls, rcs, 'inbound|9080||', suggest).kind, 'route_config');
  assert.equal(routeConfigTarget(ls, rcs, 'nope', suggest).kind, 'error');
  assert.equal(bareRouteConfig([rcs[0]!], undefined, suggest).reason, 'the only route configuration');
  assert.match(bareRouteConfig(rcs, undefined, suggest).reason, /^ambiguous: the config has 3 route configurations and no listener to choose by; choose one with --route-config NAME: "http\.8080", "80", "inbound\|9080\|\|"$/);
});
