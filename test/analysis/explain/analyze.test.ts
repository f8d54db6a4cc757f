import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../../src/config/load.js';
import { analyze, toMatchReport } from '../../../src/analysis/explain/analyze.js';
import type { RequestInput } from '../../../src/analysis/explain/request.js';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const load = (f: string) => {
  const r = loadConfig(readFileSync(ROOT + f, 'utf8'), f);
  assert.ok(r.config, JSON.stringify(r.diagnostics));
  return r.config;
};
const classify = () => ({ supported: true });
const input = (host: string | undefined, path: string, extra: Partial<RequestInput> = {}): RequestInput => ({
  host,
  path,
  method: 'GET',
  scheme: 'http',
  headers: [],
  randomValue: 0,
  ...extra,
});

test('strip_matching_host_port on the HCM: the port is stripped before routing', () => {
  const config = load('fixtures/explain/bootstrap.yaml');
  const hcm = config.listeners[0]!.filter_chains![1]!.filters![0]!.typed_config as Record<string, unknown>;
  hcm['strip_matching_host_port'] = true;
  const r = analyze(config, input('api.example.com:10000', '/healthz'), { classify });
  assert.ok(r.ok);
  assert.equal(r.report.matched, true);
  assert.equal(r.report.request.authority, 'api.example.com');
  assert.match(r.report.notes.join('\n'), /normalizes the Host .*: Host "api\.example\.com:10000" is routed as "api\.example\.com"/);
  // A different port is kept (strip_matching only strips the listener's own port).
  const other = analyze(config, input('api.example.com:9999', '/healthz'), { classify });
  assert.ok(other.ok);
  assert.equal(other.report.matched, false);
});

test('unknown rds name and --listener on a bare route config are errors, not reports', () => {
  const dump = load('fixtures/explain/config_dump.json');
  dump.routeConfigurations.length = 0;
  const r = analyze(dump, input('reviews', '/'), { classify });
  assert.equal(r.ok, false);
  assert.match(!r.ok ? r.error : '', /route configuration "8080" \(rds\) is not in this config/);
  const bare = analyze(load('fixtures/explain/routes.yaml'), input('x', '/'), { classify, listenerName: 'x' });
  assert.equal(bare.ok, false);
});

test('match report is the explain report without the decision chain', () => {
  const r = analyze(load('fixtures/explain/routes.yaml'), input('www.example.com', '/static/a.css'), { classify });
  assert.ok(r.ok);
  const m = toMatchReport(r.report);
  assert.equal(m.schema, 'tsproxy.match/v1');
  assert.equal('steps' in m, false);
  assert.equal(m.route?.name, 'static');
  assert.equal(m.action.cluster?.name, 'cdn');
  assert.ok(r.report.steps.length >= 2);
});
