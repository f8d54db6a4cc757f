// match/explain's view of the connection manager (analysis/explain/connection_manager.ts via
// analyze): the request is handled by the core's decodeRequestHeaders before routing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../../src/config/load.js';
import { analyze } from '../../../src/analysis/explain/analyze.js';
import type { RequestInput } from '../../../src/analysis/explain/request.js';
import { DEFAULT_REMOTE_ADDRESS, OFFLINE_REQUEST_ID } from '../../../src/analysis/explain/connection_manager.js';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const load = (f: string) => {
  const r = loadConfig(readFileSync(ROOT + f, 'utf8'), f);
  assert.ok(r.config, JSON.stringify(r.diagnostics));
  return r.config;
};
const classify = () => ({ supported: true });
const input = (host: string | undefined, path: string, extra: Partial<RequestInput> = {}): RequestInput => ({
  host, path, method: 'GET', scheme: 'http', headers: [], randomValue: 0, ...extra,
});

test('edge HCM: the path is normalised and headers sanitised before routing; the routed request is what serve routes', () => {
  const r = analyze(load('fixtures/explain/edge.yaml'), input('a.com', '//public/../admin', { headers: [['x-envoy-max-retries', '3'], ['x-forwarded-proto', 'https']] }), { classify, serverAddress: '10.9.9.9' });
  assert.ok(r.ok);
  const h = r.report.connection_manager!.request_handling!;
  assert.equal(h.remote_address, DEFAULT_REMOTE_ADDRESS);
  assert.deepEqual([h.original_path, h.path], ['//public/../admin', '/admin']);
  assert.deepEqual(h.path_steps.map((s) => [s.op, s.after]), [['normalize_path', '//admin'], ['merge_slashes', '/admin']]);
  assert.deepEqual([h.internal, h.edge], [false, true]);
  assert.deepEqual(h.header_changes, [
    { name: 'x-forwarded-proto', before: 'https', after: 'http' },
    { name: 'x-forwarded-for', before: null, after: DEFAULT_REMOTE_ADDRESS },
    { name: 'x-envoy-external-address', before: null, after: DEFAULT_REMOTE_ADDRESS },
    { name: 'x-request-id', before: null, after: OFFLINE_REQUEST_ID },
    { name: 'x-envoy-max-retries', before: '3', after: null },
  ]);
  assert.equal(r.report.request.path, '/admin');
  assert.equal(r.report.route?.index, 0, 'the /admin route');
  assert.match(r.report.notes.join('\n'), /is external \(an edge request.*x-envoy-\* control headers are removed/);
});

test('a loopback peer under use_remote_address: Envoy appends its own address', () => {
  const r = analyze(load('fixtures/explain/edge.yaml'), input('a.com', '/', { remoteAddress: '127.0.0.1' }), { classify, serverAddress: '10.9.9.9' });
  assert.ok(r.ok);
  assert.equal(r.report.request.headers['x-forwarded-for'], '10.9.9.9');
});

test('a local reply is the outcome: nothing is routed', () => {
  const r = analyze(load('fixtures/explain/edge.yaml'), input('a.com', '/x/%00'), { classify });
  assert.ok(r.ok);
  assert.equal(r.report.matched, false);
  assert.deepEqual(r.report.steps, []);
  assert.deepEqual([r.report.outcome.status, r.report.outcome.details, r.report.outcome.stats], [400, 'path_normalization_failed', ['http.edge.downstream_rq_failed_path_normalization']]);
  const noHost = analyze(load('fixtures/explain/edge.yaml'), input(undefined, '/'), { classify });
  assert.ok(noHost.ok);
  assert.deepEqual([noHost.report.outcome.status, noHost.report.outcome.details], [400, 'missing_host_header']);
});

test('a bare RouteConfiguration has no connection manager: the request is routed as given', () => {
  const r = analyze(load('fixtures/explain/routes.yaml'), input('www.example.com', '/static/../a.css', { scheme: 'https' }), { classify });
  assert.ok(r.ok);
  assert.equal(r.report.connection_manager, null);
  assert.equal(r.report.request.path, '/static/../a.css');
  assert.equal(r.report.request.headers['x-forwarded-proto'], 'https', "router_check's ssl: true");
});
