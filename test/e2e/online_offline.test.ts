/**
 * Issue 3 acceptance: online == offline. Every router_check case of
 * ../shared/conformance/envoy-router-check that forwards to a cluster is replayed through the real
 * data plane (in-process `startServer`, real sockets) against echo upstreams, one per cluster
 * name; the cluster that answered, the path and the Host it received must equal what the offline
 * core (`route()` + `finalizeRequest()`, as `tsproxy test` runs them) says. Weighted-cluster picks
 * use the case's `random_value` through the server's injected random source.
 *
 * Skipped when ../shared is absent. Cases that only exist inside router_check's mocks (a mocked
 * runtime snapshot, injected dynamic metadata) are listed as skipped with the reason.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { clusterNamesOf, collectForwardCases, CONFORMANCE_DIR } from './conformance_cases.js';
import { startEchoUpstreams } from './echo_upstreams.js';
import { bootstrapYaml } from './bootstrap.js';
import { send, startProxy } from './proxy.js';
import type { EchoReply } from './echo_upstreams.js';

const present = existsSync(CONFORMANCE_DIR);

test('online == offline on every forwarding router_check case', { skip: present ? false : `${CONFORMANCE_DIR} absent`, timeout: 120_000 }, async (t) => {
  const groups = collectForwardCases();
  let total = 0;
  let agree = 0;
  let skipped = 0;
  const disagreements: string[] = [];
  for (const g of groups) {
    skipped += g.skipped.length;
    if (g.cases.length === 0) continue;
    // cluster_header routes name their clusters only in requests: add the expected ones too.
    const names = new Set([...clusterNamesOf(g.routeConfig), ...g.cases.map((c) => c.expected.cluster)]);
    const echo = await startEchoUpstreams([...names].sort());
    try {
      const proxy = await startProxy(bootstrapYaml({ routeText: g.routeText, clusterPorts: echo.ports, runtime: g.runtime }));
      try {
        for (const c of g.cases) {
          total++;
          proxy.randomValue = c.input.random_value;
          let got: { cluster: string; path: string; host: string } | string;
          try {
            const res = await send(proxy.port, { method: c.input.method, path: c.input.path, authority: c.input.authority, headers: c.headers });
            if (res.status === 200 && res.headers['x-echo-cluster'] !== undefined) {
              const e = JSON.parse(res.body) as EchoReply;
              got = { cluster: e.cluster, path: e.path, host: e.host ?? '' };
            } else {
              got = `status ${res.status} ${res.headers['x-envoy-response-flags'] ?? ''} ${res.body.slice(0, 120)}`;
            }
          } catch (err) {
            got = `request failed: ${(err as Error).message}`;
          }
          if (typeof got !== 'string' && got.cluster === c.expected.cluster && got.path === c.expected.path && got.host === c.expected.host) {
            agree++;
          } else {
            disagreements.push(`${c.id}: offline ${JSON.stringify(c.expected)} online ${typeof got === 'string' ? got : JSON.stringify(got)}`);
          }
        }
      } finally {
        await proxy.stop();
      }
    } finally {
      await echo.close();
    }
  }
  t.diagnostic(`online==offline: ${agree}/${total} forwarding cases agree (${skipped} skipped: router_check-only inputs)`);
  for (const g of groups) for (const s of g.skipped) t.diagnostic(`skipped ${s.id}: ${s.reason}`);
  for (const d of disagreements) t.diagnostic(`DISAGREE ${d}`);
  assert.ok(total > 0, 'no forwarding cases found');
  assert.deepEqual(disagreements, []);
});
