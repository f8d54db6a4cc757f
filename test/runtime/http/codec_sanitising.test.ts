// What Envoy's HTTP/1 server codec (and the HCM's path check) refuses or rewrites before anything
// is routed, through raw sockets against a real serve with a recording upstream: #fragment,
// headers_with_underscores_action, Connection-nominated headers, Transfer-Encoding, methods and
// request targets. Each rule runs under Envoy's defaults and under edge settings.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bootstrap, cluster, rawRequest, startProxy, startUpstream, type TestProxy, type Upstream, type UpstreamHandler } from './harness.js';

const ROUTES = '- match: {prefix: "/"}\n  route: {cluster: web}';

/** Envoy's defaults, and an edge HCM as Envoy's edge best practices configure one. */
const SETTINGS: readonly [string, string | undefined][] = [
  ['defaults', undefined],
  ['edge', 'use_remote_address: true\ncommon_http_protocol_options: {headers_with_underscores_action: REJECT_REQUEST}'],
];

const SMUGGLED = 'GET /smuggled HTTP/1.1\r\nHost: h\r\n\r\n';

async function withProxy(hcmExtra: string | undefined, fn: (p: TestProxy, up: Upstream) => Promise<void>, handler?: UpstreamHandler): Promise<void> {
  const up = await startUpstream('web', handler);
  const p = await startProxy(bootstrap({ routes: ROUTES, clusters: cluster('web', [up.port]), ...(hcmExtra ? { hcmExtra } : {}) }));
  try {
    await fn(p, up);
  } finally {
    await p.close();
    await up.close();
  }
}

/** Asserts a codec refusal: the status line, the body, DPE with `details`, closed, nothing upstream. */
async function assertRefused(p: TestProxy, up: Upstream, raw: string, statusLine: string, details: string, label: string): Promise<void> {
  const before = p.infos.length;
  const r = await rawRequest(p.port, raw, 2000);
  assert.ok(r.text.startsWith(`HTTP/1.1 ${statusLine}\r\n`), `${label}: ${JSON.stringify(r.text.slice(0, 60))}`);
  // Envoy's codec error body is the status text (CodeUtility::toString).
  assert.ok(r.text.endsWith(`\r\n\r\n${statusLine.slice(4)}`), label);
  assert.equal((r.text.match(/HTTP\/1\.1 /g) ?? []).length, 1, label);
  assert.ok(r.closedByServer, label);
  await p.waitStreams(before + 1);
  const info = p.infos[before]!;
  assert.equal(info.responseCode, Number(statusLine.slice(0, 3)), label);
  assert.equal(info.responseCodeDetails, details, label);
  assert.deepEqual(info.responseFlags, ['DPE'], label);
  assert.equal(up.started(), 0, label);
}

test('#fragment in the request target: 400 path_normalization_failed, never routed nor forwarded, connection kept', async () => {
  for (const [label, extra] of SETTINGS) {
    await withProxy(extra, async (p, up) => {
      const targets = ['/x#frag', '/x?q=1#frag', 'http://h/a#b', '/#'];
      for (const t of targets) {
        const before = p.infos.length;
        // Pipelined behind it on the same connection: served (a local reply keeps the connection).
        const r = await rawRequest(p.port, `GET ${t} HTTP/1.1\r\nHost: h\r\n\r\nGET /ok HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n`, 2000);
        assert.match(r.text, /^HTTP\/1\.1 400 Bad Request\r\n/, `${label} ${t}`);
        assert.match(r.text, /content-length: 0\r\n/, `${label} ${t}`);
        assert.match(r.text, /\r\n\r\nHTTP\/1\.1 200 OK\r\n/, `${label} ${t}`);
        await p.waitStreams(before + 2);
        const info = p.infos[before]!;
        assert.equal(info.responseCodeDetails, 'path_normalization_failed', `${label} ${t}`);
        assert.deepEqual(info.responseFlags, [], `${label} ${t}`);
        assert.equal(info.routeName, undefined);
      }
      assert.equal(p.counter('http.ingress.downstream_rq_failed_path_normalization'), targets.length, label);
      assert.equal(p.counter('http.ingress.downstream_cx_protocol_error'), 0, label);
      assert.deepEqual(up.received.map((x) => x.url), targets.map(() => '/ok'), label);
    });
  }
});

