// The connection manager's request normalisation and header sanitising, through real sockets
// with raw bytes: a recording upstream asserts what did and did not reach it, under Envoy's edge
// best-practice settings and under Envoy's defaults. Routes: `/admin...` is blocked by a direct
// response (what an edge proxy protects), everything else goes to the recording upstream.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bootstrap, cluster, rawRequest, startProxy, startUpstream, type TestProxy, type Upstream } from './harness.js';
import { localInfoAddress } from '../../../src/runtime/local_info.js';

const ROUTES = `- match: {prefix: "/admin"}
  direct_response: {status: 403, body: {inline_string: "admin blocked"}}
- match: {prefix: "/"}
  route: {cluster: web}`;

const EDGE = (action: string): string =>
  `use_remote_address: true\nnormalize_path: true\nmerge_slashes: true\npath_with_escaped_slashes_action: ${action}\ninternal_address_config: {}\nvia: edge-1`;

async function withProxy(hcmExtra: string | undefined, fn: (p: TestProxy, up: Upstream) => Promise<void>): Promise<void> {
  const up = await startUpstream('web');
  const p = await startProxy(bootstrap({ routes: ROUTES, clusters: cluster('web', [up.port]), ...(hcmExtra ? { hcmExtra } : {}) }));
  try {
    await fn(p, up);
  } finally {
    await p.close();
    await up.close();
  }
}

/** One raw request line + headers; the connection closes after the response. */
function get(port: number, target: string, headers: readonly string[] = ['Host: a.com']): Promise<{ text: string; closedByServer: boolean }> {
  return rawRequest(port, `GET ${target} HTTP/1.1\r\n${[...headers, 'Connection: close'].join('\r\n')}\r\n\r\n`);
}

function status(text: string): number {
  return Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0);
}

function header(text: string, name: string): string | undefined {
  const m = new RegExp(`\\r\\n${name}: ([^\\r]*)`, 'i').exec(text);
  return m?.[1];
}

test('edge settings: /public/../admin and //admin///x are normalised before routing, so the admin block applies and nothing reaches the upstream', async () => {
  await withProxy(EDGE('KEEP_UNCHANGED'), async (p, up) => {
    for (const target of ['/public/../admin', '//admin///x', '/%61dmin', '/./admin/..;x/admin']) {
      const r = await get(p.port, target);
      assert.equal(status(r.text), 403, `${target}: ${r.text}`);
      assert.match(r.text, /admin blocked$/);
    }
    assert.equal(up.received.length, 0);
    const ok = await get(p.port, '/a//b/./c/../d?q=//x/../y');
    assert.equal(status(ok.text), 200);
    assert.equal(up.received[0]!.url, '/a/b/d?q=//x/../y', 'the upstream gets the normalised path; the query is untouched');
    await p.waitStreams(5);
    assert.equal(p.infos[4]!.path, '/a/b/d?q=//x/../y');
  });
});

test("Envoy's defaults: paths are routed and forwarded as received (normalize_path and merge_slashes off, escaped slashes kept)", async () => {
  await withProxy(undefined, async (p, up) => {
    for (const target of ['/public/../admin', '//admin///x', '/static%2F..%2Fadmin']) {
      const r = await get(p.port, target);
      assert.equal(status(r.text), 200, target);
    }
    assert.deepEqual(up.received.map((r) => r.url), ['/public/../admin', '//admin///x', '/static%2F..%2Fadmin']);
  });
});

