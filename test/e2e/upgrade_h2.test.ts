// Upgrades over HTTP/2 downstream (issue 10 §5, RFC 8441): with http2_protocol_options.allow_connect
// the proxy advertises SETTINGS_ENABLE_CONNECT_PROTOCOL; a node:http2 client's extended CONNECT
// (:protocol websocket) reaches a `ws` server (HTTP/1.1) as an `Upgrade: websocket` GET, the
// server's 101 comes back as a 200 on the stream, and WebSocket frames flow both ways as DATA.
// A plain CONNECT to a connect_matcher route tunnels TCP over the stream. Without allow_connect
// a :protocol stream is refused by nghttp2 (RST_STREAM PROTOCOL_ERROR); a route disabling the
// upgrade answers 403.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect as h2connect, type ClientHttp2Session, type ClientHttp2Stream, type IncomingHttpHeaders } from 'node:http2';
import { createServer as createTcpServer, type AddressInfo, type Server } from 'node:net';
import { WebSocketServer } from 'ws';
import { startProxy, type Proxy } from './proxy.js';
import { bootstrapYaml } from './bootstrap.js';

function bootstrap(ports: { ws: number; tcp: number }, allowConnect: boolean): string {
  return bootstrapYaml({
    statPrefix: 'h2up',
    hcmExtraYaml: `codec_type: HTTP2
http2_protocol_options: {allow_connect: ${allowConnect}}
upgrade_configs:
- upgrade_type: websocket
- upgrade_type: CONNECT`,
    routeText: `virtual_hosts:
- name: all
  domains: ["*"]
  routes:
  - match: {connect_matcher: {}}
    route: {cluster: tcp}
  - match: {prefix: "/nows"}
    route: {cluster: ws, upgrade_configs: [{upgrade_type: websocket, enabled: false}]}
  - match: {prefix: "/"}
    route: {cluster: ws, prefix_rewrite: "/up/"}
`,
    clusterPorts: new Map([['ws', ports.ws], ['tcp', ports.tcp]]),
  });
}

/** A masked client frame (RFC 6455 5.2; text unless `opcode` says), payload under 126 bytes. */
function clientFrame(text: string, opcode = 0x81): Buffer {
  const payload = Buffer.from(text, opcode === 0x81 ? 'utf8' : 'latin1');
  const mask = Buffer.from([1, 2, 3, 4]);
  const out = Buffer.alloc(6 + payload.length);
  out[0] = opcode;
  out[1] = 0x80 | payload.length;
  mask.copy(out, 2);
  for (let i = 0; i < payload.length; i++) out[6 + i] = payload[i]! ^ mask[i % 4]!;
  return out;
}

/** The text payloads of the unmasked server frames in `buf` (short frames only). */
function serverTexts(buf: Buffer): string[] {
  const out: string[] = [];
  for (let i = 0; i + 2 <= buf.length; ) {
    const len = buf[i + 1]! & 0x7f;
    if (i + 2 + len > buf.length) break;
    if ((buf[i]! & 0x0f) === 1) out.push(buf.subarray(i + 2, i + 2 + len).toString());
    i += 2 + len;
  }
  return out;
}

async function startUpstreams(): Promise<{ ports: { ws: number; tcp: number }; seen: { url: string; headers: Record<string, unknown> }[]; close(): Promise<void> }> {
  const seen: { url: string; headers: Record<string, unknown> }[] = [];
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((r) => wss.once('listening', () => r()));
  wss.on('connection', (socket, req) => {
    seen.push({ url: req.url ?? '', headers: req.headers });
    socket.on('message', (d) => {
      if (d.toString() === 'bye') socket.close(1000);
      else socket.send(`echo:${d.toString()}`);
    });
  });
  const tcp: Server = createTcpServer((s) => s.on('data', (d: Buffer) => s.write(`tcp:${d.toString()}`)).on('end', () => s.end()));
  await new Promise<void>((r) => tcp.listen(0, '127.0.0.1', () => r()));
  return {
    ports: { ws: (wss.address() as AddressInfo).port, tcp: (tcp.address() as AddressInfo).port },
    seen,
    close: async () => {
      for (const c of wss.clients) c.terminate();
      await new Promise<void>((r) => wss.close(() => r()));
      await new Promise<void>((r) => tcp.close(() => r()));
    },
  };
}

async function session(proxy: Proxy): Promise<ClientHttp2Session> {
  const s = h2connect(`http://127.0.0.1:${proxy.port}`);
  s.on('error', () => {});
  await new Promise<void>((resolve, reject) => {
    s.once('remoteSettings', () => resolve());
    s.once('error', reject);
  });
  return s;
}

function response(stream: ClientHttp2Stream): Promise<IncomingHttpHeaders> {
  return new Promise((resolve, reject) => {
    stream.once('response', resolve);
    stream.once('error', reject);
  });
}

