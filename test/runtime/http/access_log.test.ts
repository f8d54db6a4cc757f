// Local replies as the access log prints them (status, RESPONSE_FLAGS, RESPONSE_CODE_DETAILS),
// and circuit-breaker overflow (UO, x-envoy-overloaded) under real concurrency.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bootstrap, cluster, closedPort, request, sleep, startProxy, startUpstream, useFake } from './harness.js';

test('access log file: one line per local reply with Envoy flags and details', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsproxy-al-'));
  const path = join(dir, 'access.log');
  const dead = await closedPort();
  const p = await startProxy(
    bootstrap({
      hcmExtra: `access_log:
- name: envoy.access_loggers.file
  typed_config:
    "@type": type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog
    path: ${path}
    log_format: {text_format_source: {inline_string: "%RESPONSE_CODE% %RESPONSE_FLAGS% %RESPONSE_CODE_DETAILS% %UPSTREAM_CLUSTER%\\n"}}`,
      routes: `- match: {prefix: "/nc"}
  route: {cluster: missing}
- match: {prefix: "/uh"}
  route: {cluster: empty}
- match: {prefix: "/uf"}
  route: {cluster: dead}`,
      clusters: cluster('empty', []) + '\n' + cluster('dead', [dead]),
    }),
  );
  try {
    assert.equal((await request(p.port, '/none')).status, 404);
    assert.equal((await request(p.port, '/nc')).status, 503);
    assert.equal((await request(p.port, '/uh')).status, 503);
    assert.equal((await request(p.port, '/uf')).status, 503);
    await p.waitStreams(4);
  } finally {
    await p.close();
  }
  const lines = readFileSync(path, 'utf8').trim().split('\n');
  assert.equal(lines.length, 4);
  assert.equal(lines[0], '404 NR route_not_found -');
  assert.equal(lines[1], '503 NC cluster_not_found missing');
  assert.equal(lines[2], '503 UH no_healthy_upstream empty');
  assert.match(lines[3]!, /^503 UF upstream_reset_before_response_started\{remote_connection_failure\S*\} dead$/);
});

test('circuit breaker overflow under concurrency: 503 UO with x-envoy-overloaded', { skip: useFake ? 'the fake upstream has no circuit breakers' : false }, async () => {
  const up = await startUpstream('slow', (_req, res) => {
    setTimeout(() => {
      res.writeHead(200, { 'content-length': '2' });
      res.end('ok');
    }, 150);
  });
  const p = await startProxy(
    bootstrap({
      routes: '- match: {prefix: "/"}\n  route: {cluster: slow}',
      clusters: cluster('slow', [up.port], 'circuit_breakers:\n  thresholds:\n  - {max_connections: 1, max_pending_requests: 1, max_requests: 1}'),
    }),
  );
  try {
    const results = await Promise.all([0, 1, 2, 3].map(async (i) => {
      await sleep(i * 5);
      return request(p.port, '/');
    }));
    const overflowed = results.filter((r) => r.status === 503);
    assert.ok(overflowed.length >= 1, JSON.stringify(results.map((r) => r.status)));
    assert.ok(results.some((r) => r.status === 200));
    for (const r of overflowed) {
      assert.equal(r.headers['x-envoy-overloaded'], 'true');
      assert.equal(r.body, 'upstream connect error or disconnect/reset before headers. reset reason: overflow');
    }
    await p.waitStreams(4);
    assert.ok(p.infos.some((i) => i.responseFlags.includes('UO')));
  } finally {
    await p.close();
    await up.close();
  }
});
