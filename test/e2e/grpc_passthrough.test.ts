// gRPC through the proxy (issue 10 §4), h2c -> h2c, with @grpc/grpc-js on both ends: unary,
// server-streaming, client-streaming and bidi calls pass with their trailers (grpc-status,
// grpc-message, custom trailing metadata) intact; a client deadline; the server going down
// (UNAVAILABLE from the proxy's local reply); `grpc: {}` route matching.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import { startProxy, type Proxy } from './proxy.js';
import { bootstrapYaml } from './bootstrap.js';

const id = (b: Buffer): Buffer => b;
const svc: grpc.ServiceDefinition = {
  Unary: { path: '/demo.Echo/Unary', requestStream: false, responseStream: false, requestSerialize: id, requestDeserialize: id, responseSerialize: id, responseDeserialize: id },
  Server: { path: '/demo.Echo/Server', requestStream: false, responseStream: true, requestSerialize: id, requestDeserialize: id, responseSerialize: id, responseDeserialize: id },
  Client: { path: '/demo.Echo/Client', requestStream: true, responseStream: false, requestSerialize: id, requestDeserialize: id, responseSerialize: id, responseDeserialize: id },
  Bidi: { path: '/demo.Echo/Bidi', requestStream: true, responseStream: true, requestSerialize: id, requestDeserialize: id, responseSerialize: id, responseDeserialize: id },
};

function trailing(): grpc.Metadata {
  const m = new grpc.Metadata();
  m.set('x-trailer', 'kept');
  return m;
}

async function startGrpcServer(): Promise<{ server: grpc.Server; port: number }> {
  const server = new grpc.Server();
  server.addService(svc, {
    Unary: (call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => {
      const text = call.request.toString();
      if (text === 'fail') cb({ code: grpc.status.FAILED_PRECONDITION, details: 'no such thing' } as grpc.ServiceError, null, trailing());
      else if (text === 'slow') setTimeout(() => cb(null, Buffer.from('late')), 1500);
      else cb(null, Buffer.from(`unary:${text}:${call.metadata.get('x-client')[0] ?? ''}`), trailing());
    },
    Server: (call: grpc.ServerWritableStream<Buffer, Buffer>) => {
      for (let i = 0; i < 5; i++) call.write(Buffer.from(`item${i}`));
      call.end(trailing());
    },
    Client: (call: grpc.ServerReadableStream<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => {
      const parts: string[] = [];
      call.on('data', (d: Buffer) => parts.push(d.toString()));
      call.on('end', () => cb(null, Buffer.from(parts.join('+')), trailing()));
    },
    Bidi: (call: grpc.ServerDuplexStream<Buffer, Buffer>) => {
      call.on('data', (d: Buffer) => call.write(Buffer.from(`bidi:${d.toString()}`)));
      call.on('end', () => call.end(trailing()));
    },
  });
  const port = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))));
  return { server, port };
}

/** A route for the Echo service (gRPC only) to an h2c cluster. */
function bootstrap(upstreamPort: number, routeExtra = ''): string {
  return bootstrapYaml({
    statPrefix: 'grpc',
    routeText: `virtual_hosts:
- name: all
  domains: ["*"]
  routes:
  - match: {prefix: "/demo.Echo/", grpc: {}}
    route: {cluster: echo, timeout: 0s${routeExtra}}
`,
    clusterPorts: new Map([['echo', upstreamPort]]),
    clusterExtraYaml: {
      echo: `typed_extension_protocol_options:
  envoy.extensions.upstreams.http.v3.HttpProtocolOptions:
    "@type": type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions
    explicit_http_config: {http2_protocol_options: {}}`,
    },
  });
}

async function withProxy(fn: (client: grpc.Client, p: Proxy, server: grpc.Server) => Promise<void>, routeExtra = ''): Promise<void> {
  const { server, port } = await startGrpcServer();
  const proxy = await startProxy(bootstrap(port, routeExtra));
  const client = new grpc.Client(`127.0.0.1:${proxy.port}`, grpc.credentials.createInsecure());
  try {
    await fn(client, proxy, server);
  } finally {
    client.close();
    await proxy.stop();
    server.forceShutdown();
  }
}

function statusOf(call: grpc.ClientUnaryCall | grpc.ClientReadableStream<Buffer> | grpc.ClientWritableStream<Buffer> | grpc.ClientDuplexStream<Buffer, Buffer>): Promise<grpc.StatusObject> {
  return new Promise((resolve) => call.on('status', resolve));
}

