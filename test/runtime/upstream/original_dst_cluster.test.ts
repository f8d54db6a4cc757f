// ORIGINAL_DST clusters: the host is the restored original destination or the override header,
// created on demand, reused, cleaned up when unused; Envoy's stats. End to end through the data
// plane with the header (no redirection needed) and without any address (503 UH).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Cluster } from '../../../src/config/types.js';
import type { OriginalDstCluster } from '../../../src/runtime/upstream/original_dst_cluster.js';
import { setupCluster, startHttpOrigin, TestStream, within } from './helpers.js';
import { startProxy, send } from '../../e2e/proxy.js';
import { startEchoUpstreams, type EchoReply } from '../../e2e/echo_upstreams.js';
import { originalDstClusterYaml } from '../../e2e/original_dst_config.js';

function odCluster(extra: Partial<Cluster> = {}): Cluster {
  return { name: 'od', type: 'ORIGINAL_DST', lb_policy: 'CLUSTER_PROVIDED', ...extra };
}

const restored = (address: string, port: number) => ({ downstreamLocalAddress: address, downstreamLocalPort: port, downstreamLocalAddressRestored: true });

test('the host is the restored original destination, one host per ip:port, named as Envoy names it', () => {
  const { cm, c, stat, gauge } = setupCluster(odCluster());
  try {
    assert.deepEqual(cm.warnings, []);
    const a = c.chooseHost(undefined, restored('10.0.0.1', 80));
    assert.ok(a);
    assert.equal(a.addressString, '10.0.0.1:80');
    assert.equal(a.hostname, 'od10.0.0.1:80');
    assert.equal(c.chooseHost(undefined, restored('10.0.0.1', 80)), a, 'the same host is reused');
    const b = c.chooseHost(undefined, restored('fd00::1', 8080));
    assert.equal(b?.addressString, '[fd00::1]:8080');
    assert.equal(b?.address, 'fd00::1');
    assert.equal(gauge('membership_total'), 2);
    assert.equal(gauge('membership_healthy'), 2);
    assert.equal(stat('membership_change'), 2);
    // A local address that is not a restored original destination is not used (Envoy's localAddressRestored()).
    assert.equal(c.chooseHost(undefined, { downstreamLocalAddress: '127.0.0.1', downstreamLocalPort: 15001 }), null);
    assert.equal(c.chooseHost(undefined), null);
    assert.equal(stat('upstream_cx_none_healthy'), 2);
  } finally {
    void cm.shutdown();
  }
});

test('use_http_header: the header wins over the original destination; an invalid one is counted and ignored', () => {
  const { cm, c, stat } = setupCluster(odCluster({ original_dst_lb_config: { use_http_header: true } }));
  try {
    const d = restored('10.0.0.1', 80);
    assert.equal(c.chooseHost(undefined, d, { 'x-envoy-original-dst-host': '10.0.0.9:8080' })?.addressString, '10.0.0.9:8080');
    assert.equal(c.chooseHost(undefined, d, { 'x-envoy-original-dst-host': '[fd00::2]:81' })?.addressString, '[fd00::2]:81');
    // Repeated: the first value only (the header map joins repeats with ',').
    assert.equal(c.chooseHost(undefined, d, { 'x-envoy-original-dst-host': '10.0.0.7:1,10.0.0.8:2' })?.addressString, '10.0.0.7:1');
    assert.equal(c.chooseHost(undefined, d, { 'x-envoy-original-dst-host': ['10.0.0.6:1', '10.0.0.5:2'] })?.addressString, '10.0.0.6:1');
    assert.equal(stat('original_dst_host_invalid'), 0);
    for (const bad of ['example.com:80', '10.0.0.9', '10.0.0.9:99999', '']) {
      assert.equal(c.chooseHost(undefined, d, { 'x-envoy-original-dst-host': bad })?.addressString, '10.0.0.1:80', bad);
    }
    assert.equal(stat('original_dst_host_invalid'), 4);
    assert.equal(c.chooseHost(undefined, undefined, { 'x-envoy-original-dst-host': 'nope' }), null);
  } finally {
    void cm.shutdown();
  }
  // Without use_http_header the header is not looked at; http_header_name renames it.
  const plain = setupCluster(odCluster());
  assert.equal(plain.c.chooseHost(undefined, undefined, { 'x-envoy-original-dst-host': '10.0.0.9:80' }), null);
  void plain.cm.shutdown();
  const named = setupCluster(odCluster({ original_dst_lb_config: { use_http_header: true, http_header_name: 'X-Dst', upstream_port_override: 9000 } }));
  assert.equal(named.c.chooseHost(undefined, undefined, { 'x-dst': '10.0.0.9:80' })?.addressString, '10.0.0.9:9000');
  assert.equal(named.c.chooseHost(undefined, restored('10.0.0.1', 80))?.addressString, '10.0.0.1:9000', 'upstream_port_override');
  void named.cm.shutdown();
});

