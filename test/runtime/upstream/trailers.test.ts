/**
 * Trailers both ways through the pool (what the router's encodeTrailers/onTrailers use): request
 * trailers reach an HTTP/2 upstream, and an HTTP/1.1 upstream when the cluster enables trailers
 * (dropped otherwise, as Envoy); response trailers end the response as `onTrailers`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import http2 from 'node:http2';
import type net from 'node:net';
import type { Cluster } from '../../../src/config/types.js';
import type { HeaderList, PoolCallbacks, RequestEncoder, ResponseDecoder, StreamResetReason, UpstreamHostDescription } from '../../../src/runtime/upstream/types.js';
import { setupCluster, startHttpOrigin, staticCluster, within } from './helpers.js';

/** Sends POST /t with a body and request trailers; records the response and its trailers. */
class TrailerStream implements ResponseDecoder, PoolCallbacks {
  status = 0;
  body = '';
  trailers: HeaderList | undefined;
  reset: StreamResetReason | undefined;
  readonly done: Promise<void>;
  private resolve!: () => void;
  constructor(private readonly requestTrailers: HeaderList) {
    this.done = new Promise((r) => (this.resolve = r));
  }
  onPoolReady(encoder: RequestEncoder, _host: UpstreamHostDescription): void {
    encoder.encodeHeaders('POST', '/t', 'test.local', [['te', 'trailers']], false);
    encoder.encodeData(Buffer.from('body'), false);
    encoder.encodeTrailers!(this.requestTrailers);
  }
  onPoolFailure(): void {
    this.resolve();
  }
  onHeaders(status: number): void {
    this.status = status;
  }
  onData(chunk: Buffer, endStream: boolean): void {
    this.body += chunk.toString();
    if (endStream) this.resolve();
  }
  onTrailers(trailers: HeaderList): void {
    this.trailers = trailers;
    this.resolve();
  }
  onReset(reason: StreamResetReason): void {
    this.reset = reason;
    this.resolve();
  }
}

const H2: Partial<Cluster> = {
  typed_extension_protocol_options: {
    'envoy.extensions.upstreams.http.v3.HttpProtocolOptions': { '@type': 'type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions', explicit_http_config: { http2_protocol_options: {} } },
  },
};

test('HTTP/2: request trailers reach the upstream; response trailers end the response', async () => {
  let received: http2.IncomingHttpHeaders | undefined;
  const server = http2.createServer();
  server.on('stream', (stream) => {
    stream.on('trailers', (t) => (received = t));
    stream.resume();
    stream.on('end', () => {
      stream.respond({ ':status': 200 }, { waitForTrailers: true });
      stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0', 'grpc-message': 'fine' }));
      stream.end('resp');
    });
  });
  server.on('session', (s) => s.on('error', () => {}));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { cm, c } = setupCluster(staticCluster('web', [(server.address() as net.AddressInfo).port], H2));
  try {
    const s = new TrailerStream([['x-checksum', 'abc']]);
    c.httpConnPool(c.chooseHost(undefined)!).newStream(s, s);
    await within(s.done);
    assert.equal(s.status, 200);
    assert.equal(s.body, 'resp');
    assert.deepEqual(s.trailers, [['grpc-status', '0'], ['grpc-message', 'fine']]);
    assert.equal(received?.['x-checksum'], 'abc');
  } finally {
    await cm.shutdown();
    await new Promise<void>((r) => server.close(() => r()));
  }
});

async function h1Trailers(enable: boolean): Promise<{ received: NodeJS.Dict<string>; s: TrailerStream }> {
  let received: NodeJS.Dict<string> = {};
  const origin = await startHttpOrigin((req, res) => {
    req.resume();
    req.on('end', () => {
      received = { ...req.trailers };
      res.writeHead(200, { trailer: 'x-status' });
      res.write('resp');
      res.addTrailers({ 'x-status': 'done' });
      res.end();
    });
  });
  const extra: Partial<Cluster> = enable ? { http_protocol_options: { enable_trailers: true } } : {};
  const { cm, c } = setupCluster(staticCluster('web', [origin.port], extra));
  try {
    const s = new TrailerStream([['x-checksum', 'abc']]);
    c.httpConnPool(c.chooseHost(undefined)!).newStream(s, s);
    await within(s.done);
    return { received, s };
  } finally {
    await cm.shutdown();
    await origin.close();
  }
}

test('HTTP/1.1 with enable_trailers: request trailers go out in the chunked body; response trailers arrive', async () => {
  const { received, s } = await h1Trailers(true);
  assert.equal(s.status, 200);
  assert.equal(s.body, 'resp');
  assert.deepEqual(s.trailers, [['x-status', 'done']]);
  assert.equal(received['x-checksum'], 'abc');
});

test('HTTP/1.1 without enable_trailers: request trailers are dropped, the body still ends', async () => {
  const { received, s } = await h1Trailers(false);
  assert.equal(s.status, 200);
  assert.equal(s.body, 'resp');
  assert.deepEqual(received, {});
});