test('unary, server-streaming, client-streaming and bidi calls pass h2c -> h2c with trailers intact', async () => {
  await withProxy(async (client, p) => {
    const md = new grpc.Metadata();
    md.set('x-client', 'c1');
    let unaryResult: Buffer | undefined;
    const unary = client.makeUnaryRequest('/demo.Echo/Unary', id, id, Buffer.from('hi'), md, (err, v) => {
      assert.equal(err, null);
      unaryResult = v;
    });
    const us = await statusOf(unary);
    assert.equal(us.code, grpc.status.OK);
    assert.equal(unaryResult?.toString(), 'unary:hi:c1');
    assert.deepEqual(us.metadata.get('x-trailer'), ['kept']);

    const items: string[] = [];
    const stream = client.makeServerStreamRequest('/demo.Echo/Server', id, id, Buffer.from('go'));
    stream.on('data', (d: Buffer) => items.push(d.toString()));
    const ss = await statusOf(stream);
    assert.equal(ss.code, grpc.status.OK);
    assert.deepEqual(items, ['item0', 'item1', 'item2', 'item3', 'item4']);
    assert.deepEqual(ss.metadata.get('x-trailer'), ['kept']);

    let sum: Buffer | undefined;
    const up = client.makeClientStreamRequest('/demo.Echo/Client', id, id, (err, v) => {
      assert.equal(err, null);
      sum = v;
    });
    for (const x of ['a', 'b', 'c']) up.write(Buffer.from(x));
    up.end();
    const cs = await statusOf(up);
    assert.equal(cs.code, grpc.status.OK);
    assert.equal(sum?.toString(), 'a+b+c');

    const bidi = client.makeBidiStreamRequest('/demo.Echo/Bidi', id, id);
    const echoed: string[] = [];
    bidi.on('data', (d: Buffer) => {
      echoed.push(d.toString());
      if (echoed.length < 3) bidi.write(Buffer.from(`m${echoed.length}`));
      else bidi.end();
    });
    bidi.write(Buffer.from('m0'));
    const bs = await statusOf(bidi);
    assert.equal(bs.code, grpc.status.OK);
    assert.deepEqual(echoed, ['bidi:m0', 'bidi:m1', 'bidi:m2']);
    assert.deepEqual(bs.metadata.get('x-trailer'), ['kept']);

    // An application error travels as the server's trailers-only response.
    const failed = client.makeUnaryRequest('/demo.Echo/Unary', id, id, Buffer.from('fail'), () => {});
    const fs = await statusOf(failed);
    assert.equal(fs.code, grpc.status.FAILED_PRECONDITION);
    assert.equal(fs.details, 'no such thing');

    const infos = p.completed;
    assert.equal(infos.length, 5);
    assert.ok(infos.every((i) => i.protocol === 'HTTP/2' && i.responseCode === 200 && i.upstreamCluster === 'echo'), JSON.stringify(infos.map((i) => [i.protocol, i.responseCode])));
    assert.equal(p.server.store.counter('cluster.echo.upstream_cx_http2_total').value, 1, 'every call multiplexed on one upstream h2 connection');
  });
});

test('a client deadline ends the call (DEADLINE_EXCEEDED) and resets the upstream stream; the server down is UNAVAILABLE', async () => {
  await withProxy(async (client, _p, server) => {
    const slow = client.makeUnaryRequest('/demo.Echo/Unary', id, id, Buffer.from('slow'), new grpc.Metadata(), { deadline: Date.now() + 300 }, () => {});
    const s = await statusOf(slow);
    assert.equal(s.code, grpc.status.DEADLINE_EXCEEDED);
    server.forceShutdown();
    await new Promise((r) => setTimeout(r, 100));
    const down = client.makeUnaryRequest('/demo.Echo/Unary', id, id, Buffer.from('x'), () => {});
    const d = await statusOf(down);
    assert.equal(d.code, grpc.status.UNAVAILABLE);
  });
});

test('max_stream_duration.grpc_timeout_header_max caps the client deadline: the proxy answers DEADLINE_EXCEEDED (DT, max_duration_timeout) and resets the upstream call', async () => {
  await withProxy(async (client, p) => {
    const started = Date.now();
    const slow = client.makeUnaryRequest('/demo.Echo/Unary', id, id, Buffer.from('slow'), new grpc.Metadata(), { deadline: Date.now() + 10_000 }, () => {});
    const s = await statusOf(slow);
    assert.equal(s.code, grpc.status.DEADLINE_EXCEEDED);
    assert.equal(s.details, 'downstream duration timeout');
    assert.ok(Date.now() - started < 1400, 'answered at the 200 ms cap, before the server (1.5 s)');
    const deadline = Date.now() + 2000;
    while (p.completed.length < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(p.completed[0]!.responseFlags, ['DT']);
    assert.equal(p.completed[0]!.responseCodeDetails, 'max_duration_timeout');
    assert.equal(p.server.store.counter('http.grpc.downstream_rq_max_duration_reached').value, 1);
    // Within the cap the call goes through.
    const ok = client.makeUnaryRequest('/demo.Echo/Unary', id, id, Buffer.from('quick'), () => {});
    assert.equal((await statusOf(ok)).code, grpc.status.OK);
  }, ', max_stream_duration: {grpc_timeout_header_max: 0.2s}');
});