test('headers_with_underscores_action ALLOW (default): forwarded as received, no http1.* stat moves', async () => {
  await withProxy(undefined, async (p, up) => {
    const r = await rawRequest(p.port, 'GET /a HTTP/1.1\r\nHost: h\r\nX_User: alice\r\nx-user: bob\r\nConnection: close\r\n\r\n', 2000);
    assert.match(r.text, /^HTTP\/1\.1 200 OK\r\n/);
    assert.equal(up.received[0]!.headers['x_user'], 'alice');
    assert.equal(up.received[0]!.headers['x-user'], 'bob');
    assert.equal(p.counter('http1.dropped_headers_with_underscores'), 0);
    assert.equal(p.counter('http1.requests_rejected_with_underscores_in_headers'), 0);
  });
});

test('headers_with_underscores_action DROP_HEADER: the headers are dropped before routing (http1.dropped_headers_with_underscores)', async () => {
  const extra = 'use_remote_address: true\ncommon_http_protocol_options: {headers_with_underscores_action: DROP_HEADER, max_headers_count: 3}';
  // A header route on the underscore header must not match: it is gone before routing.
  const routes = '- match: {prefix: "/", headers: [{name: x_user, present_match: true}]}\n  direct_response: {status: 418}\n- match: {prefix: "/"}\n  route: {cluster: web}';
  const up = await startUpstream('web');
  const p = await startProxy(bootstrap({ routes, clusters: cluster('web', [up.port]), hcmExtra: extra }));
  try {
    // Four header lines, two dropped: within max_headers_count 3 (dropped headers do not count).
    const r = await rawRequest(p.port, 'GET /a HTTP/1.1\r\nHost: h\r\nX_User: alice\r\nx-user: bob\r\nx__y: 1\r\nConnection: close\r\n\r\n', 2000);
    assert.match(r.text, /^HTTP\/1\.1 200 OK\r\n/);
    assert.equal(up.received.length, 1);
    const h = up.received[0]!.headers;
    assert.equal(h['x_user'], undefined);
    assert.equal(h['x__y'], undefined);
    assert.equal(h['x-user'], 'bob');
    await p.waitStreams(1);
    assert.equal(p.infos[0]!.responseCodeDetails, 'via_upstream');
    assert.equal(p.infos[0]!.requestHeaders!['x_user'], undefined);
    // Rooted at `http1.` (the HCM's factory-context scope is the root), not under http.<prefix>.
    assert.equal(p.counter('http1.dropped_headers_with_underscores'), 2);
    assert.equal(p.counter('http1.requests_rejected_with_underscores_in_headers'), 0);
    assert.deepEqual([...p.server.store.counters.keys()].filter((k) => k.includes('underscores')).sort(), [
      'http1.dropped_headers_with_underscores',
      'http1.requests_rejected_with_underscores_in_headers',
    ]);
  } finally {
    await p.close();
    await up.close();
  }
});

