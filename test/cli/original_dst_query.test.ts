// `tsproxy match/explain --original-dst IP:PORT` on a sidecar config: the listener the hand-off
// chooses and why (text and JSON), filter chains matched against the original destination, the
// connection manager's local port, and the flag's usage errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from './run_cli.js';

const SIDECAR = 'fixtures/explain/sidecar.yaml';

interface Report {
  listener: {
    name: string;
    index: number;
    reason: string;
    original_dst?: {
      address: string;
      accepting_listener: { name: string; index: number; address: string; reason: string };
      mode: string;
      match: string;
      lookups: { address: string; listener_index: number }[];
      reason: string;
    };
    filter_chain: { name: string | null; is_default: boolean } | null;
  };
  connection_manager: { stat_prefix: string; request_handling: { authority: string | null } };
  action: { cluster: { name: string } | null };
  notes: string[];
}

function matchJson(...args: string[]): Report {
  const r = runCli(['match', '-c', SIDECAR, '--path', '/', '--json', ...args]);
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as Report;
}

test('match --original-dst: exact ip:port, the 0.0.0.0:port fallback with its filter chains, the accepting listener', () => {
  const cases: Array<[string, string, string, string | null, string]> = [
    // destination, listener, hand-off match, filter chain, stat_prefix
    ['10.96.0.10:8080', '10.96.0.10_8080', 'exact', null, 'outbound_10.96.0.10_8080'],
    ['10.96.3.4:80', '0.0.0.0_80', 'wildcard', 'mesh', 'outbound_0.0.0.0_80'],
    ['93.184.216.34:80', '0.0.0.0_80', 'wildcard', 'passthrough', 'outbound_passthrough_80'],
    ['10.96.0.10:9999', 'virtualOutbound', 'accepting', null, 'outbound_passthrough'],
    ['[fd00::1]:80', 'virtualOutbound', 'accepting', null, 'outbound_passthrough'],
  ];
  for (const [dst, listener, match, chain, prefix] of cases) {
    const r = matchJson('--original-dst', dst, '--host', 'ratings:80');
    assert.equal(r.listener.name, listener, dst);
    assert.equal(r.listener.original_dst?.match, match, dst);
    assert.equal(r.listener.original_dst?.accepting_listener.name, 'virtualOutbound');
    assert.equal(r.listener.filter_chain?.name ?? null, chain, dst);
    assert.equal(r.connection_manager.stat_prefix, prefix, dst);
  }
  const wild = matchJson('--original-dst', '10.96.3.4:80', '--host', 'ratings:80');
  assert.deepEqual(wild.listener.original_dst, {
    address: '10.96.3.4:80',
    accepting_listener: { name: 'virtualOutbound', index: 0, address: '0.0.0.0:15001', reason: 'the listener with use_original_dst (iptables redirects to it)' },
    mode: 'hand_off',
    match: 'wildcard',
    lookups: [
      { address: '10.96.3.4:80', listener_index: -1 },
      { address: '0.0.0.0:80', listener_index: 2 },
    ],
    reason: 'no listener is bound to 10.96.3.4:80; listener "0.0.0.0_80" on 0.0.0.0:80 takes it (bind_to_port: false: it receives only handed-off connections)',
  });
  // strip_matching_host_port compares with the original destination's port (the restored local port).
  assert.equal(wild.connection_manager.request_handling.authority, 'ratings');
  assert.equal(wild.action.cluster?.name, 'outbound|80||ratings.default.svc.cluster.local');
  // The passthrough cluster connects to the original destination; without one it has no address.
  const out = matchJson('--original-dst', '93.184.216.34:80', '--host', 'example.com');
  assert.ok(out.notes.includes('ORIGINAL_DST cluster "PassthroughCluster" connects to the original destination 93.184.216.34:80'), out.notes.join('\n'));
  // Without --original-dst nothing changes in the report's shape.
  const plain = matchJson('--host', 'ratings', '--port', '15001');
  assert.equal(plain.listener.original_dst, undefined);
  assert.ok(plain.notes.some((n) => n.includes('has no address for this request')), plain.notes.join('\n'));
});

test('--listener picks the accepting listener; one that reads no original destination keeps the connection', () => {
  const r = matchJson('--original-dst', '10.96.3.4:80', '--listener', '10.96.0.10_8080', '--host', 'reviews');
  assert.equal(r.listener.name, '10.96.0.10_8080');
  assert.equal(r.listener.original_dst?.match, 'not_read');
  assert.equal(r.listener.original_dst?.mode, 'none');
  assert.match(r.listener.original_dst!.reason, /reads no original destination .*: it keeps the connection and its own local address/);
  const by = matchJson('--original-dst', '10.96.0.10:8080', '--port', '15001', '--host', 'reviews');
  assert.equal(by.listener.name, '10.96.0.10_8080');
  assert.equal(by.listener.original_dst?.accepting_listener.reason, 'listens on port 15001');
});

test('text: match names the hand-off, explain lists the addresses looked up', () => {
  const m = runCli(['match', '-c', SIDECAR, '--path', '/', '--host', 'ratings', '--original-dst', '10.96.3.4:80']);
  assert.equal(m.status, 0, m.stderr);
  assert.match(m.stdout, /^listener {6}0\.0\.0\.0_80 0\.0\.0\.0:80 \(original destination 10\.96\.3\.4:80: no listener is bound to 10\.96\.3\.4:80; listener "0\.0\.0\.0_80" on 0\.0\.0\.0:80 takes it/m);
  assert.match(m.stdout, /^original dst {2}10\.96\.3\.4:80, accepted by "virtualOutbound" 0\.0\.0\.0:15001 \(hand-off: wildcard\)$/m);
  const e = runCli(['explain', '-c', SIDECAR, '--path', '/', '--host', 'ratings', '--original-dst', '10.96.3.4:80']);
  assert.equal(e.status, 0, e.stderr);
  assert.match(
    e.stdout,
    /1\. Listener 0\.0\.0\.0_80 \(0\.0\.0\.0:80\)\n {3}original destination 10\.96\.3\.4:80, accepted by "virtualOutbound" 0\.0\.0\.0:15001 \(the listener with use_original_dst \(iptables redirects to it\)\)\n {5}looked up 10\.96\.3\.4:80: no listener\n {5}looked up 0\.0\.0\.0:80: listener #2\n/,
  );
});

test('--original-dst usage errors exit 2', () => {
  for (const bad of ['10.0.0.1', 'example.com:80']) {
    const r = runCli(['match', '-c', SIDECAR, '--path', '/', '--original-dst', bad]);
    assert.equal(r.status, 2, bad);
    assert.match(r.stderr, /--original-dst must be IP:PORT/);
  }
  const route = runCli(['match', '-c', 'fixtures/explain/routes.yaml', '--path', '/', '--host', 'x', '--original-dst', '10.0.0.1:80']);
  assert.equal(route.status, 2);
  assert.match(route.stderr, /--original-dst needs a Bootstrap or config dump/);
  const missing = runCli(['match', '-c', SIDECAR, '--path', '/', '--original-dst', '10.0.0.1:80', '--listener', 'nope']);
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /no listener named "nope"/);
});
