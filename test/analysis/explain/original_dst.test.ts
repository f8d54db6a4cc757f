// The offline side of original destinations: the accepting listener match/explain assume, and
// where an ORIGINAL_DST cluster would connect (the same rules as serve's original_dst_cluster.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Listener, LoadedConfig } from '../../../src/config/types.js';
import { originalDstClusterNote, replayOriginalDst } from '../../../src/analysis/explain/original_dst.js';
import { parseIpPort } from '../../../src/core/ip_port.js';

const l = (name: string, address: string, port: number, extra: Partial<Listener> = {}): Listener => ({ name, address: { socket_address: { address, port_value: port } }, ...extra });

test('the accepting listener: --listener/--port, else use_original_dst, else the original_dst filter, else the port', () => {
  const dst = parseIpPort('10.0.0.1:80')!;
  const filterOnly = l('filter', '0.0.0.0', 15006, { listener_filters: [{ name: 'envoy.filters.listener.original_dst' }] });
  const virtual = l('virtual', '0.0.0.0', 15001, { use_original_dst: true });
  const svc = l('svc', '0.0.0.0', 80, { bind_to_port: false });
  const pick = (ls: Listener[], by = {}) => {
    const r = replayOriginalDst(ls, dst, by);
    assert.ok(!('error' in r), JSON.stringify(r));
    return `${r.json.accepting_listener.name} -> ${r.selection.listener!.name} (${r.json.match})`;
  };
  assert.equal(pick([filterOnly, virtual, svc]), 'virtual -> svc (wildcard)');
  assert.equal(pick([filterOnly, svc]), 'filter -> filter (no_hand_off)');
  assert.equal(pick([l('plain', '0.0.0.0', 80)]), 'plain -> plain (not_read)');
  assert.equal(pick([filterOnly, virtual, svc], { port: 15006 }), 'filter -> filter (no_hand_off)');
  assert.deepEqual(replayOriginalDst([virtual], dst, { name: 'nope' }), { error: 'no listener named "nope" (listeners: virtual)' });
  const two = replayOriginalDst([virtual, l('virtual2', '0.0.0.0', 15002, { use_original_dst: true })], dst, {});
  assert.ok(!('error' in two));
  assert.equal(two.json.accepting_listener.reason, 'first of 2 listeners with use_original_dst (choose with --listener or --port)');
});

test('where an ORIGINAL_DST cluster connects: header, original destination, port override, nowhere', () => {
  const config = {
    clusters: [
      { name: 'pass', type: 'ORIGINAL_DST', lb_policy: 'CLUSTER_PROVIDED' },
      { name: 'hdr', type: 'ORIGINAL_DST', lb_policy: 'CLUSTER_PROVIDED', original_dst_lb_config: { use_http_header: true, upstream_port_override: 8443 } },
      { name: 'static', type: 'STATIC' },
    ],
  } as unknown as LoadedConfig;
  const dst = parseIpPort('10.0.0.1:80')!;
  assert.equal(originalDstClusterNote(config, 'static', dst, {}), undefined);
  assert.equal(originalDstClusterNote(config, 'pass', dst, { 'x-envoy-original-dst-host': '10.9.9.9:1' }), 'ORIGINAL_DST cluster "pass" connects to the original destination 10.0.0.1:80');
  assert.equal(originalDstClusterNote(config, 'hdr', dst, { 'x-envoy-original-dst-host': '[fd00::9]:1' }), 'ORIGINAL_DST cluster "hdr" connects to [fd00::9]:8443 (the x-envoy-original-dst-host header)');
  assert.equal(
    originalDstClusterNote(config, 'hdr', dst, { 'x-envoy-original-dst-host': 'svc:80' }),
    'ORIGINAL_DST cluster "hdr" connects to the original destination 10.0.0.1:8443; x-envoy-original-dst-host "svc:80" is not an ip:port (original_dst_host_invalid)',
  );
  assert.equal(
    originalDstClusterNote(config, 'hdr', undefined, {}),
    'ORIGINAL_DST cluster "hdr" has no address for this request (no original destination and no valid x-envoy-original-dst-host header): serve answers 503 no_healthy_upstream (UH)',
  );
});
