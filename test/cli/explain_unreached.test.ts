// explain on a safe_regex that matches only part of the path (it must match the whole path,
// query excluded), and on a request a broad route takes while later routes would match it too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from './run_cli.js';
import type { ExplainReport } from '../../src/analysis/explain/report_types.js';

const F = 'fixtures/explain/broad_routes.yaml';
const explain = (path: string, ...more: string[]) => runCli(['explain', '-c', F, '--host', 'x', '--path', path, ...more]);
const json = (path: string, ...more: string[]) => JSON.parse(explain(path, ...more, '--json').stdout) as ExplainReport;

test('a safe_regex matching a part of the path: the whole path is needed, the part it matched is shown', () => {
  const r = json('/orders/42/items');
  assert.equal(r.route?.name, 'catch-all');
  const nm = r.near_misses.find((n) => n.kind === 'regex_partial');
  assert.ok(nm, JSON.stringify(r.near_misses));
  assert.equal(nm.message, 'route "order-by-id": safe_regex "/orders/[0-9]+" must match the whole path (query excluded) but matches only "/orders/42" of "/orders/42/items" (at its start); extend the regex (e.g. ".*" at the end) if this route should take such paths');
  assert.deepEqual(nm.position, { file: F, line: 9, col: 26 });
  const mid = json('/v1/orders/7');
  assert.match(mid.near_misses.find((n) => n.kind === 'regex_partial')!.message, /matches only "\/orders\/7" of "\/v1\/orders\/7" \(at its end\)/);
  // The full path matches: no near miss.
  assert.equal(json('/orders/42').near_misses.length, 0);
  assert.match(explain('/orders/42/items').stdout, /Near misses\n {3}- route "order-by-id": safe_regex "\/orders\/\[0-9\]\+" must match the whole path \(query excluded\) but matches only "\/orders\/42"/);
});

test('a safe_regex written for the query string: the query is not part of the path it sees', () => {
  const r = json('/search?q=shoes');
  assert.equal(r.route?.name, 'catch-all');
  const nm = r.near_misses.find((n) => n.kind === 'regex_partial');
  assert.match(nm!.message, /safe_regex "\/search\\\\\?q=\.\*" matches "\/search\?q=shoes" only with the query string, which is not part of the path it must match \("\/search"\); match the query with query_parameters/);
});

test('a broad route takes the request: the later routes that would match are named as never reached, with positions', () => {
  const r = json('/api/v2/users');
  assert.equal(r.route?.name, 'api-all');
  assert.deepEqual(r.unreached_routes.map((u) => [u.name, u.reason, u.position && `${u.position.line}:${u.position.col}`]), [
    ['api-v2', 'matched prefix "/api/v2"', '17:5'],
    ['api-v2-users', 'matched path "/api/v2/users"', '20:5'],
    ['catch-all', 'matched prefix "/"', '26:5'],
  ]);
  // The header route matches only with its header.
  assert.deepEqual(json('/api/v2/users', '-H', 'x-beta: 1').unreached_routes.map((u) => u.name), ['api-v2', 'api-v2-users', 'api-v2-beta', 'catch-all']);
  const text = explain('/api/v2/users').stdout;
  assert.match(text, /Never reached for this request\n {3}route "api-all" fixtures\/explain\/broad_routes\.yaml:14:5 takes it first; these later routes would also match it:\n {3}- route "api-v2" fixtures\/explain\/broad_routes\.yaml:17:5: matched prefix "\/api\/v2"\n/);
  // The last route leaves nothing unreached; match's JSON does not carry the field.
  assert.deepEqual(json('/other').unreached_routes, []);
  const m = JSON.parse(runCli(['match', '-c', F, '--host', 'x', '--path', '/api/v2/users', '--json']).stdout) as Record<string, unknown>;
  assert.equal('unreached_routes' in m, false);
});
