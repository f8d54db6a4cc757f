// The deprecated RouteAction max_grpc_timeout / grpc_timeout_offset through the real data plane
// (Envoy's FilterUtility::finalTimeout): a gRPC request's router timeout is its grpc-timeout less
// the offset, capped; the upstream sees the grpc-timeout actually applied; a route with
// max_stream_duration ignores them and has no router timeout (usingNewTimeouts); a non-gRPC
// request keeps the route timeout; the timeout firing is UT, a gRPC local reply.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startProxy, send } from './proxy.js';
import { bootstrapYaml } from './bootstrap.js';
import { startEchoUpstreams, type EchoReply } from './echo_upstreams.js';
import { startRawUpstream } from './raw_upstream.js';

test('max_grpc_timeout / grpc_timeout_offset: the router timeout and the grpc-timeout sent upstream, as Envoy', async () => {
  const echo = await startEchoUpstreams(['echo']);
  const silent = await startRawUpstream(() => {});
  const proxy = await startProxy(bootstrapYaml({
    routeText: `virtual_hosts:
- name: all
  domains: ["*"]
  routes:
  - match: {prefix: "/dep"}
    route: {cluster: echo, max_grpc_timeout: 10s, grpc_timeout_offset: 0.05s}
  - match: {prefix: "/cap"}
    route: {cluster: echo, max_grpc_timeout: 0.2s}
  - match: {prefix: "/zero"}
    route: {cluster: echo, max_grpc_timeout: 0s}
  - match: {prefix: "/new"}
    route: {cluster: echo, timeout: 5s, max_grpc_timeout: 0.2s, max_stream_duration: {max_stream_duration: 0s}}
  - match: {prefix: "/slow"}
    route: {cluster: silent, max_grpc_timeout: 0.1s}
`,
    clusterPorts: new Map([['echo', echo.ports.get('echo')!], ['silent', silent.port]]),
  }));
  const grpcCall = async (path: string, timeout?: string, contentType = 'application/grpc'): Promise<Record<string, unknown>> => {
    const r = await send(proxy.port, { method: 'POST', path, authority: 'a', headers: { 'content-type': contentType, ...(timeout ? { 'grpc-timeout': timeout } : {}) }, body: '' });
    assert.equal(r.status, 200);
    assert.equal(r.headers['grpc-status'], undefined, `${path}: ${JSON.stringify(r.headers)}`);
    const h = (JSON.parse(r.body) as EchoReply).headers;
    return { grpc: h['grpc-timeout'], expected: h['x-envoy-expected-rq-timeout-ms'] };
  };
  try {
    assert.deepEqual(await grpcCall('/dep', '1S'), { grpc: '950m', expected: '950' }, 'less the offset');
    assert.deepEqual(await grpcCall('/dep', '1500001u'), { grpc: '1451m', expected: '1451' }, 'u rounded up to whole ms');
    assert.deepEqual(await grpcCall('/dep'), { grpc: '10000m', expected: '10000' }, 'no grpc-timeout: the cap');
    assert.deepEqual(await grpcCall('/cap', '5S'), { grpc: '200m', expected: '200' }, 'capped');
    assert.deepEqual(await grpcCall('/zero', '3S'), { grpc: '3000m', expected: '3000' }, 'max 0: no cap');
    assert.deepEqual(await grpcCall('/zero'), { grpc: undefined, expected: undefined }, 'max 0 and no grpc-timeout: no timeout at all');
    assert.deepEqual(await grpcCall('/new', '1S'), { grpc: '1S', expected: undefined }, 'max_stream_duration: neither the route timeout nor max_grpc_timeout');
    assert.deepEqual(await grpcCall('/cap', '5S', 'application/json'), { grpc: '5S', expected: '15000' }, 'not gRPC: the route timeout');
    const started = Date.now();
    const slow = await send(proxy.port, { method: 'POST', path: '/slow', authority: 'a', headers: { 'content-type': 'application/grpc', 'grpc-timeout': '10S' }, body: '' });
    assert.ok(Date.now() - started < 2000, 'the 100 ms cap fired, not the 10 s grpc-timeout');
    assert.equal(slow.status, 200);
    assert.equal(slow.headers['grpc-status'], '14');
    assert.equal(slow.headers['grpc-message'], 'upstream request timeout');
    assert.match(silent.requests[0]!, /\r\ngrpc-timeout: 100m\r\n/);
    const deadline = Date.now() + 2000;
    while (proxy.completed.length < 9 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    assert.deepEqual(proxy.completed[8]!.responseFlags, ['UT']);
  } finally {
    await proxy.stop();
    await echo.close();
    await silent.close();
  }
});