test('path_with_escaped_slashes_action: each action on %2F, with its status, details and stat', async () => {
  const target = '/static%2F..%2Fadmin';
  await withProxy(EDGE('KEEP_UNCHANGED'), async (p, up) => {
    assert.equal(status((await get(p.port, target)).text), 200);
    assert.equal(up.received[0]!.url, '/static%2F..%2Fadmin', 'KEEP_UNCHANGED: %2F is not a separator');
  });
  await withProxy(EDGE('IMPLEMENTATION_SPECIFIC_DEFAULT'), async (p, up) => {
    assert.equal(status((await get(p.port, target)).text), 200);
    assert.equal(up.received[0]!.url, target, "IMPLEMENTATION_SPECIFIC_DEFAULT is Envoy's KEEP_UNCHANGED");
  });
  await withProxy(EDGE('REJECT_REQUEST'), async (p, up) => {
    const r = await get(p.port, target);
    assert.equal(status(r.text), 400);
    assert.equal(header(r.text, 'content-length'), '0');
    await p.waitStreams(1);
    assert.equal(p.infos[0]!.responseCodeDetails, 'path_normalization_failed');
    assert.equal(p.counter('http.ingress.downstream_rq_failed_path_normalization'), 1);
    assert.equal(up.received.length, 0);
  });
  await withProxy(EDGE('UNESCAPE_AND_REDIRECT'), async (p, up) => {
    const r = await get(p.port, target + '?q=%2F');
    assert.equal(status(r.text), 307);
    assert.equal(header(r.text, 'location'), '/admin?q=%2F');
    const grpc = await get(p.port, target, ['Host: a.com', 'Content-Type: application/grpc']);
    // A gRPC client cannot follow a redirect: Envoy's 400, as every local reply to a gRPC
    // request, goes out as a trailers-only 200 with grpc-status INTERNAL (httpToGrpcStatus(400)).
    assert.equal(status(grpc.text), 200);
    assert.equal(header(grpc.text, 'grpc-status'), '13');
    assert.equal(header(grpc.text, 'content-type'), 'application/grpc');
    await p.waitStreams(2);
    assert.equal(p.infos[0]!.responseCodeDetails, 'path_normalization_failed');
    assert.equal(p.counter('http.ingress.downstream_rq_redirected_with_normalized_path'), 1);
    assert.equal(p.counter('http.ingress.downstream_rq_failed_path_normalization'), 1);
    assert.equal(up.received.length, 0);
  });
  await withProxy(EDGE('UNESCAPE_AND_FORWARD'), async (p, up) => {
    assert.equal(status((await get(p.port, target)).text), 403, 'unescaped, then normalised to /admin: blocked');
    assert.equal(status((await get(p.port, '/a%2Fb%5Cc')).text), 200);
    assert.deepEqual(up.received.map((r) => r.url), ['/a/b/c'], '%5C becomes \\ and normalize_path turns it into /');
  });
});

test('a path normalize_path cannot canonicalise is a 400', async () => {
  await withProxy(EDGE('KEEP_UNCHANGED'), async (p, up) => {
    const r = await get(p.port, '/a/%00/b');
    assert.equal(status(r.text), 400);
    await p.waitStreams(1);
    assert.equal(p.infos[0]!.responseCodeDetails, 'path_normalization_failed');
    assert.equal(up.received.length, 0);
  });
});

for (const [name, hcm] of [['edge settings', EDGE('KEEP_UNCHANGED')], ["Envoy's defaults", undefined]] as const) {
  test(`${name}: Host outside the authority grammar is a 400 protocol error (DPE, connection closed), never forwarded`, async () => {
    await withProxy(hcm, async (p, up) => {
      for (const host of ['evil.com/path', 'a b', 'a.com?x', 'a.com#f', 'a\\b']) {
        const r = await rawRequest(p.port, `GET / HTTP/1.1\r\nHost: ${host}\r\n\r\n`);
        assert.equal(status(r.text), 400, `${host}: ${r.text}`);
        assert.ok(r.closedByServer, `${host}: the connection is closed`);
        assert.match(r.text, /Bad Request$/);
      }
      const ok = await get(p.port, '/', ['Host: user@a.com:80']);
      assert.equal(status(ok.text), 200, 'userinfo is allowed (HTTP/1), and forwarded as is');
      assert.equal(up.received.length, 1);
      assert.equal(up.received[0]!.headers.host, 'user@a.com:80');
      await p.waitStreams(6);
      assert.equal(p.infos[0]!.responseCodeDetails, 'http.invalid_authority');
      assert.deepEqual(p.infos[0]!.responseFlags, ['DPE']);
      assert.equal(p.counter('http.ingress.downstream_cx_protocol_error'), 5);
    });
  });
}

const HOSTILE = [
  'Host: a.com',
  'X-Forwarded-For: 10.0.0.1',
  'X-Forwarded-Proto: https',
  'X-Envoy-Internal: true',
  'X-Envoy-Upstream-Rq-Timeout-Ms: 5000',
  'X-Envoy-Retry-On: 5xx',
  'X-Envoy-Max-Retries: 7',
  'X-Envoy-Decorator-Operation: op',
  'X-Request-Id: client-id',
];

