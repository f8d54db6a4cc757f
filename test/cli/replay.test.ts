// `tsproxy replay` through the real CLI: fixture logs with known answers (fixtures/replay/), a
// generated log whose expected counts come from its generator, JSON lines, the Istio format,
// gzip and stdin, and the error exits.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { ROOT, runCli } from './run_cli.js';
import type { ReplayReport } from '../../src/analysis/replay/report_types.js';

const AFTER = 'fixtures/replay/after.yaml';
const BEFORE = 'fixtures/replay/before.yaml';
const LOG = 'fixtures/replay/access.log';

function replayJson(args: string[], status = 0): ReplayReport {
  const r = runCli(['replay', ...args, '--json']);
  assert.equal(r.status, status, r.stderr);
  return JSON.parse(r.stdout) as ReplayReport;
}

const hits = (rep: ReplayReport) => Object.fromEntries(rep.routes.map((r) => [r.label, r.hits]));

test('fixture log: hits per route and vhost, never hit, now 404/503, changes against the old config', () => {
  const rep = replayJson(['-c', AFTER, '--against', BEFORE, LOG], 1);
  assert.deepEqual(rep.lines, { total: 12, parsed: 11, unparsed: 1, unparsed_examples: [{ file: LOG, line: 11, text: 'this line is not an access log line' }] });
  assert.deepEqual(rep.requests, { total: 11, routed: 8, no_route: 3, failing: 5, unrouted: 0 });
  // /legacy and /t/acme/home (the log has no x-tenant) and / fall to the catch-all.
  assert.deepEqual(hits(rep), { catchall: 3, cart: 2, static: 2, 'api-v1': 1 });
  assert.deepEqual(rep.virtual_hosts.map((v) => [v.name, v.hits]), [['shop', 8]]);
  assert.deepEqual(rep.never_hit.map((r) => `${r.label}@${r.position?.line}`), ['beta@35', 'tenant@38']);
  assert.deepEqual(rep.headers_not_logged, ['x-tenant']);
  assert.deepEqual(
    rep.failures.map((f) => [f.status, f.response_flag, f.details, f.summary, f.count, f.newly_failing, f.examples.map((e) => e.line)]),
    [
      [404, 'NR', 'route_not_found', 'no virtual host matches the Host', 3, 1, [9, 10, 12]],
      [503, 'NC', 'cluster_not_found', 'cluster "static_v2" is not defined in this config', 2, 2, [5, 6]],
    ],
  );
  assert.equal(rep.changed, 5);
  assert.deepEqual(
    rep.changes?.map((c) => [c.count, c.before, c.after, c.examples.map((e) => e.line)]),
    [
      [2, 'forward to "static" via route static of shop', '503 NC: "static_v2" via route static of shop', [5, 6]],
      [1, 'forward to "api" via route api-v1 of shop', 'forward to "api" via route api-v1 of shop, with another upstream path or host', [3]],
      [1, 'forward to "legacy" via route legacy of shop', 'forward to "web" via route catchall of shop', [4]],
      [1, 'forward to "admin" via route admin of admin', '404 NR: no virtual host matches the Host', [9]],
    ],
  );
  const api = rep.changes?.[1]?.examples[0];
  assert.equal(api?.before, 'forward to "api" as shop.example.com/users (route api-v1 of shop)');
  assert.equal(api?.outcome, 'forward to "api" as shop.example.com/v1/users (route api-v1 of shop)');
});

test('text report: the sections a user reads, exit 0 without --against', () => {
  const r = runCli(['replay', '-c', AFTER, LOG]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^replayed {2}11 of 12 lines against fixtures\/replay\/after\.yaml\n/);
  assert.match(r.stdout, /1 lines do not have the log format/);
  assert.match(r.stdout, /\nroutes \(hits\)\n {2}3 {2}shop_routes \/ shop \/ catchall {2}fixtures\/replay\/after\.yaml:43:17\n/);
  assert.match(r.stdout, /\nnever hit \(2 routes\)\n.*beta.*\n.*tenant/);
  assert.match(r.stdout, /2 {2}503 NC cluster_not_found: cluster "static_v2" is not defined in this config \(2 logged with another status\)\n {6}fixtures\/replay\/access\.log:5 GET shop\.example\.com\/static\/app\.css \(logged 200\)/);
  assert.match(r.stdout, /replayed as absent\): x-tenant/);
  assert.doesNotMatch(r.stdout, /\nchanged /);
});

