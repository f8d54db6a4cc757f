// `match` classifies HTTP filters with serve's registry, loaded only when a filter other than
// the router is present (filter_support.ts): the answers must be the registry's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from './run_cli.js';

test('match: fault runs, ext_authz does not (the runtime registry is consulted lazily)', () => {
  const r = runCli(['match', '-c', 'fixtures/explain/bootstrap.yaml', '--port', '10000', '--host', 'api.example.com', '--path', '/api/v1/x', '--json']);
  assert.equal(r.status, 0, r.stderr);
  const filters = (JSON.parse(r.stdout) as { http_filters: { name: string; supported: boolean }[] }).http_filters;
  assert.deepEqual(filters.map((f) => [f.name, f.supported]), [
    ['envoy.filters.http.ext_authz', false],
    ['envoy.filters.http.fault', true],
    ['envoy.filters.http.router', true],
  ]);
});