async function until(cond: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 3000;
  while (!cond() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  assert.ok(cond(), what);
}

test('extended CONNECT (allow_connect): a WebSocket over an h2 stream to an HTTP/1.1 ws server; 101 -> 200; frames both ways; the server closing ends the stream', async () => {
  const up = await startUpstreams();
  const proxy = await startProxy(bootstrap(up.ports, true));
  const s = await session(proxy);
  try {
    assert.equal(s.remoteSettings.enableConnectProtocol, true, 'SETTINGS_ENABLE_CONNECT_PROTOCOL advertised');
    const stream = s.request({
      ':method': 'CONNECT',
      ':protocol': 'websocket',
      ':scheme': 'http',
      ':path': '/chat?x=1',
      ':authority': 'ws.test',
      'sec-websocket-version': '13',
      'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
    }, { endStream: false });
    const head = await response(stream);
    assert.equal(head[':status'], 200);
    assert.equal(head['sec-websocket-accept'], 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
    assert.equal(head['upgrade'], undefined);
    assert.equal(up.seen.length, 1);
    assert.equal(up.seen[0]!.url, '/up/chat?x=1');
    assert.equal(up.seen[0]!.headers['upgrade'], 'websocket');
    assert.equal(up.seen[0]!.headers['host'], 'ws.test');
    let got = Buffer.alloc(0);
    stream.on('data', (d: Buffer) => (got = Buffer.concat([got, d])));
    stream.write(clientFrame('hello'));
    await until(() => serverTexts(got).length === 1, 'echo of hello');
    stream.write(clientFrame('again'));
    await until(() => serverTexts(got).length === 2, 'echo of again');
    assert.deepEqual(serverTexts(got), ['echo:hello', 'echo:again']);
    const ended = new Promise((r) => stream.once('end', r));
    stream.write(clientFrame('bye'));
    // The server's close frame (opcode 8), answered with ours: the server then closes its
    // connection, and the proxy ends the stream.
    await until(() => got.some((b, i) => i > 0 && got[i - 1] === 0x88 && b === 2), 'the server close frame');
    stream.write(clientFrame('\u0003\u00e8', 0x88));
    await ended;
    stream.end();
    await until(() => proxy.completed.length === 1, 'the tunnel completed');
    const info = proxy.completed[0]!;
    assert.equal(info.protocol, 'HTTP/2');
    // As Envoy: the stream info has the upstream's 101; the h2 codec sends it as 200.
    assert.equal(info.responseCode, 101);
    assert.deepEqual(info.responseFlags, []);
    assert.equal(info.responseCodeDetails, 'via_upstream');
    assert.equal(info.bytesReceived, 11 + 11 + 9 + 8, 'the four masked client frames');
    assert.ok(info.bytesSent >= 12 + 12, `bytes sent ${info.bytesSent}`);
    // The connection serves on.
    const plain = s.request({ ':method': 'GET', ':path': '/nows', ':authority': 'ws.test' });
    plain.resume();
    assert.ok((await response(plain))[':status'] !== undefined);
  } finally {
    s.destroy();
    await proxy.stop();
    await up.close();
  }
});

test('plain CONNECT over h2 tunnels TCP to the connect_matcher cluster; a disabled route is 403; a client reset is DC', async () => {
  const up = await startUpstreams();
  const proxy = await startProxy(bootstrap(up.ports, true));
  const s = await session(proxy);
  try {
    const stream = s.request({ ':method': 'CONNECT', ':authority': 'example.com:443' }, { endStream: false });
    const head = await response(stream);
    assert.equal(head[':status'], 200);
    let got = '';
    stream.on('data', (d: Buffer) => (got += d.toString()));
    stream.write('ping');
    await until(() => got === 'tcp:ping', 'bytes through the tunnel');
    stream.end();
    await new Promise((r) => stream.once('close', r));
    await until(() => proxy.completed.length === 1, 'the CONNECT completed');
    assert.equal(proxy.completed[0]!.upstreamCluster, 'tcp');
    assert.deepEqual(proxy.completed[0]!.responseFlags, []);

    const refused = s.request({ ':method': 'CONNECT', ':protocol': 'websocket', ':scheme': 'http', ':path': '/nows', ':authority': 'ws.test' }, { endStream: false });
    refused.resume();
    assert.equal((await response(refused))[':status'], 403);
    await until(() => proxy.completed.length === 2, 'the refusal completed');
    assert.equal(proxy.completed[1]!.responseCodeDetails, 'upgrade_failed');

    const reset = s.request({ ':method': 'CONNECT', ':authority': 'example.com:443' }, { endStream: false });
    assert.equal((await response(reset))[':status'], 200);
    reset.close(8 /* CANCEL */);
    await until(() => proxy.completed.length === 3, 'the reset tunnel completed');
    assert.deepEqual(proxy.completed[2]!.responseFlags, ['DC']);
    assert.equal(up.seen.length, 0, 'nothing reached the WebSocket server');
  } finally {
    s.destroy();
    await proxy.stop();
    await up.close();
  }
});

test('without allow_connect the proxy does not advertise extended CONNECT and refuses :protocol streams', async () => {
  const up = await startUpstreams();
  const proxy = await startProxy(bootstrap(up.ports, false));
  const s = await session(proxy);
  try {
    assert.notEqual(s.remoteSettings.enableConnectProtocol, true);
    const stream = s.request({ ':method': 'CONNECT', ':protocol': 'websocket', ':scheme': 'http', ':path': '/', ':authority': 'ws.test' }, { endStream: false });
    stream.on('error', () => {});
    await new Promise((r) => stream.once('close', r));
    assert.equal(stream.rstCode, 1, 'RST_STREAM PROTOCOL_ERROR from nghttp2');
    assert.equal(up.seen.length, 0);
    assert.equal(proxy.completed.length, 0, 'the stream never reached the connection manager');
  } finally {
    s.destroy();
    await proxy.stop();
    await up.close();
  }
});