test('a generated log: counts follow the generator, over several files (plain, JSON lines, gzip)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsproxy-replay-test-'));
  try {
    // Request kinds and what after.yaml does with each.
    const kinds = [
      { host: 'shop.example.com', path: (i: number) => `/cart/${i}`, route: 'cart' },
      { host: 'shop.example.com', path: (i: number) => `/api/v1/u/${i}?q=${i}`, route: 'api-v1' },
      { host: 'shop.example.com', path: (i: number) => `/static/f${i}.js`, route: 'static', fails: '503 NC' },
      { host: 'shop.example.com', path: (i: number) => `/beta/${i}`, route: 'beta' },
      { host: 'admin.example.com', path: (i: number) => `/x/${i}`, fails: '404 NR' },
      { host: 'shop.example.com', path: (i: number) => `/other/${i}`, route: 'catchall' },
    ];
    const want: Record<string, number> = {};
    const fails: Record<string, number> = {};
    const text: string[] = [];
    const json: string[] = [];
    const N = 3000;
    for (let i = 0; i < N; i++) {
      const k = kinds[(i * 7) % kinds.length]!;
      if (k.route) want[k.route] = (want[k.route] ?? 0) + 1;
      if (k.fails) fails[k.fails] = (fails[k.fails] ?? 0) + 1;
      if (i % 3 === 0) {
        json.push(JSON.stringify({ start_time: '2026-12-01T10:00:00.000Z', method: 'GET', path: k.path(i), protocol: 'HTTP/1.1', response_code: 200, authority: k.host }));
      } else {
        text.push(`[2026-12-01T10:00:00.000Z] "GET ${k.path(i)} HTTP/1.1" 200 - 0 1 1 1 "-" "curl/8" "r${i}" "${k.host}" "10.0.0.1:80"`);
      }
    }
    const half = Math.floor(text.length / 2);
    writeFileSync(join(dir, 'a.log'), text.slice(0, half).join('\n') + '\n');
    writeFileSync(join(dir, 'b.log.gz'), gzipSync(text.slice(half).join('\r\n')));
    writeFileSync(join(dir, 'c.json'), json.join('\n') + '\n');
    const rep = replayJson(['-c', AFTER, join(dir, 'a.log'), join(dir, 'b.log.gz'), join(dir, 'c.json')]);
    assert.equal(rep.lines.total, N);
    assert.equal(rep.lines.parsed, N);
    assert.deepEqual(hits(rep), Object.fromEntries(Object.entries(want).sort((a, b) => b[1] - a[1])));
    assert.deepEqual(Object.fromEntries(rep.failures.map((f) => [`${f.status} ${f.response_flag}`, f.count])), fails);
    assert.deepEqual(rep.never_hit.map((r) => r.label), ['tenant']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('Istio format: the log names route and cluster; disagreements with the config are listed', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsproxy-replay-test-'));
  try {
    const line = (path: string, cluster: string, route: string) =>
      `[2026-12-01T10:00:00.000Z] "GET ${path} HTTP/1.1" 200 - via_upstream - "-" 0 10 1 1 "-" "curl/8" "r" "shop.example.com" "10.0.0.3:80" ${cluster} 10.1.0.1:40000 10.1.0.2:8080 10.2.0.1:50000 - ${route}`;
    writeFileSync(join(dir, 'istio.log'), [line('/legacy', 'legacy', 'legacy'), line('/cart/1', 'cart', 'cart')].join('\n'));
    const rep = replayJson(['-c', AFTER, '--format', 'istio', join(dir, 'istio.log')]);
    assert.equal(rep.lines.parsed, 2);
    assert.equal(rep.log_disagreements.count, 1);
    assert.equal(rep.log_disagreements.examples[0]?.logged, 'route legacy');
    assert.equal(rep.log_disagreements.examples[0]?.outcome, 'forward to "web" as shop.example.com/legacy (route catchall of shop)');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a custom --format and stdin (-)', () => {
  const r = spawnSync(process.execPath, ['bin/tsproxy.js', 'replay', '-c', AFTER, '--format', '%REQ(:METHOD)% %REQ(:AUTHORITY)%%REQ(:PATH)% %REQ(X-TENANT)%', '--json', '-'], {
    cwd: ROOT,
    encoding: 'utf8',
    input: 'GET shop.example.com/t/1 acme\nGET shop.example.com/t/2 -\n',
    env: { ...process.env, NO_COLOR: '1' },
  });
  assert.equal(r.status, 0, r.stderr);
  const rep = JSON.parse(r.stdout) as ReplayReport;
  // The format carries x-tenant: the tenant route is hit, and nothing is reported as not logged.
  assert.deepEqual(hits(rep), { tenant: 1, catchall: 1 });
  assert.deepEqual(rep.headers_not_logged, []);
  assert.equal(rep.lines.unparsed_examples.length, 0);
});

test('errors exit 2: missing log, bad format, config errors, no line in the format', () => {
  const missing = runCli(['replay', '-c', AFTER, 'fixtures/replay/nope.log']);
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /cannot read fixtures\/replay\/nope\.log: no such file/);
  const bad = runCli(['replay', '-c', AFTER, '--format', '%REQ(:METHOD)%', LOG]);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /does not log the path/);
  const cfg = runCli(['replay', '-c', 'fixtures/explain/bad.yaml', LOG]);
  assert.equal(cfg.status, 2);
  assert.match(cfg.stderr, /the config has errors/);
  const shape = runCli(['replay', '-c', AFTER, '--format', 'method=%REQ(:METHOD)% path=%REQ(:PATH)%', LOG]);
  assert.equal(shape.status, 2);
  assert.match(shape.stderr, /no line has the log format/);
});
