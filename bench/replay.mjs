// Throughput of `tsproxy replay` (`npm run build` first): generates an access log in Envoy's
// default format (--lines N, default 1,000,000) for a 1,000-route config, then times the whole
// `tsproxy replay` process on it (and with --against, which routes every line twice) and
// prints lines per minute. The log is streamed by replay; this script writes it once to a
// temporary directory. A script, not a test.
// usage: node bench/replay.mjs [--lines N] [--keep]
import { spawnSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : undefined);
const lines = Number(arg('--lines')) || 1_000_000;

/** A Bootstrap with one listener, 10 vhosts of 100 mixed routes each, and their clusters. */
function makeConfig(variant) {
  const vhosts = [];
  for (let h = 0; h < 10; h++) {
    const routes = [];
    for (let r = 0; r < 100; r++) {
      const i = h * 100 + r;
      const kind = i % 4;
      const match =
        kind === 0 ? { prefix: `/svc${i}/` } :
        kind === 1 ? { path: `/exact/${i}` } :
        kind === 2 ? { safe_regex: { regex: `/re${i}/[0-9]+` } } :
        { prefix: `/hdr${i}`, headers: [{ name: 'user-agent', string_match: { prefix: 'curl' } }] };
      // The "after" variant moves every 10th route to another cluster.
      const cluster = variant === 'after' && i % 10 === 0 ? `c${(i + 1) % 50}` : `c${i % 50}`;
      routes.push({ name: `r${i}`, match, route: { cluster } });
    }
    routes.push({ name: `default${h}`, match: { prefix: '/' }, route: { cluster: 'c0' } });
    vhosts.push({ name: `vh${h}`, domains: [`host${h}.example.com`], routes });
  }
  const hcm = {
    '@type': 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager',
    stat_prefix: 'ingress',
    route_config: { name: 'bench', virtual_hosts: vhosts },
    http_filters: [{ name: 'envoy.filters.http.router', typed_config: { '@type': 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router' } }],
  };
  const clusters = Array.from({ length: 50 }, (_, c) => ({
    name: `c${c}`,
    load_assignment: { cluster_name: `c${c}`, endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: '10.0.0.1', port_value: 80 } } } }] }] },
  }));
  return {
    static_resources: {
      listeners: [{ name: 'ingress', address: { socket_address: { address: '0.0.0.0', port_value: 8080 } }, filter_chains: [{ filters: [{ name: 'envoy.filters.network.http_connection_manager', typed_config: hcm }] }] }],
      clusters,
    },
  };
}

/** Line i: a request for one of the routes (or a miss), in Envoy's default format. */
function logLine(i) {
  const r = (i * 7919) % 1100;
  const host = r >= 1000 ? 'nowhere.example.org' : `host${Math.floor(r / 100)}.example.com`;
  const k = r % 4;
  const path = k === 0 ? `/svc${r}/items?page=${i % 7}` : k === 1 ? `/exact/${r}` : k === 2 ? `/re${r}/${i % 1000}` : `/hdr${r}`;
  const ua = i % 3 === 0 ? 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36' : 'curl/8.5.0';
  const status = r >= 1000 ? 404 : 200;
  return `[2026-12-01T10:${String(Math.floor(i / 60000) % 60).padStart(2, '0')}:00.000Z] "GET ${path} HTTP/1.1" ${status} ${status === 404 ? 'NR' : '-'} 0 ${100 + (i % 900)} ${i % 50} ${i % 40} "203.0.113.${i % 250}" "${ua}" "req-${i}" "${host}" "10.0.0.1:80"\n`;
}

const dir = mkdtempSync(join(tmpdir(), 'tsproxy-replay-bench-'));
const after = join(dir, 'after.yaml');
const before = join(dir, 'before.yaml');
writeFileSync(after, stringify(makeConfig('after')));
writeFileSync(before, stringify(makeConfig('before')));
const log = join(dir, 'access.log');
await new Promise((done, fail) => {
  const out = createWriteStream(log);
  out.on('error', fail);
  let i = 0;
  const write = () => {
    let ok = true;
    while (i < lines && ok) {
      let chunk = '';
      for (let j = 0; j < 1000 && i < lines; j++, i++) chunk += logLine(i);
      ok = out.write(chunk);
    }
    if (i < lines) out.once('drain', write);
    else out.end(done);
  };
  write();
});
console.log(`log: ${lines.toLocaleString('en')} lines, ${(statSync(log).size / 2 ** 20).toFixed(0)} MiB; config: 1,010 routes in 10 virtual hosts`);

for (const [label, extra] of [['replay', []], ['replay --against', ['--against', before]]]) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [join(root, 'bin', 'tsproxy.js'), 'replay', '-c', after, ...extra, '--json', log], { encoding: 'utf8', maxBuffer: 1 << 28 });
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0 && r.status !== 1) throw new Error(`replay failed (${r.status}): ${r.stderr}`);
  const rep = JSON.parse(r.stdout);
  const perMin = (rep.lines.total / secs) * 60;
  console.log(`${label.padEnd(18)} ${secs.toFixed(2)} s whole process: ${Math.round(perMin).toLocaleString('en')} lines/minute (${rep.requests.routed.toLocaleString('en')} routed, ${rep.requests.no_route.toLocaleString('en')} 404 NR${rep.changed !== null ? `, ${rep.changed.toLocaleString('en')} changed` : ''})`);
}
if (!process.argv.includes('--keep')) rmSync(dir, { recursive: true, force: true });
else console.log(`kept ${dir}`);
