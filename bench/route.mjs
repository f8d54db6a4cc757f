// Benchmark of the pure routing core (`npm run build` first): route() on ONE virtual host of 10,
// 1,000, 10,000 and 100,000 routes mixing prefix, exact path, regex and header-keyed routes,
// with the route index (route_index.ts, the default) and with the reference linear scan; then
// the cold start of `tsproxy match` on a 1,000-route config. A script, not a test.
// The index's goal: the LAST route of a 10,000-route vhost within 3x of the FIRST route of a
// 10-route one (printed at the end of the table).
// usage: node bench/route.mjs [--iterations N] [--diff N] [--no-cold]
//   --diff N   also run the index-vs-scan differential over N generated requests (1000000 for
//              the full run; the unit test runs 50,000), on tables mixing every matcher kind.
import { compileRouteConfig, route } from '../dist/src/core/route.js';
import { spawnSync } from 'node:child_process';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : undefined);
const iterations = Number(arg('--iterations')) || 200_000;
const diffRequests = Number(arg('--diff')) || 0;

/** Route i of the mixed vhost: four matcher kinds in turn. */
function mixedRoute(i) {
  const kind = i % 4;
  const match =
    kind === 0 ? { prefix: `/svc${i}/` } :
    kind === 1 ? { path: `/exact/${i}` } :
    kind === 2 ? { safe_regex: { regex: `/re${i}/[0-9]+` } } :
    { prefix: `/hdr${i}`, headers: [{ name: 'x-tenant', string_match: { exact: `t${i}` } }] };
  return { name: `r${i}`, match, route: { cluster: `c${i % 50}` } };
}

/** A request that hits route i (and no earlier one). */
function requestFor(i) {
  const kind = i % 4;
  const path = kind === 0 ? `/svc${i}/x?q=1` : kind === 1 ? `/exact/${i}` : kind === 2 ? `/re${i}/42` : `/hdr${i}`;
  return req('www.example.com', path, kind === 3 ? { 'x-tenant': `t${i}` } : {});
}

/** One vhost with n routes, plus a catch-all vhost. */
function makeConfig(n) {
  return {
    name: 'bench',
    virtual_hosts: [
      { name: 'big', domains: ['www.example.com', '*.example.com'], routes: Array.from({ length: n }, (_, i) => mixedRoute(i)) },
      { name: 'default', domains: ['*'], routes: [{ match: { prefix: '/' }, route: { cluster: 'fallback' } }] },
    ],
  };
}

function req(authority, path, headers = {}) {
  return { authority, path, method: 'GET', scheme: 'http', headers };
}

/** ns per call: the median of 7 rounds after a warm-up (the machine is shared: one round can be unlucky). */
function timeIt(fn, n) {
  for (let i = 0; i < Math.min(n, 20000); i++) fn(i); // warm up
  const per = Math.max(1, Math.floor(n / 7));
  const rounds = [];
  for (let k = 0; k < 7; k++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < per; i++) fn(i);
    rounds.push(Number(process.hrtime.bigint() - t0) / per);
  }
  rounds.sort((a, b) => a - b);
  return rounds[3];
}

// Each table size is measured in a fresh process (a JIT warmed on one table shape is not the
// JIT a real process has for another).
function measure(n) {
  const rows = [];
  const rc = makeConfig(n);
  for (const mode of ['auto', 'off']) {
    const t0 = process.hrtime.bigint();
    const { table, diagnostics } = compileRouteConfig(rc, { routeIndex: mode });
    const compileMs = Number(process.hrtime.bigint() - t0) / 1e6;
    if (diagnostics.some((d) => d.severity === 'error')) throw new Error(JSON.stringify(diagnostics.slice(0, 3)));
    const indexed = table.virtualHosts[0].routeIndex !== undefined;
    // The last route is header-keyed (i % 4 === 3); the last one of each other kind too.
    const cases = [
      ['first route', 0],
      ['last route', n - 1],
      ['last prefix route', n - 4],
      ['last exact route', n - 3],
      ['last regex route', n - 2],
      ['no route', undefined],
    ];
    for (const [name, want] of cases) {
      if (n === 10 && name.startsWith('last ') && name !== 'last route') continue;
      const r = want === undefined ? req('www.example.com', '/nothing/here') : requestFor(want);
      const d = route(table, r, 0);
      if ((d.kind === 'forward' ? d.route.index : undefined) !== want) throw new Error(`${n} ${mode} ${name}: wrong decision ${d.kind}`);
      // The scan over 100,000 routes is slow: fewer iterations there.
      const its = mode === 'off' && n >= 10000 && name !== 'first route' ? Math.max(200, iterations / (n / 100)) : iterations;
      const t = timeIt((i) => route(table, r, i), its);
      rows.push({ routes: n, impl: mode === 'auto' ? (indexed ? 'index' : 'scan (small)') : 'scan', case: name, 'ns/op': t.toFixed(0), 'compile ms': compileMs.toFixed(1) });
    }
  }
  return rows;
}