test('headers_with_underscores_action REJECT_REQUEST: 400 http1.unexpected_underscore, DPE, closed, nothing upstream', async () => {
  await withProxy(SETTINGS[1]![1], async (p, up) => {
    await assertRefused(p, up, `GET /a HTTP/1.1\r\nHost: h\r\nX_User: alice\r\n\r\n${SMUGGLED}`, '400 Bad Request', 'http1.unexpected_underscore', 'GET');
    // With a body carrying a request, and on HTTP/1.0 (the underscore is found before the version check).
    await assertRefused(p, up, `POST /b HTTP/1.1\r\nHost: h\r\nx_a: 1\r\nContent-Length: ${SMUGGLED.length}\r\n\r\n${SMUGGLED}`, '400 Bad Request', 'http1.unexpected_underscore', 'POST');
    await assertRefused(p, up, 'GET /c HTTP/1.0\r\nHost: h\r\nx_a: 1\r\n\r\n', '400 Bad Request', 'http1.unexpected_underscore', 'HTTP/1.0');
    assert.equal(p.infos[0]!.method, 'GET');
    assert.equal(p.infos[0]!.path, '/a');
    assert.equal(p.counter('http1.requests_rejected_with_underscores_in_headers'), 3);
    assert.equal(p.counter('http.ingress.downstream_cx_protocol_error'), 3);
    assert.equal(p.counter('http1.dropped_headers_with_underscores'), 0);
    // Behind a request in progress on the same connection: that one is answered, then the refusal.
    const r = await rawRequest(p.port, `GET /first HTTP/1.1\r\nHost: h\r\n\r\nGET /second HTTP/1.1\r\nHost: h\r\nx_b: 1\r\n\r\n${SMUGGLED}`, 2000);
    assert.match(r.text, /^HTTP\/1\.1 200 OK\r\n[\s\S]*\r\n\r\n\{[\s\S]*HTTP\/1\.1 400 Bad Request\r\n[\s\S]*Bad Request$/);
    assert.ok(r.closedByServer);
    assert.deepEqual(up.received.map((x) => x.url), ['/first']);
    assert.equal(p.counter('http1.requests_rejected_with_underscores_in_headers'), 4);
  });
});

test('Connection-nominated headers are removed before routing and forwarding; te: trailers is kept', async () => {
  for (const [label, extra] of SETTINGS) {
    await withProxy(extra, async (p, up) => {
      const routes = [
        'GET /a HTTP/1.1\r\nHost: h\r\nConnection: keep-alive, X-Secret, x-gone\r\nX-Secret: s\r\nx-other: o\r\nTE: trailers, deflate\r\n\r\n',
        // A nominated `te` naming trailers stays as `te: trailers`; one that does not is removed.
        'GET /b HTTP/1.1\r\nHost: h\r\nConnection: te\r\nTE: deflate;q=0.5, trailers\r\n\r\n',
        'GET /c HTTP/1.1\r\nHost: h\r\nConnection: te, connection\r\nTE: gzip\r\n\r\n',
        // Not nominated: `te: trailers` is forwarded, other transfer codings are not (hop-by-hop).
        'GET /d HTTP/1.1\r\nHost: h\r\nTE: trailers\r\n\r\n',
        'GET /e HTTP/1.1\r\nHost: h\r\nTE: gzip\r\nConnection: close\r\n\r\n',
      ];
      const r = await rawRequest(p.port, routes.join(''), 3000);
      assert.equal((r.text.match(/HTTP\/1\.1 200 OK/g) ?? []).length, 5, label);
      const got = up.received.map((x) => x.headers);
      assert.deepEqual(up.received.map((x) => x.url), ['/a', '/b', '/c', '/d', '/e'], label);
      assert.equal(got[0]!['x-secret'], undefined, label);
      assert.equal(got[0]!['x-other'], 'o', label);
      assert.equal(got[0]!['te'], 'trailers', label);
      assert.equal(got[0]!['connection'], undefined, label);
      assert.equal(got[1]!['te'], 'trailers', label);
      assert.equal(got[2]!['te'], undefined, label);
      assert.equal(got[3]!['te'], 'trailers', label);
      assert.equal(got[4]!['te'], undefined, label);
      await p.waitStreams(5);
      // What filters and the access log see: the nominated header is gone, the Connection value rewritten.
      assert.equal(p.infos[0]!.requestHeaders!['x-secret'], undefined, label);
      assert.equal(p.infos[0]!.requestHeaders!['connection'], 'keep-alive', label);
      // A kept `te` keeps its token; `te` and `connection` removed leave no token, no header.
      assert.equal(p.infos[1]!.requestHeaders!['connection'], 'te', label);
      assert.equal(p.infos[2]!.requestHeaders!['connection'], undefined, label);
      assert.equal(p.counter('http.ingress.downstream_cx_protocol_error'), 0, label);
    });
  }
});

test('Connection header Envoy refuses: 400 http1.connection_header_rejected, DPE, closed, nothing upstream', async () => {
  const tokens = (n: number): string => Array.from({ length: n }, (_, i) => `x-${i}`).join(', ');
  const cases: Record<string, string> = {
    'x-forwarded-for': 'Connection: X-Forwarded-For\r\nX-Forwarded-For: 10.0.0.1',
    'x-forwarded-host': 'Connection: keep-alive, x-forwarded-host',
    'x-forwarded-proto': 'Connection: x-forwarded-proto',
    'a pseudo-header': 'Connection: :authority',
    '10 tokens': `Connection: ${tokens(10)}`,
    'a nominated te of 256 chars': `Connection: te\r\nTE: ${'x'.repeat(248)}, trailers`,
  };
  for (const [label, extra] of SETTINGS) {
    await withProxy(extra, async (p, up) => {
      for (const [name, h] of Object.entries(cases)) {
        await assertRefused(p, up, `GET /n HTTP/1.1\r\nHost: h\r\n${h}\r\n\r\n${SMUGGLED}`, '400 Bad Request', 'http1.connection_header_rejected', `${label} ${name}`);
      }
      assert.equal(p.counter('http.ingress.downstream_cx_protocol_error'), Object.keys(cases).length, label);
      // 9 tokens and a 255-char te are still fine.
      const ok = await rawRequest(p.port, `GET /nine HTTP/1.1\r\nHost: h\r\nConnection: ${tokens(8)}, close\r\nx-3: gone\r\n\r\n`, 2000);
      assert.match(ok.text, /^HTTP\/1\.1 200 OK\r\n/, label);
      const te = await rawRequest(p.port, `GET /te HTTP/1.1\r\nHost: h\r\nConnection: te, close\r\nTE: ${'x'.repeat(245)}, trailers\r\n\r\n`, 2000);
      assert.match(te.text, /^HTTP\/1\.1 200 OK\r\n/, label);
      assert.deepEqual(up.received.map((x) => [x.url, x.headers['x-3'], x.headers['te']]), [['/nine', undefined, undefined], ['/te', undefined, 'trailers']], label);
    });
  }
});

test('Connection nominating Host removes it (400 missing_host_header, as Envoy); upgrades keep the 403', async () => {
  for (const [label, extra] of SETTINGS) {
    await withProxy(extra, async (p, up) => {
      const r = await rawRequest(p.port, 'GET /h HTTP/1.1\r\nHost: h\r\nConnection: host, close\r\n\r\n', 2000);
      assert.match(r.text, /^HTTP\/1\.1 400 Bad Request\r\n/, label);
      await p.waitStreams(1);
      assert.equal(p.infos[0]!.responseCodeDetails, 'missing_host_header', label);
      // An upgrade is not sanitized (Envoy's codec enters upgrade mode): 403 upgrade_failed, even
      // with a token Envoy would refuse on a plain request.
      const u = await rawRequest(p.port, 'GET /u HTTP/1.1\r\nHost: h\r\nConnection: Upgrade, X-Forwarded-For\r\nUpgrade: websocket\r\n\r\n' + SMUGGLED, 2000);
      assert.match(u.text, /^HTTP\/1\.1 403 Forbidden\r\n/, label);
      assert.equal((u.text.match(/HTTP\/1\.1 /g) ?? []).length, 1, label);
      assert.ok(u.closedByServer, label);
      await p.waitStreams(2);
      assert.equal(p.infos[1]!.responseCodeDetails, 'upgrade_failed', label);
      assert.equal(up.started(), 0, label);
    });
  }
});

test('Transfer-Encoding other than exactly chunked: 501 http1.invalid_transfer_encoding, nothing upstream', async () => {
  const chunkedSmuggle = `${SMUGGLED.length.toString(16)}\r\n${SMUGGLED}\r\n0\r\n\r\n`;
  const cases: Record<string, string> = {
    // llhttp accepts these (chunked last): refused by the codec after the head.
    'identity, chunked': `POST /t HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: identity, chunked\r\n\r\n${chunkedSmuggle}`,
    'gzip, chunked': `POST /t HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip, chunked\r\n\r\n${chunkedSmuggle}`,
    // llhttp refuses these itself: after the head, or before it completes.
    'gzip': `POST /t HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip\r\n\r\n${SMUGGLED}`,
    'chunked, gzip': `POST /t HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked, gzip\r\n\r\n${chunkedSmuggle}`,
    'chunked twice': `POST /t HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n${chunkedSmuggle}`,
    'on a GET': `GET /t HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: identity\r\n\r\n${SMUGGLED}`,
    'on CONNECT': 'CONNECT h:443 HTTP/1.1\r\nHost: h:443\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
  };
  for (const [label, extra] of SETTINGS) {
    await withProxy(extra, async (p, up) => {
      for (const [name, raw] of Object.entries(cases)) {
        await assertRefused(p, up, raw, '501 Not Implemented', 'http1.invalid_transfer_encoding', `${label} ${name}`);
      }
      assert.equal(p.counter('http.ingress.downstream_rq_5xx'), Object.keys(cases).length, label);
      assert.equal(p.counter('http.ingress.downstream_cx_protocol_error'), Object.keys(cases).length, label);
      // Refused after its head: the access log has the request line.
      assert.equal(p.infos[0]!.method, 'POST', label);
      assert.equal(p.infos[0]!.path, '/t', label);
      // Exactly `chunked`, in any case, is fine.
      const ok = await rawRequest(p.port, 'POST /ok HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: Chunked\r\nConnection: close\r\n\r\n3\r\nabc\r\n0\r\n\r\n', 2000);
      assert.match(ok.text, /^HTTP\/1\.1 200 OK\r\n/, label);
      assert.deepEqual(up.received.map((x) => [x.url, x.body]), [['/ok', 'abc']], label);
    });
  }
});

test('Content-Length with Transfer-Encoding: 400 http1.content_length_and_chunked_not_allowed (either order)', async () => {
  for (const [label, extra] of SETTINGS) {
    await withProxy(extra, async (p, up) => {
      const te = 'Transfer-Encoding: chunked';
      const cl = `Content-Length: ${SMUGGLED.length + 5}`;
      await assertRefused(p, up, `POST / HTTP/1.1\r\nHost: h\r\n${te}\r\n${cl}\r\n\r\n0\r\n\r\n${SMUGGLED}`, '400 Bad Request', 'http1.content_length_and_chunked_not_allowed', `${label} TE first`);
      await assertRefused(p, up, `POST / HTTP/1.1\r\nHost: h\r\n${cl}\r\n${te}\r\n\r\n0\r\n\r\n${SMUGGLED}`, '400 Bad Request', 'http1.content_length_and_chunked_not_allowed', `${label} CL first`);
    });
  }
});

test('methods Envoy does not accept (QUERY, M-SEARCH, RTSP): 400 http1.codec_error, never forwarded as another method', async () => {
  for (const [label, extra] of SETTINGS) {
    await withProxy(extra, async (p, up) => {
      // llhttp knows QUERY (method 46); it used to reach the upstream as a GET.
      for (const line of ['QUERY /q HTTP/1.1', 'M-SEARCH * HTTP/1.1', 'PLAY /p RTSP/1.0']) {
        await assertRefused(p, up, `${line}\r\nHost: h\r\nContent-Length: 2\r\n\r\nab`, '400 Bad Request', 'http1.codec_error', `${label} ${line}`);
      }
      const ok = await rawRequest(p.port, 'PURGE /x HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n', 2000);
      assert.match(ok.text, /^HTTP\/1\.1 200 OK\r\n/, label);
      assert.deepEqual(up.received.map((x) => x.method), ['PURGE'], label);
    });
  }
});

test('request targets: invalid absolute URLs and schemes refused, `*` only for OPTIONS', async () => {
  for (const [label, extra] of SETTINGS) {
    await withProxy(extra, async (p, up) => {
      await assertRefused(p, up, 'GET ftp://h/x HTTP/1.1\r\nHost: h\r\n\r\n', '400 Bad Request', 'http1.invalid_scheme', `${label} ftp`);
      await assertRefused(p, up, 'GET http:///x HTTP/1.1\r\nHost: h\r\n\r\n', '400 Bad Request', 'http1.invalid_url', `${label} no authority`);
      await assertRefused(p, up, 'GET * HTTP/1.1\r\nHost: h\r\n\r\n', '400 Bad Request', 'http1.invalid_url', `${label} GET *`);
      await assertRefused(p, up, 'CONNECT h:443 HTTP/1.1\r\nHost: h:443\r\nContent-Length: 5\r\n\r\nhello', '400 Bad Request', 'http1.body_disallowed', `${label} CONNECT body`);
      // OPTIONS * passes the codec (no route matches `*`).
      const o = await rawRequest(p.port, 'OPTIONS * HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n', 2000);
      assert.match(o.text, /^HTTP\/1\.1 404 Not Found\r\n/, label);
      // A mixed-case http scheme is an absolute URL like any other.
      const abs = await rawRequest(p.port, 'GET HTTP://abs.example/p?q HTTP/1.1\r\nHost: other\r\nConnection: close\r\n\r\n', 2000);
      assert.match(abs.text, /^HTTP\/1\.1 200 OK\r\n/, label);
      assert.deepEqual(up.received.map((x) => [x.url, x.headers.host]), [['/p?q', 'abs.example']], label);
    });
  }
});

test('https:// absolute URL on a plaintext edge listener: 403 http1.https_url_on_plaintext_connection (validate_scheme)', async () => {
  await withProxy(SETTINGS[1]![1], async (p, up) => {
    await assertRefused(p, up, 'GET https://h/x HTTP/1.1\r\nHost: h\r\n\r\n', '403 Forbidden', 'http1.https_url_on_plaintext_connection', 'edge');
  });
  // Not an edge listener (use_remote_address false, or trusted hops): routed on its path.
  for (const extra of [undefined, 'use_remote_address: true\nxff_num_trusted_hops: 1']) {
    await withProxy(extra, async (p, up) => {
      const r = await rawRequest(p.port, 'GET https://h/x HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n', 2000);
      assert.match(r.text, /^HTTP\/1\.1 200 OK\r\n/);
      assert.deepEqual(up.received.map((x) => x.url), ['/x']);
    });
  }
});

test('header names and values llhttp refuses: details as Envoy (invalid name: codec_error, invalid value char: invalid_characters)', async () => {
  await withProxy(undefined, async (p, up) => {
    await assertRefused(p, up, 'GET / HTTP/1.1\r\nHost: h\r\nBad{Name: x\r\n\r\n', '400 Bad Request', 'http1.codec_error', 'name');
    await assertRefused(p, up, 'GET / HTTP/1.1\r\nHost: h\r\nX-A: a\x01b\r\n\r\n', '400 Bad Request', 'http1.invalid_characters', 'value');
  });
});

test('status lines carry Envoy\'s reason phrases (CodeUtility::toString), also for upstream statuses', async () => {
  await withProxy(
    undefined,
    async (p) => {
      const r = await rawRequest(p.port, 'GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n', 2000);
      assert.match(r.text, /^HTTP\/1\.1 401 Unauthorized\r\n/);
    },
    (_req, res) => {
      res.writeHead(401, { 'content-length': '0' });
      res.end();
    },
  );
});
