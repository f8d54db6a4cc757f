import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Listener } from '../../src/config/types.js';
import { compileOriginalDstHandoff, originalDstMode } from '../../src/core/original_dst_handoff.js';
import { formatIp, formatIpPort, parseIpPort, type IpPort } from '../../src/core/ip_port.js';

function l(name: string, address: string, port: number, extra: Partial<Listener> = {}): Listener {
  return { name, address: { socket_address: { address, port_value: port } }, ...extra };
}

function dst(text: string): IpPort {
  const p = parseIpPort(text);
  assert.ok(p, text);
  return p;
}

/** A sidecar: the 15001 virtual listener and per-destination listeners that are not bound. */
const SIDECAR: Listener[] = [
  l('virtual', '0.0.0.0', 15001, { use_original_dst: true }),
  l('svc-a-80', '10.200.0.1', 80, { bind_to_port: false }),
  l('any-80', '0.0.0.0', 80, { bind_to_port: false }),
  l('svc-b-9090', '10.200.1.1', 9090),
  l('v6-any-80', '::', 80, { bind_to_port: false }),
  l('v6-exact-8080', 'fd00:200::1', 8080, { bind_to_port: false }),
];

const names = (ls: Listener[], i: number) => ls[i]!.name;

test('hand-off: exact ip:port, then 0.0.0.0:port / [::]:port, else the accepting listener', () => {
  const table = compileOriginalDstHandoff(SIDECAR);
  const cases: Array<[string, string, string]> = [
    ['10.200.0.1:80', 'svc-a-80', 'exact'],
    ['10.200.1.1:80', 'any-80', 'wildcard'],
    ['10.200.1.1:9090', 'svc-b-9090', 'exact'],
    ['10.200.0.1:9090', 'virtual', 'accepting'],
    ['10.200.0.1:7000', 'virtual', 'accepting'],
    ['[fd00:200::1]:8080', 'v6-exact-8080', 'exact'],
    ['[fd00:200::1]:80', 'v6-any-80', 'wildcard'],
    ['[fd00:200::9]:9090', 'virtual', 'accepting'],
    // The accepting listener's own address: it is its own exact match.
    ['0.0.0.0:15001', 'virtual', 'exact'],
  ];
  for (const [addr, want, match] of cases) {
    const h = table.select(0, dst(addr));
    assert.equal(names(SIDECAR, h.index), want, addr);
    assert.equal(h.match, match, addr);
  }
});

test('hand-off: lookups and reasons name the addresses and listeners', () => {
  const table = compileOriginalDstHandoff(SIDECAR);
  const wild = table.select(0, dst('10.200.1.1:80'));
  assert.deepEqual(wild.lookups, [
    { address: '10.200.1.1:80', index: -1 },
    { address: '0.0.0.0:80', index: 2 },
  ]);
  assert.equal(
    wild.reason,
    'no listener is bound to 10.200.1.1:80; listener "any-80" on 0.0.0.0:80 takes it (bind_to_port: false: it receives only handed-off connections)',
  );
  const exact = table.select(0, dst('10.200.1.1:9090'));
  assert.deepEqual(exact.lookups, [{ address: '10.200.1.1:9090', index: 3 }]);
  assert.equal(exact.reason, 'listener "svc-b-9090" is bound to exactly 10.200.1.1:9090');
  const kept = table.select(0, dst('[fd00:200::9]:9090'));
  assert.deepEqual(kept.lookups.map((x) => x.address), ['[fd00:200::9]:9090', '[::]:9090']);
  assert.equal(kept.reason, 'no listener on [fd00:200::9]:9090 or [::]:9090: the accepting listener "virtual" keeps the connection');
});

test('no hand-off without use_original_dst (the listener filter alone only restores the address)', () => {
  const ls = [
    l('filter-only', '0.0.0.0', 15001, { listener_filters: [{ name: 'envoy.filters.listener.original_dst' }] }),
    l('svc', '10.0.0.1', 80, { bind_to_port: false }),
  ];
  const h = compileOriginalDstHandoff(ls).select(0, dst('10.0.0.1:80'));
  assert.equal(h.index, 0);
  assert.equal(h.match, 'no_hand_off');
  assert.match(h.reason, /does not set use_original_dst: it keeps the connection \(its local address becomes 10\.0\.0\.1:80\)/);
  assert.equal(originalDstMode(ls[0]!), 'restore');
  assert.equal(originalDstMode(ls[1]!), 'none');
  assert.equal(originalDstMode(SIDECAR[0]!), 'hand_off');
  const typed = l('t', '0.0.0.0', 1, {
    listener_filters: [{ name: 'x', typed_config: { '@type': 'type.googleapis.com/envoy.extensions.filters.listener.original_dst.v3.OriginalDst' } }],
  });
  assert.equal(originalDstMode(typed), 'restore');
});

