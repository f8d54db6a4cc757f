/**
 * The router's end of trailers (the filter chain does not dispatch them yet): request trailers
 * given to `decodeTrailers` reach a real HTTP/2 upstream after the body, including when they
 * arrive before the pool gave a stream; upstream response trailers come back through the
 * callbacks' `encodeTrailers` when the connection manager offers it, and otherwise end the
 * response with an empty last chunk.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import type net from 'node:net';
import type { RouteConfiguration } from '../../../src/config/types.js';
import { compileRouteConfig } from '../../../src/core/route.js';
import { CoreRouteProvider } from '../../../src/runtime/http/core_route_provider.js';
import { createRouterFilterFactory } from '../../../src/runtime/filters/router.js';
import type { RouterFilter } from '../../../src/runtime/filters/router.js';
import { createClusterManager } from '../../../src/runtime/upstream/cluster_manager.js';
import { StatsStore } from '../../../src/runtime/stats/store.js';
import type { HeaderList } from '../../../src/runtime/upstream/types.js';
import { FakeCallbacks, factoryContext, request } from './fake_callbacks.js';
import { staticCluster } from '../upstream/helpers.js';

class RecordingCallbacks extends FakeCallbacks {
  readonly body: Buffer[] = [];
  ended = false;
  trailers: HeaderList | undefined;
  override encodeData(chunk?: Buffer, endStream?: boolean): void {
    if (chunk && chunk.length > 0) this.body.push(chunk);
    if (endStream) this.ended = true;
  }
}

class TrailerCallbacks extends RecordingCallbacks {
  override encodeTrailers(trailers: HeaderList): void {
    this.trailers = trailers;
    this.ended = true;
  }
}

async function withRouter(run: (start: (cb: FakeCallbacks) => RouterFilter, received: () => http2.IncomingHttpHeaders | undefined) => Promise<void>): Promise<void> {
  let received: http2.IncomingHttpHeaders | undefined;
  const server = http2.createServer();
  server.on('session', (s) => s.on('error', () => {}));
  server.on('stream', (stream) => {
    stream.on('trailers', (t) => (received = t));
    stream.resume();
    stream.on('end', () => {
      stream.respond({ ':status': 200 }, { waitForTrailers: true });
      stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
      stream.end('resp');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  const store = new StatsStore();
  const cm = createClusterManager(
    [staticCluster('web', [port], { typed_extension_protocol_options: { 'envoy.extensions.upstreams.http.v3.HttpProtocolOptions': { '@type': 'x', explicit_http_config: { http2_protocol_options: {} } } } })],
    store,
    { random: Math.random },
  );
  const rc = { virtual_hosts: [{ name: 'all', domains: ['*'], routes: [{ match: { prefix: '/' }, route: { cluster: 'web' } }] }] } as unknown as RouteConfiguration;
  const provider = new CoreRouteProvider(compileRouteConfig(rc).table);
  const ctx = { ...factoryContext(store), clusterManager: cm, routeProvider: provider };
  const factory = createRouterFilterFactory(undefined, ctx);
  const start = (cb: FakeCallbacks): RouterFilter => {
    cb.routeDecision = provider.route({ authority: 'example.com', path: '/t', method: 'POST', scheme: 'http', headers: {} } as never, 0);
    const f = factory().decoder as RouterFilter;
    f.setDecoderFilterCallbacks(cb);
    return f;
  };
  try {
    await run(start, () => received);
  } finally {
    await cm.shutdown();
    await new Promise<void>((r) => server.close(() => r()));
  }
}

async function until(pred: () => boolean): Promise<void> {
  for (let i = 0; i < 400 && !pred(); i++) await new Promise((r) => setTimeout(r, 5));
  assert.ok(pred(), 'condition not reached');
}

test('request trailers follow the body upstream; response trailers go to encodeTrailers', async () => {
  await withRouter(async (start, received) => {
    const cb = new TrailerCallbacks(request('/t', {}, 'POST'));
    const f = start(cb);
    f.decodeHeaders(cb.requestHeaders, false);
    f.decodeData(Buffer.from('body'), false);
    f.decodeTrailers([['x-checksum', 'abc']]);
    await until(() => cb.ended);
    assert.equal(cb.encoded[0]?.status, 200);
    assert.equal(Buffer.concat(cb.body).toString(), 'resp');
    assert.deepEqual(cb.trailers, [['grpc-status', '0']]);
    assert.equal(received()?.['x-checksum'], 'abc');
  });
});

