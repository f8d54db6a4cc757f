// startServer: refuses filters it cannot run (unless is_optional), reports bound ports and the
// listener stats, drains on stop.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../src/config/load.js';
import { startServer } from '../../src/runtime/server.js';
import { bootstrap, cluster, request, startProxy, startUpstream, sleep } from './http/harness.js';

const EXT_AUTHZ = `- name: envoy.filters.http.ext_authz
  typed_config:
    "@type": type.googleapis.com/envoy.extensions.filters.http.ext_authz.v3.ExtAuthz`;

test('an HTTP filter tsproxy cannot run refuses to start, with a positioned diagnostic', async () => {
  const yaml = bootstrap({ routes: '- match: {prefix: "/"}\n  direct_response: {status: 200}', filters: EXT_AUTHZ });
  const loaded = loadConfig(yaml, 'authz.yaml');
  assert.ok(loaded.config);
  const r = await startServer(loaded.config);
  assert.equal(r.server, undefined);
  const d = r.diagnostics.find((x) => x.rule === 'serve/unsupported-filter');
  assert.ok(d, JSON.stringify(r.diagnostics));
  assert.equal(d.file, 'authz.yaml');
  assert.ok(d.line > 1);
  assert.match(d.message, /envoy\.filters\.http\.ext_authz/);
});

test('is_optional filters are skipped and the server starts', async () => {
  const p = await startProxy(bootstrap({ routes: '- match: {prefix: "/"}\n  direct_response: {status: 200}', filters: EXT_AUTHZ + '\n  is_optional: true' }));
  try {
    assert.ok(p.port > 0);
    assert.equal((await request(p.port, '/')).status, 200);
  } finally {
    await p.close();
  }
});

test('bound port 0 is reported; listener stats use address_port', async () => {
  const p = await startProxy(bootstrap({ routes: '- match: {prefix: "/"}\n  direct_response: {status: 204}' }));
  try {
    const l = p.server.listeners[0]!;
    assert.equal(l.name, 'ingress');
    assert.equal(l.address, '127.0.0.1');
    assert.notEqual(l.port, 0);
    await request(p.port, '/');
    assert.equal(p.counter(`listener.127.0.0.1_${l.port}.downstream_cx_total`), 1);
    assert.equal(p.counter('http.ingress.downstream_cx_total'), 1);
  } finally {
    await p.close();
  }
});

test('stop(drain) lets an in-flight request finish, then closes', async () => {
  const up = await startUpstream('slow', (_req, res) => {
    setTimeout(() => {
      res.writeHead(200, { 'content-length': '4' });
      res.end('done');
    }, 150);
  });
  const p = await startProxy(bootstrap({ routes: '- match: {prefix: "/"}\n  route: {cluster: slow}', clusters: cluster('slow', [up.port]) }));
  try {
    const pending = request(p.port, '/');
    for (let i = 0; i < 200 && up.started() === 0; i++) await sleep(10);
    assert.equal(up.started(), 1);
    const stopped = p.server.stop(2000);
    const r = await pending;
    assert.equal(r.status, 200);
    assert.equal(r.body, 'done');
    assert.equal(r.headers['connection'], 'close');
    await stopped;
    await assert.rejects(request(p.port, '/'));
  } finally {
    await p.close();
    await up.close();
  }
});