const one = arg('--one');
if (one !== undefined) {
  process.stdout.write(JSON.stringify(measure(Number(one))));
  process.exit(0);
}
const rows = [];
for (const n of [10, 1000, 10000, 100000]) {
  const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--one', String(n), '--iterations', String(iterations)], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(r.stderr);
  rows.push(...JSON.parse(r.stdout));
}
console.table(rows);
// The goal, measured in interleaved pairs (A B A B ...: the machine's speed drifts; a pair's
// ratio does not), median of 41 pairs.
{
  const small = compileRouteConfig(makeConfig(10)).table;
  const cases = [['10,000', compileRouteConfig(makeConfig(10000)).table, 9999], ['100,000', compileRouteConfig(makeConfig(100000)).table, 99999]];
  const a = requestFor(0);
  const N = 50_000;
  const run = (t, r) => {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < N; i++) route(t, r, i);
    return Number(process.hrtime.bigint() - t0) / N;
  };
  const med = (x) => [...x].sort((p, q) => p - q)[x.length >> 1];
  for (const [label, big, last] of cases) {
    const b = requestFor(last);
    for (let i = 0; i < 5; i++) { run(small, a); run(big, b); }
    const as = [], bs = [], ratios = [];
    for (let k = 0; k < 41; k++) {
      const x = run(small, a);
      const y = run(big, b);
      as.push(x); bs.push(y); ratios.push(y / x);
    }
    console.log(`last route of a ${label}-route vhost (${med(bs).toFixed(0)} ns) / first route of a 10-route vhost (${med(as).toFixed(0)} ns): ${med(ratios).toFixed(2)}x, paired median (goal: <= 3x at 10,000)`);
  }
}

if (diffRequests > 0) {
  const { rng, genRouteConfig, genRequest, compileBoth, decisionKey } = await import('../dist/test/core/route_index_gen.js');
  const next = rng(7);
  let done = 0;
  let tables = 0;
  const t0 = process.hrtime.bigint();
  while (done < diffRequests) {
    const { indexed, scan } = compileBoth(genRouteConfig(next, 5 + Math.floor(next() * 300)));
    tables++;
    for (let q = 0; q < 2000 && done < diffRequests; q++, done++) {
      const r = genRequest(next);
      const rv = Math.floor(next() * 100);
      const a = decisionKey(route(indexed, r, rv));
      const b = decisionKey(route(scan, r, rv));
      if (a !== b) throw new Error(`index ${a} != scan ${b} for ${JSON.stringify(r)} random ${rv} (table ${tables})`);
    }
  }
  console.log(`differential: index == scan on ${done.toLocaleString('en')} generated requests over ${tables} tables (${(Number(process.hrtime.bigint() - t0) / 1e9).toFixed(1)} s)`);
}

if (!process.argv.includes('--no-cold')) {
  // Cold start: `tsproxy match` on a 1,000-route config, median of 7 runs.
  const dir = mkdtempSync(join(tmpdir(), 'tsproxy-bench-'));
  const file = join(dir, 'routes.yaml');
  writeFileSync(file, stringify(makeConfig(1000)));
  const times = [];
  for (let i = 0; i < 7; i++) {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(process.execPath, [join(root, 'bin', 'tsproxy.js'), 'match', '-c', file, '--host', 'www.example.com', '--path', '/svc900/'], { encoding: 'utf8' });
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
}
