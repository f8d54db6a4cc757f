// The HTTP/1 codec side of the connection manager through raw sockets: 426, 431, malformed
// requests (400, DPE, never upstream), keep-alive with pipelining, Expect: 100-continue.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bootstrap, cluster, rawRequest, request, startProxy, startUpstream } from './harness.js';

const ROUTES = '- match: {prefix: "/"}\n  route: {cluster: web}';

test('HTTP/1.0 gets 426 Upgrade Required (DPE, protocol error) unless accept_http_10', async () => {
  const up = await startUpstream('web');
  const p = await startProxy(bootstrap({ routes: ROUTES, clusters: cluster('web', [up.port]) }));
  const p10 = await startProxy(bootstrap({ routes: ROUTES, clusters: cluster('web', [up.port]), hcmExtra: 'http_protocol_options: {accept_http_10: true}' }));
  try {
    const r = await rawRequest(p.port, 'GET / HTTP/1.0\r\nHost: a\r\n\r\n');
    assert.match(r.text, /^HTTP\/1\.1 426 Upgrade Required\r\n/);
    assert.match(r.text, /\r\n\r\nUpgrade Required$/);
    assert.ok(r.closedByServer);
    await p.waitStreams(1);
    assert.deepEqual(p.infos[0]!.responseFlags, ['DPE']);
    assert.equal(p.infos[0]!.responseCodeDetails, 'low_version');
    assert.equal(p.counter('http.ingress.downstream_cx_protocol_error'), 1);
    assert.equal(up.received.length, 0);
    const ok = await rawRequest(p10.port, 'GET /ten HTTP/1.0\r\nHost: a\r\n\r\n');
    assert.match(ok.text, /^HTTP\/1\.1 200 OK/);
    assert.equal(up.received.length, 1);
  } finally {
    await p.close();
    await p10.close();
    await up.close();
  }
});

test('more headers than max_headers_count: 431, never upstream', async () => {
  const up = await startUpstream('web');
  const p = await startProxy(
    bootstrap({ routes: ROUTES, clusters: cluster('web', [up.port]), hcmExtra: 'common_http_protocol_options: {max_headers_count: 5}' }),
  );
  try {
    let hdrs = '';
    for (let i = 0; i < 6; i++) hdrs += `x-h${i}: v\r\n`;
    const r = await rawRequest(p.port, `GET / HTTP/1.1\r\nHost: a\r\n${hdrs}\r\n`);
    assert.match(r.text, /^HTTP\/1\.1 431 Request Header Fields Too Large\r\n/);
    assert.match(r.text, /Request Header Fields Too Large$/);
    await p.waitStreams(1);
    assert.equal(p.infos[0]!.responseCodeDetails, 'http1.too_many_headers');
    assert.deepEqual(p.infos[0]!.responseFlags, ['DPE']);
    const fine = await rawRequest(p.port, 'GET / HTTP/1.1\r\nHost: a\r\nconnection: close\r\n\r\n');
    assert.match(fine.text, /^HTTP\/1\.1 200/);
    assert.equal(up.received.length, 1);
  } finally {
    await p.close();
    await up.close();
  }
});

test('headers over max_request_headers_kb: 431 headers_too_large, connection closed', async () => {
  const up = await startUpstream('web');
  const p = await startProxy(bootstrap({ routes: ROUTES, clusters: cluster('web', [up.port]), hcmExtra: 'max_request_headers_kb: 1' }));
  try {
    const r = await rawRequest(p.port, `GET / HTTP/1.1\r\nHost: a\r\nx-big: ${'a'.repeat(2000)}\r\n\r\n`);
    assert.match(r.text, /^HTTP\/1\.1 431 Request Header Fields Too Large\r\n/);
    assert.ok(r.closedByServer);
    await p.waitStreams(1);
    assert.equal(p.infos[0]!.responseCodeDetails, 'http1.headers_too_large');
    assert.equal(p.counter('http.ingress.downstream_cx_protocol_error'), 1);
    assert.equal(up.received.length, 0);
  } finally {
    await p.close();
    await up.close();
  }
});

