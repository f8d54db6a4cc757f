// Benchmark of the pure routing core (`npm run build` first): route() on route tables of
// 10, 1,000 and 10,000 routes, and the cold start of `tsproxy match`. A script, not a test.
// usage: node bench/route.mjs [--iterations N]
import { compileRouteConfig, route } from '../dist/src/core/route.js';
import { spawnSync } from 'node:child_process';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const iterations = Number(process.argv[process.argv.indexOf('--iterations') + 1]) || 200_000;

/** A route config with n routes spread over n/10 vhosts... plus a catch-all vhost. Mixed matchers. */
function makeConfig(n) {
  const perHost = Math.min(n, 100);
  const hosts = Math.max(1, Math.ceil(n / perHost));
  const virtual_hosts = [];
  for (let h = 0; h < hosts; h++) {
    const routes = [];
    for (let r = 0; r < perHost && h * perHost + r < n; r++) {
      const i = h * perHost + r;
      const kind = i % 4;
      const match =
        kind === 0 ? { prefix: `/svc${i}/` } :
        kind === 1 ? { path: `/exact/${i}` } :
        kind === 2 ? { safe_regex: { regex: `/re${i}/[0-9]+` } } :
        { prefix: `/hdr${i}`, headers: [{ name: 'x-tenant', string_match: { exact: `t${i}` } }] };
      routes.push({ name: `r${i}`, match, route: { cluster: `c${i % 50}` } });
    }
    virtual_hosts.push({ name: `vh${h}`, domains: [`host${h}.example.com`, `*.h${h}.example.com`], routes });
  }
  virtual_hosts.push({ name: 'default', domains: ['*'], routes: [{ match: { prefix: '/' }, route: { cluster: 'fallback' } }] });
  return { name: 'bench', virtual_hosts };
}

function req(authority, path, headers = {}) {
  return { authority, path, method: 'GET', scheme: 'http', headers };
}

function timeIt(fn, n) {
  for (let i = 0; i < Math.min(n, 20000); i++) fn(i); // warm up
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) fn(i);
  return Number(process.hrtime.bigint() - t0) / n;
}

const rows = [];
for (const n of [10, 1000, 10000]) {
  const rc = makeConfig(n);
  const t0 = process.hrtime.bigint();
  const { table, diagnostics } = compileRouteConfig(rc);
  const compileMs = Number(process.hrtime.bigint() - t0) / 1e6;
  if (diagnostics.some((d) => d.severity === 'error')) throw new Error(JSON.stringify(diagnostics.slice(0, 3)));
  const perHost = Math.min(n, 100);
  const lastHost = Math.max(0, Math.ceil(n / perHost) - 1);
  const last = n - 1; // kind of the last route
  const cases = {
    'first route': req('host0.example.com', '/svc0/x?q=1'),
    'last route': req(`host${lastHost}.example.com`, last % 4 === 3 ? `/hdr${last}` : last % 4 === 1 ? `/exact/${last}` : last % 4 === 2 ? `/re${last}/42` : `/svc${last}/`, { 'x-tenant': `t${last}` }),
    'wildcard vhost': req(`a.h${lastHost}.example.com`, '/nothing-here'),
    'catch-all vhost': req('unknown.example.org', '/x'),
  };
  for (const [name, r] of Object.entries(cases)) {
    const d = route(table, r, 0);
    const ns = timeIt((i) => route(table, r, i), n >= 10000 && name === 'last route' ? iterations / 4 : iterations);
    rows.push({ routes: n, case: name, decision: d.kind + (d.kind === 'forward' ? `:${d.cluster}` : ''), 'ns/op': ns.toFixed(0), 'compile ms': compileMs.toFixed(1) });
  }
}
console.table(rows);

// Cold start: `tsproxy match` on a 1,000-route config, median of 7 runs.
const dir = mkdtempSync(join(tmpdir(), 'tsproxy-bench-'));
const file = join(dir, 'routes.yaml');
writeFileSync(file, stringify(makeConfig(1000)));
const times = [];
for (let i = 0; i < 7; i++) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [join(root, 'bin', 'tsproxy.js'), 'match', '-c', file, '--host', 'host9.example.com', '--path', '/svc900/'], { encoding: 'utf8' });
  times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  if (r.status !== 0) console.error(r.stdout, r.stderr);
}
times.sort((a, b) => a - b);
const bare = [];
for (let i = 0; i < 5; i++) {
  const t0 = process.hrtime.bigint();
  spawnSync(process.execPath, ['-e', '0']);
  bare.push(Number(process.hrtime.bigint() - t0) / 1e6);
}
bare.sort((a, b) => a - b);
console.log(`tsproxy match cold start (1,000 routes): median ${times[3].toFixed(0)} ms (min ${times[0].toFixed(0)}); bare \`node -e 0\`: ${bare[2].toFixed(0)} ms`);