test('edge settings: an external client sending its own XFF cannot pass as internal nor steer timeouts or retries', async () => {
  await withProxy(EDGE('KEEP_UNCHANGED'), async (p, up) => {
    const r = await get(p.port, '/x', HOSTILE);
    assert.equal(status(r.text), 200);
    assert.equal(header(r.text, 'via'), 'edge-1', 'via on the response too');
    const h = up.received[0]!.headers;
    assert.equal(h['x-forwarded-for'], `10.0.0.1,${localInfoAddress()}`, 'the peer (loopback: Envoy\'s own address) is appended');
    assert.equal(h['x-forwarded-proto'], 'http', 'overwritten: the prior hop is not trusted');
    assert.equal(h['x-envoy-internal'], undefined);
    assert.equal(h['x-envoy-upstream-rq-timeout-ms'], undefined);
    assert.equal(h['x-envoy-expected-rq-timeout-ms'], '15000', "the route's timeout, not the client's");
    assert.equal(h['x-envoy-retry-on'], undefined);
    assert.equal(h['x-envoy-max-retries'], undefined);
    assert.equal(h['x-envoy-decorator-operation'], undefined, 'edge-only removal');
    assert.equal(h['x-envoy-external-address'], '127.0.0.1');
    assert.notEqual(h['x-request-id'], 'client-id');
    assert.equal(h['via'], 'edge-1');

    // The same client without an XFF is internal (127.0.0.1 is in internal_address_config's classic ranges).
    const inside = await get(p.port, '/y', HOSTILE.filter((l) => !l.startsWith('X-Forwarded-For')));
    assert.equal(status(inside.text), 200);
    const i = up.received[1]!.headers;
    assert.equal(i['x-envoy-internal'], 'true');
    assert.equal(i['x-envoy-expected-rq-timeout-ms'], '5000', "an internal caller's timeout is honoured");
    assert.equal(i['x-forwarded-for'], localInfoAddress());
    assert.equal(i['x-request-id'], 'client-id', 'an internal request keeps its id');
    assert.equal(i['x-envoy-decorator-operation'], 'op');
  });
});

test("Envoy's defaults: no address is internal, so x-envoy-* control headers are dropped; a trusted prior hop's XFF and x-forwarded-proto are kept", async () => {
  await withProxy(undefined, async (p, up) => {
    const r = await get(p.port, '/x', HOSTILE);
    assert.equal(status(r.text), 200);
    assert.equal(header(r.text, 'via'), undefined);
    const h = up.received[0]!.headers;
    assert.equal(h['x-forwarded-for'], '10.0.0.1', 'no append without use_remote_address');
    assert.equal(h['x-forwarded-proto'], 'https');
    assert.equal(h['x-envoy-internal'], undefined);
    assert.equal(h['x-envoy-upstream-rq-timeout-ms'], undefined);
    assert.equal(h['x-envoy-expected-rq-timeout-ms'], '15000');
    assert.equal(h['x-envoy-retry-on'], undefined);
    assert.equal(h['x-envoy-external-address'], undefined, 'not an edge request');
    assert.equal(h['x-envoy-decorator-operation'], 'op', 'removed from edge requests only');
    assert.equal(h['x-request-id'], 'client-id', 'not an edge request: the id is kept');
  });
});

test('xff_num_trusted_hops, skip_xff_append, server_header_transformation, always_set_request_id_in_response, preserve_external_request_id', async () => {
  const hcm = 'use_remote_address: true\nxff_num_trusted_hops: 1\nskip_xff_append: true\nserver_name: edge\nserver_header_transformation: APPEND_IF_ABSENT\nalways_set_request_id_in_response: true\npreserve_external_request_id: true';
  const up = await startUpstream('web', (_req, res) => {
    res.writeHead(200, { server: 'backend', 'content-length': '2' });
    res.end('ok');
  });
  const p = await startProxy(bootstrap({ routes: ROUTES, clusters: cluster('web', [up.port]), hcmExtra: hcm }));
  try {
    const r = await get(p.port, '/x', ['Host: a.com', 'X-Forwarded-For: 198.51.100.7, 203.0.113.5', 'X-Request-Id: keep-me']);
    assert.equal(status(r.text), 200);
    assert.equal(header(r.text, 'server'), 'backend', 'APPEND_IF_ABSENT keeps the upstream server header');
    assert.equal(header(r.text, 'x-request-id'), 'keep-me');
    const h = up.received[0]!.headers;
    assert.equal(h['x-forwarded-for'], '198.51.100.7, 203.0.113.5', 'skip_xff_append');
    assert.equal(h['x-envoy-external-address'], '203.0.113.5', 'one trusted hop: the client is the last XFF entry');
    assert.equal(h['x-request-id'], 'keep-me');
    const local = await get(p.port, '/admin');
    assert.equal(header(local.text, 'server'), 'edge', 'a local reply gets server_name');
  } finally {
    await p.close();
    await up.close();
  }
});