test('malformed requests: 400 Bad Request, DPE, connection closed, nothing reaches the upstream', async () => {
  const up = await startUpstream('web');
  const p = await startProxy(bootstrap({ routes: ROUTES, clusters: cluster('web', [up.port]) }));
  try {
    const cases = [
      'GARBAGE\r\n\r\n',
      'GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n',
      'GET / HTTP/1.1\r\nBad Header: x\r\n\r\n',
      'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n',
    ];
    for (const c of cases) {
      const r = await rawRequest(p.port, c);
      assert.match(r.text, /^HTTP\/1\.1 400 Bad Request\r\n/, JSON.stringify(c));
      assert.match(r.text, /content-type: text\/plain/);
      assert.ok(r.closedByServer);
    }
    await p.waitStreams(cases.length);
    for (const i of p.infos) assert.deepEqual(i.responseFlags, ['DPE']);
    assert.equal(p.counter('http.ingress.downstream_cx_protocol_error'), cases.length);
    assert.equal(up.received.length, 0);
    // (The bad-body case may leave an idle pooled upstream connection: no request completed on it.)
  } finally {
    await p.close();
    await up.close();
  }
});

test('keep-alive with pipelining: two requests on one connection, answered in order', async () => {
  const up = await startUpstream('web');
  const p = await startProxy(bootstrap({ routes: ROUTES, clusters: cluster('web', [up.port]) }));
  try {
    const r = await rawRequest(p.port, 'GET /one HTTP/1.1\r\nHost: a\r\n\r\nGET /two HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n', 2000);
    const statuses = r.text.match(/HTTP\/1\.1 200 OK/g) ?? [];
    assert.equal(statuses.length, 2);
    assert.ok(r.text.indexOf('"/one"') < r.text.indexOf('"/two"'));
    assert.equal(p.counter('http.ingress.downstream_cx_total'), 1);
    assert.equal(p.counter('http.ingress.downstream_rq_total'), 2);
  } finally {
    await p.close();
    await up.close();
  }
});

test('Expect: 100-continue is answered by the proxy and not forwarded', async () => {
  const up = await startUpstream('web');
  const p = await startProxy(bootstrap({ routes: ROUTES, clusters: cluster('web', [up.port]) }));
  try {
    const r = await request(p.port, '/upload', { method: 'POST', headers: { expect: '100-continue', 'content-length': '5' }, body: 'hello' });
    assert.equal(r.status, 200);
    assert.equal(up.received[0]!.body, 'hello');
    assert.equal(up.received[0]!.headers['expect'], undefined);
  } finally {
    await p.close();
    await up.close();
  }
});

test('chunked request body is forwarded', async () => {
  const up = await startUpstream('web');
  const p = await startProxy(bootstrap({ routes: ROUTES, clusters: cluster('web', [up.port]) }));
  try {
    const r = await rawRequest(p.port, 'POST /c HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n', 2000);
    assert.match(r.text, /^HTTP\/1\.1 200 OK/);
    assert.equal(up.received[0]!.body, 'abcde');
  } finally {
    await p.close();
    await up.close();
  }
});

test('idle_timeout closes a connection without active streams (downstream_cx_idle_timeout)', async () => {
  const p = await startProxy(
    bootstrap({ routes: '- match: {prefix: "/"}\n  direct_response: {status: 200}', hcmExtra: 'common_http_protocol_options: {idle_timeout: 0.1s}' }),
  );
  try {
    const t0 = Date.now();
    const silent = await rawRequest(p.port, '', 3000);
    assert.ok(silent.closedByServer);
    assert.ok(Date.now() - t0 < 2000);
    const kept = await rawRequest(p.port, 'GET / HTTP/1.1\r\nHost: a\r\n\r\n', 3000);
    assert.match(kept.text, /^HTTP\/1\.1 200 OK/);
    assert.ok(kept.closedByServer);
    assert.equal(p.counter('http.ingress.downstream_cx_idle_timeout'), 2);
  } finally {
    await p.close();
  }
});

