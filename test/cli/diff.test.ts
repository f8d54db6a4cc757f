// `tsproxy diff` through the real CLI on config pairs with known answers (fixtures/diff/,
// fixtures/replay/): the structural diff with positions, the requests that route differently,
// and the CI exit codes (1 routing changed, 0 none, 2 errors).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from './run_cli.js';
import type { DiffReport } from '../../src/analysis/diff/diff.js';

function diffJson(a: string, b: string, status: number): DiffReport {
  const r = runCli(['diff', a, b, '--json']);
  assert.equal(r.status, status, r.stderr);
  return JSON.parse(r.stdout) as DiffReport;
}

const at = (p: { file: string; line: number } | null) => (p ? `${p.file.replace(/^fixtures\/\w+\//, '')}:${p.line}` : null);

test('routes reordered, matchers and weights changed, require_tls added: exit 1 with each changed request', () => {
  const rep = diffJson('fixtures/diff/routes_old.yaml', 'fixtures/diff/routes_new.yaml', 1);
  const s = rep.structure;
  assert.deepEqual(s.virtual_hosts.changed.map((c) => [c.key, c.fields, at(c.old_position), at(c.new_position)]), [['edge/www', ['require_tls'], 'routes_old.yaml:28', 'routes_new.yaml:33']]);
  assert.deepEqual(s.routes.changed.map((c) => [c.key, c.fields]), [
    ['edge/api/canary', ['match.headers']],
    ['edge/api/api', ['route.weighted_clusters']],
    ['edge/www/site', ['route.timeout']],
  ]);
  // Only admin moved (the others kept their relative order).
  assert.deepEqual(s.routes.moved.map((m) => [m.key, m.old_index, m.new_index, at(m.new_position)]), [['edge/api/admin', 0, 2, 'routes_new.yaml:24']]);
  assert.deepEqual([s.routes.added, s.routes.removed, s.clusters.changed, s.listeners.changed], [[], [], [], []]);
  assert.equal(rep.routing.requests, 8);
  assert.deepEqual(
    rep.routing.changes.map((c) => [c.request.method, c.request.authority, c.request.path, c.request.headers['x-canary'] ?? null, c.derived_from, c.variant, c.after]),
    [
      ['GET', 'api.example.com', '/api/admin', null, 'old:edge/api/admin', 'matching', 'forward to weighted api_blue=50 api_green=50 as api.example.com/api/admin (route api of api)'],
      ['GET', 'api.example.com', '/api/', 'true', 'old:edge/api/canary', 'matching', 'forward to weighted api_blue=50 api_green=50 as api.example.com/api/ (route api of api)'],
      ['GET', 'api.example.com', '/api/', null, 'old:edge/api/canary', 'without headers', 'forward to weighted api_blue=50 api_green=50 as api.example.com/api/ (route api of api)'],
      ['GET', 'diff-probe.example.com', '/', null, 'old:edge/www/site', 'matching', 'redirect 301 to https://diff-probe.example.com/'],
      ['GET', 'api.example.com', '/api/', 'yes', 'new:edge/api/canary', 'matching', 'forward to "api_canary" as api.example.com/api/ (route canary of api)'],
    ],
  );
  assert.equal(rep.routing_changed, true);
});

test('text output: sections with positions, the changed requests with before and after', () => {
  const r = runCli(['diff', 'fixtures/replay/before.yaml', 'fixtures/replay/after.yaml']);
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stdout, /^route configurations\n {2}~ shop_routes: validate_clusters {2}fixtures\/replay\/before\.yaml:14:13 -> fixtures\/replay\/after\.yaml:20:13\n/);
  assert.match(r.stdout, /\nvirtual hosts\n {2}- shop_routes\/admin {2}fixtures\/replay\/before\.yaml:39:15\n/);
  assert.match(r.stdout, /\n {2}\+ shop_routes\/shop\/beta {2}fixtures\/replay\/after\.yaml:35:17\n/);
  assert.match(r.stdout, /\n {2}~ shop_routes\/shop\/api-v1: route\.prefix_rewrite /);
  assert.match(r.stdout, /\nclusters\n {2}- legacy {2}fixtures\/replay\/before\.yaml:52:5\n {2}~ static: load_assignment\.endpoints /);
  assert.match(r.stdout, /\nrouting 4 of 9 requests derived from the routes route differently\n/);
  assert.match(r.stdout, / {2}GET http:\/\/shop\.example\.com\/static\/a\.css \(port 8080\)\n {4}from old:shop_routes\/shop\/static\n {4}before: forward to "static" as shop\.example\.com\/static\/a\.css \(route static of shop\)\n {4}after: {2}503 NC: cluster "static_v2" is not defined in this config \(route static of shop\)\n/);
  // The listener only differs by its inline route configuration: not reported as a listener change.
  assert.doesNotMatch(r.stdout, /^listeners/m);
});

test('the same config written differently: structural change only, exit 0', () => {
  const rep = diffJson('fixtures/diff/cosmetic_old.yaml', 'fixtures/diff/cosmetic_new.json', 0);
  assert.deepEqual(rep.structure.clusters.changed.map((c) => [c.key, c.fields]), [['web', ['connect_timeout']]]);
  assert.deepEqual([rep.structure.listeners, rep.structure.routes.changed, rep.structure.routes.moved], [{ added: [], removed: [], changed: [] }, [], []]);
  assert.equal(rep.routing.changed, 0);
  assert.equal(rep.routing_changed, false);
  const same = runCli(['diff', 'fixtures/diff/routes_new.yaml', 'fixtures/diff/routes_new.yaml']);
  assert.equal(same.status, 0);
  assert.match(same.stdout, /^no listener, route configuration, virtual host, route or cluster changed\n\nrouting no change over \d+ requests derived from the routes\n/);
});

test('errors exit 2', () => {
  const missing = runCli(['diff', 'fixtures/diff/nope.yaml', 'fixtures/diff/routes_new.yaml']);
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /cannot read fixtures\/diff\/nope\.yaml: no such file/);
  const bad = runCli(['diff', 'fixtures/diff/routes_old.yaml', 'fixtures/explain/bad.yaml']);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /fixtures\/explain\/bad\.yaml: the config has errors/);
  assert.equal(runCli(['diff', 'fixtures/diff/routes_old.yaml']).status, 2);
});