test('cleanup: a host is kept while picked since the last cleanup or connected, then removed', async () => {
  const origin = await startHttpOrigin((_req, res) => res.end('ok'));
  const { cm, c, stat, gauge } = setupCluster(odCluster({ cleanup_interval: 3_600_000 }));
  const cluster = c as OriginalDstCluster;
  try {
    const idle = cluster.chooseHost(undefined, restored('10.0.0.1', 80))!;
    const busy = cluster.chooseHost(undefined, restored('127.0.0.1', origin.port))!;
    // A request on `busy` leaves a pooled (idle keep-alive) connection open.
    const s = new TestStream().start(c, busy);
    const r = await within(s.done);
    assert.equal(r.status, 200);
    assert.equal(gauge('membership_total'), 2);
    cluster.cleanup(); // both picked since the start: kept, now unpicked
    assert.equal(gauge('membership_total'), 2);
    cluster.cleanup(); // `idle` removed; `busy` kept for its open connection
    assert.equal(gauge('membership_total'), 1);
    assert.deepEqual(cluster.allHosts.map((h) => h.addressString), [busy.addressString]);
    // Picked again: a new host for the same address.
    const again = cluster.chooseHost(undefined, restored('10.0.0.1', 80))!;
    assert.notEqual(again, idle);
    assert.equal(gauge('membership_total'), 2);
    assert.equal(stat('membership_change'), 4);
  } finally {
    await cm.shutdown();
    await origin.close();
  }
});

test('serve: an ORIGINAL_DST route forwards to x-envoy-original-dst-host; without an address 503 UH', { timeout: 15_000 }, async () => {
  const echo = await startEchoUpstreams(['svc']);
  const port = echo.ports.get('svc')!;
  const yaml = `static_resources:
  listeners:
  - name: l
    address: {socket_address: {address: 127.0.0.1, port_value: 0}}
    filter_chains:
    - filters:
      - name: envoy.filters.network.http_connection_manager
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
          stat_prefix: h
          route_config:
            virtual_hosts:
            - {name: all, domains: ["*"], routes: [{match: {prefix: "/"}, route: {cluster: passthrough}}]}
          http_filters:
          - {name: envoy.filters.http.router, typed_config: {"@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router}}
  clusters:
${originalDstClusterYaml('passthrough', '{use_http_header: true}')}`;
  const proxy = await startProxy(yaml);
  try {
    const ok = await send(proxy.port, { method: 'GET', path: '/x', authority: 'app', headers: { 'x-envoy-original-dst-host': `127.0.0.1:${port}` } });
    assert.equal(ok.status, 200);
    assert.equal((JSON.parse(ok.body) as EchoReply).cluster, 'svc');
    // The listener did not restore an original destination: no host.
    const none = await send(proxy.port, { method: 'GET', path: '/x', authority: 'app' });
    assert.equal(none.status, 503);
    assert.equal(none.body, 'no healthy upstream');
    const bad = await send(proxy.port, { method: 'GET', path: '/x', authority: 'app', headers: { 'x-envoy-original-dst-host': 'svc:80' } });
    assert.equal(bad.status, 503);
    const [, noneInfo, badInfo] = proxy.completed;
    assert.deepEqual(noneInfo!.responseFlags, ['UH']);
    assert.equal(noneInfo!.responseCodeDetails, 'no_healthy_upstream');
    assert.deepEqual(badInfo!.responseFlags, ['UH']);
    const store = proxy.server.store;
    assert.equal(store.counterValue('cluster.passthrough.original_dst_host_invalid'), 1);
    assert.equal(store.counterValue('cluster.passthrough.upstream_cx_none_healthy'), 2);
    assert.equal(store.counterValue('cluster.passthrough.upstream_rq_503'), 2);
  } finally {
    await proxy.stop();
    await echo.close();
  }
});