test('request_timeout: 408 "request timeout" when the whole request takes too long', async () => {
  const up = await startUpstream('web');
  const p = await startProxy(bootstrap({ routes: ROUTES, clusters: cluster('web', [up.port]), hcmExtra: 'request_timeout: 0.1s' }));
  try {
    const r = await rawRequest(p.port, 'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nabc', 2000);
    assert.match(r.text, /^HTTP\/1\.1 408 Request Timeout/);
    assert.ok(r.text.endsWith('request timeout'));
    await p.waitStreams(1);
    assert.equal(p.infos[0]!.responseCodeDetails, 'request_overall_timeout');
    assert.equal(p.counter('http.ingress.downstream_rq_timeout'), 1);
    assert.equal(up.received.length, 0);
  } finally {
    await p.close();
    await up.close();
  }
});

test('request_headers_timeout: a request head that never completes gets 408 and the connection closes', async () => {
  const p = await startProxy(bootstrap({ routes: '- match: {prefix: "/"}\n  direct_response: {status: 200}', hcmExtra: 'request_headers_timeout: 0.1s' }));
  try {
    const t0 = Date.now();
    const r = await rawRequest(p.port, 'GET / HTTP/1.1\r\nHost: a\r\n', 3000);
    assert.match(r.text, /^HTTP\/1\.1 408 Request Timeout/);
    assert.ok(r.closedByServer);
    assert.ok(Date.now() - t0 < 2000);
  } finally {
    await p.close();
  }
});

test('a malformed request pipelined behind a good one: the good one is answered, then 400 and close', async () => {
  const up = await startUpstream('web');
  const p = await startProxy(bootstrap({ routes: ROUTES, clusters: cluster('web', [up.port]) }));
  try {
    const r = await rawRequest(p.port, 'GET /good HTTP/1.1\r\nHost: a\r\n\r\nGARBAGE\r\n\r\n', 2000);
    assert.match(r.text, /^HTTP\/1\.1 200 OK/);
    assert.match(r.text, /HTTP\/1\.1 400 Bad Request[\s\S]*Bad Request$/);
    assert.ok(r.closedByServer);
    assert.equal(up.received.length, 1);
  } finally {
    await p.close();
    await up.close();
  }
});

test('max_requests_per_connection: the last allowed response closes the connection', async () => {
  const p = await startProxy(
    bootstrap({ routes: '- match: {prefix: "/"}\n  direct_response: {status: 200}', hcmExtra: 'common_http_protocol_options: {max_requests_per_connection: 2}' }),
  );
  try {
    const r = await rawRequest(p.port, 'GET /1 HTTP/1.1\r\nHost: a\r\n\r\nGET /2 HTTP/1.1\r\nHost: a\r\n\r\n', 2000);
    assert.equal((r.text.match(/HTTP\/1\.1 200 OK/g) ?? []).length, 2);
    assert.match(r.text, /connection: close/);
    assert.ok(r.closedByServer);
  } finally {
    await p.close();
  }
});

test('a request without Host gets 400 missing_host_header and never reaches the upstream', async () => {
  const up = await startUpstream('web');
  const p = await startProxy(bootstrap({ routes: ROUTES, clusters: cluster('web', [up.port]) }));
  try {
    const r = await rawRequest(p.port, 'GET / HTTP/1.1\r\nConnection: close\r\n\r\n');
    assert.match(r.text, /^HTTP\/1\.1 400 Bad Request/);
    await p.waitStreams(1);
    assert.equal(p.infos[0]!.responseCodeDetails, 'missing_host_header');
    assert.equal(up.received.length, 0);
  } finally {
    await p.close();
    await up.close();
  }
});
