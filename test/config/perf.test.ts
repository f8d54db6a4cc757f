import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../src/config/load.js';

/** A camelCase admin /config_dump of about `routesTotal` routes (~300 bytes each). */
function generateDump(routeConfigs: number, routesPer: number): string {
  const routes = (j: number) =>
    Array.from({ length: routesPer }, (_, i) => ({
      name: `r${j}_${i}`,
      match: { prefix: `/p${i}`, headers: [{ name: 'x-v', stringMatch: { exact: `v${i}` } }] },
      route: { cluster: `c${i % 100}`, timeout: '1.5s', retryPolicy: { retryOn: '5xx', numRetries: 2 } },
    }));
  const dynamicRouteConfigs = Array.from({ length: routeConfigs }, (_, j) => ({
    versionInfo: '1',
    routeConfig: {
      '@type': 'type.googleapis.com/envoy.config.route.v3.RouteConfiguration',
      name: `rc${j}`,
      virtualHosts: [{ name: `vh${j}`, domains: [`h${j}.example.com`], routes: routes(j) }],
    },
    lastUpdated: '2024-01-01T00:00:00Z',
  }));
  return JSON.stringify(
    { configs: [{ '@type': 'type.googleapis.com/envoy.admin.v3.RoutesConfigDump', dynamicRouteConfigs }] },
    null,
    1,
  );
}

test('a 5 MB config dump loads fast (no quadratic work)', (t) => {
  const text = generateDump(20, 800);
  assert.ok(text.length > 5_000_000, String(text.length));
  const start = performance.now();
  const cpu0 = process.cpuUsage();
  const r = loadConfig(text, 'dump.json');
  const cpu = process.cpuUsage(cpu0);
  const ms = performance.now() - start;
  t.diagnostic(`${(text.length / 1e6).toFixed(1)} MB in ${ms.toFixed(0)} ms wall, ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms CPU`);
  assert.deepEqual(r.diagnostics, []);
  assert.equal(r.config!.routeConfigurations.length, 20);
  assert.equal(r.config!.routeConfigurations[19]!.virtual_hosts![0]!.routes!.length, 800);
  // About 0.5-0.7 s of CPU for 7.6 MB here. CPU time, not wall time: on a loaded machine the
  // wall clock measures the neighbours. Quadratic work would blow far past this bound.
  const cpuMs = (cpu.user + cpu.system) / 1000;
  assert.ok(cpuMs < 4000, `${cpuMs} ms CPU`);
});
