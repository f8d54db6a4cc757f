#!/usr/bin/env node
// Benchmark (not a test): lint of a generated ~5 MB Envoy admin /config_dump.
// Reports the in-process lint time (load + rules + JSON formatting), peak RSS of that process,
// and the wall time of the whole `tsproxy lint --format json` command (node start included).
// Usage: npm run build && node bench/lint-5mb.mjs [--mb 5] [--out FILE (write the dump only)]
import { mkdtempSync, writeFileSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

if (process.argv[2] === '--child') {
  // Measured process: lint the file once, report time and peak RSS.
  const file = process.argv[3];
  const { lintText } = await import(join(root, 'dist/src/analysis/lint/lint.js'));
  const { formatJson } = await import(join(root, 'dist/src/cli/format/json.js'));
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const text = readFileSync(file, 'utf8');
  const diagnostics = lintText(text, file);
  const out = formatJson(diagnostics);
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(c0);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  const counts = {};
  for (const d of diagnostics) counts[d.rule] = (counts[d.rule] ?? 0) + 1;
  process.stdout.write(JSON.stringify({ ms, cpuMs, maxRssMiB: process.resourceUsage().maxRSS / 1024, findings: diagnostics.length, outBytes: out.length, counts }));
  process.exit(0);
}

const mbArg = process.argv.indexOf('--mb');
const targetBytes = (mbArg > 0 ? Number(process.argv[mbArg + 1]) : 5) * 1024 * 1024;

/** A realistic dump: listeners with RDS, route configs with many vhosts and routes, EDS and STATIC clusters. */
function generate(nRouteConfigs) {
  const clusters = [];
  const routeConfigs = [];
  const listeners = [];
  const nClusters = 400;
  for (let c = 0; c < nClusters; c++) {
    const eds = c % 2 === 0;
    clusters.push({
      cluster: {
        '@type': 'type.googleapis.com/envoy.config.cluster.v3.Cluster',
        name: `svc-${c}`,
        type: eds ? 'EDS' : 'STRICT_DNS',
        connect_timeout: '1s',
        ...(eds
          ? { eds_cluster_config: { eds_config: { ads: {}, resource_api_version: 'V3' } } }
          : { load_assignment: { cluster_name: `svc-${c}`, endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: `svc-${c}.default.svc`, port_value: 8080 } } } }] }] } }),
        circuit_breakers: { thresholds: [{ max_connections: 1000, max_pending_requests: 1000, max_requests: 1000, max_retries: 3 }] },
        outlier_detection: { consecutive_5xx: 5, interval: '10s', base_ejection_time: '30s', max_ejection_percent: 50 },
      },
      last_updated: '2026-01-01T00:00:00Z',
    });
  }
  for (let rc = 0; rc < nRouteConfigs; rc++) {
    const vhosts = [];
    for (let v = 0; v < 8; v++) {
      const routes = [];
      for (let r = 0; r < 25; r++) {
        const cluster = `svc-${(rc * 500 + v * 25 + r) % nClusters}`;
        routes.push({
          name: `r-${rc}-${v}-${r}`,
          match: r % 5 === 0
            ? { safe_regex: { regex: `^/api/v${r}/items/[0-9]+$` }, headers: [{ name: 'x-tenant', string_match: { exact: `t${r}` } }] }
            : { prefix: `/svc${v}/p${r}/`, ...(r % 3 === 0 ? { query_parameters: [{ name: 'debug', present_match: true }] } : {}) },
          route: {
            cluster,
            timeout: '15s',
            retry_policy: { retry_on: '5xx,reset,connect-failure', num_retries: 2, per_try_timeout: '3s' },
            ...(r % 7 === 0 ? { request_mirror_policies: [{ cluster: `svc-${(r + 1) % nClusters}`, runtime_fraction: { default_value: { numerator: 10 } } }] } : {}),
          },
          request_headers_to_add: [{ header: { key: 'x-route', value: `r-${r}` }, append_action: 'OVERWRITE_IF_EXISTS_OR_ADD' }],
        });
      }
      routes.push({ match: { prefix: '/' }, route: { cluster: `svc-${v % nClusters}` } });
      // A few real findings per route configuration, so positions and dump paths get resolved:
      // a route shadowed by the catch-all, and (once per route configuration) a missing cluster.
      routes.push({ match: { prefix: '/late' }, route: { cluster: v === 0 ? `missing-${rc}` : `svc-${v}` } });
      vhosts.push({ name: `vh-${rc}-${v}`, domains: [`host${v}.rc${rc}.example.com`, `*.host${v}.rc${rc}.example.com`], routes });
    }
    vhosts.push({ name: `default-${rc}`, domains: ['*'], routes: [{ match: { prefix: '/' }, direct_response: { status: 404 } }] });
    const entry = { version_info: '1', route_config: { '@type': 'type.googleapis.com/envoy.config.route.v3.RouteConfiguration', name: `routes-${rc}`, virtual_hosts: vhosts }, last_updated: '2026-01-01T00:00:00Z' };
    routeConfigs.push(entry);
    listeners.push({
      name: `listener-${rc}`,
      active_state: {
        version_info: '1',
        listener: {
          '@type': 'type.googleapis.com/envoy.config.listener.v3.Listener',
          name: `listener-${rc}`,
          address: { socket_address: { address: '0.0.0.0', port_value: 10000 + rc } },
          filter_chains: [{ filters: [{ name: 'envoy.filters.network.http_connection_manager', typed_config: {
            '@type': 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager',
            stat_prefix: `ingress_${rc}`, use_remote_address: true, normalize_path: true, merge_slashes: true,
            common_http_protocol_options: { headers_with_underscores_action: 'REJECT_REQUEST' },
            rds: { config_source: { ads: {}, resource_api_version: 'V3' }, route_config_name: `routes-${rc}` },
            http_filters: [{ name: 'envoy.filters.http.router', typed_config: { '@type': 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router' } }],
          } }] }],
        },
        last_updated: '2026-01-01T00:00:00Z',
      },
    });
  }
  return {
    configs: [
      { '@type': 'type.googleapis.com/envoy.admin.v3.ListenersConfigDump', version_info: '1', dynamic_listeners: listeners },
      { '@type': 'type.googleapis.com/envoy.admin.v3.ClustersConfigDump', version_info: '1', dynamic_active_clusters: clusters },
      { '@type': 'type.googleapis.com/envoy.admin.v3.RoutesConfigDump', dynamic_route_configs: routeConfigs },
    ],
  };
}

/** The dump text closest to `target` bytes from above (route configurations are added until it is reached). */
function dumpText(target) {
  let n = 4;
  let text = JSON.stringify(generate(n), null, 1);
  n = Math.max(1, Math.round((n * target) / text.length));
  text = JSON.stringify(generate(n), null, 1);
  while (text.length < target) text = JSON.stringify(generate(++n), null, 1);
  return text;
}

const outArg = process.argv.indexOf('--out');
if (outArg > 0) {
  // Only write the generated dump (for profiling by hand).
  writeFileSync(process.argv[outArg + 1], dumpText(targetBytes));
  process.exit(0);
}

const dir = mkdtempSync(join(tmpdir(), 'tsproxy-lint-bench-'));
try {
  const file = join(dir, 'config_dump.json');
  const text = dumpText(targetBytes);
  writeFileSync(file, text);
  const mib = (text.length / 1024 / 1024).toFixed(2);
  const runs = [];
  for (let i = 0; i < 3; i++) {
    const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--child', file], { encoding: 'utf8', maxBuffer: 64 << 20 });
    if (r.status !== 0) throw new Error(r.stderr);
    runs.push(JSON.parse(r.stdout));
  }
  const t1 = performance.now();
  const cli = spawnSync(process.execPath, [join(root, 'bin/tsproxy.js'), 'lint', '--format', 'json', file], { encoding: 'utf8', maxBuffer: 256 << 20 });
  const cliMs = performance.now() - t1;
  const best = runs.reduce((a, b) => (a.ms < b.ms ? a : b));
  console.log(`config dump: ${mib} MiB, ${runs[0].findings} findings ${JSON.stringify(runs[0].counts)}`);
  console.log(`lint in-process (load + rules + json): best ${best.ms.toFixed(0)} ms wall of ${runs.map((r) => r.ms.toFixed(0)).join('/')} ms (CPU ${runs.map((r) => r.cpuMs.toFixed(0)).join('/')} ms); peak RSS ${Math.max(...runs.map((r) => r.maxRssMiB)).toFixed(0)} MiB`);
  console.log(`tsproxy lint --format json (whole command, node start included): ${cliMs.toFixed(0)} ms, exit ${cli.status}${cli.status !== null && cli.status > 1 ? ` (${cli.stderr.trim().slice(0, 200)})` : ''}`);
  console.log(`targets: < 2000 ms, < 300 MiB`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