test('ipv4_compat: [::]:port stands in for 0.0.0.0:port unless a 0.0.0.0 listener exists; mapped addresses match IPv4', () => {
  const compat = (name: string, address: string, port: number): Listener => ({
    name,
    address: { socket_address: { address, port_value: port, ipv4_compat: true } },
  });
  const v = l('virtual', '0.0.0.0', 15001, { use_original_dst: true });
  const onlyV6 = compileOriginalDstHandoff([v, compat('dual', '::', 80)]);
  assert.equal(onlyV6.select(0, dst('10.0.0.1:80')).index, 1);
  assert.equal(onlyV6.select(0, dst('10.0.0.1:80')).match, 'wildcard');
  // Without ipv4_compat the IPv6 wildcard does not take IPv4 connections.
  assert.equal(compileOriginalDstHandoff([v, l('v6', '::', 80)]).select(0, dst('10.0.0.1:80')).index, 0);
  // An explicit 0.0.0.0 listener wins, before or after the [::] one.
  for (const ls of [[v, compat('dual', '::', 80), l('v4', '0.0.0.0', 80)], [v, l('v4', '0.0.0.0', 80), compat('dual', '::', 80)]]) {
    assert.equal(ls[compileOriginalDstHandoff(ls).select(0, dst('10.0.0.1:80')).index]!.name, 'v4');
  }
  const mapped = compileOriginalDstHandoff([v, compat('mapped', '::ffff:10.0.0.1', 80)]);
  assert.equal(mapped.select(0, dst('10.0.0.1:80')).match, 'exact');
  assert.equal(mapped.select(0, dst('10.0.0.1:80')).index, 1);
});

test('addresses are compared as addresses, not as text; pipes and named ports are skipped', () => {
  const ls: Listener[] = [
    l('virtual', '0.0.0.0', 15001, { use_original_dst: true }),
    l('long-v6', 'FD00:0200:0000:0000:0000:0000:0000:0001', 80),
    { name: 'pipe', address: { pipe: { path: '/tmp/x.sock' } } },
    { name: 'named', address: { socket_address: { address: '10.0.0.9', named_port: 'http' } } },
  ];
  const t = compileOriginalDstHandoff(ls);
  assert.equal(t.select(0, dst('[fd00:200::1]:80')).index, 1);
  assert.equal(t.select(0, dst('10.0.0.9:80')).index, 0);
  // Two listeners on one address: the later one (Envoy's map keeps the last added).
  const dup = [ls[0]!, l('first', '10.0.0.1', 80), l('second', '10.0.0.1', 80)];
  assert.equal(compileOriginalDstHandoff(dup).select(0, dst('10.0.0.1:80')).index, 2);
});

test('parseIpPort / formatIpPort follow Envoy: a port is required, IPv6 in brackets', () => {
  for (const bad of ['10.0.0.1', '10.0.0.1:', '10.0.0.1:x', '10.0.0.1:65536', 'host:80', '::1:80', '[::1]', '[::1]80', '[10.0.0.1]:80', '']) {
    assert.equal(parseIpPort(bad), undefined, bad);
  }
  assert.deepEqual(parseIpPort('10.1.2.3:8080'), { ip: { v6: false, bytes: [10, 1, 2, 3] }, port: 8080 });
  const cases: Array<[string, string]> = [
    ['[::1]:80', '[::1]:80'],
    ['[FD00:0:0:0:0:0:0:1]:443', '[fd00::1]:443'],
    ['[2001:db8:0:0:1:0:0:1]:1', '[2001:db8::1:0:0:1]:1'],
    ['[1:0:2:0:3:0:4:0]:1', '[1:0:2:0:3:0:4:0]:1'],
    ['[::]:0', '[::]:0'],
    ['[::ffff:10.0.0.1]:80', '[::ffff:10.0.0.1]:80'],
    ['0.0.0.0:15001', '0.0.0.0:15001'],
  ];
  for (const [text, want] of cases) assert.equal(formatIpPort(parseIpPort(text)!), want, text);
  assert.equal(formatIp({ v6: true, bytes: [0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1] }), 'fe80::1');
});
