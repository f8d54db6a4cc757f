// Upgrades through the real data plane (issue 10 §5): WebSocket with the `ws` client and server
// (101 relayed, messages both ways, either side closing ends both, access log), the route's
// upgrade_configs disabling it (403 upgrade_failed), an upstream that refuses the upgrade
// (its response relayed), and CONNECT to a TCP echo cluster host (200, then a byte tunnel).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer as createHttpServer } from 'node:http';
import { connect, createServer as createTcpServer, type AddressInfo, type Server } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import { startProxy, type Proxy } from './proxy.js';
import { bootstrapYaml } from './bootstrap.js';

function bootstrap(ports: { ws: number; refuse: number; tcp: number }, idle = '300s'): string {
  return bootstrapYaml({
    statPrefix: 'up',
    hcmExtraYaml: `stream_idle_timeout: ${idle}
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
  - match: {prefix: "/refuse"}
    route: {cluster: refuse}
  - match: {prefix: "/"}
    route: {cluster: ws, prefix_rewrite: "/rewritten/"}
`,
    clusterPorts: new Map([['ws', ports.ws], ['refuse', ports.refuse], ['tcp', ports.tcp]]),
  });
}

interface Upstreams {
  ports: { ws: number; refuse: number; tcp: number };
  seen: { url: string; headers: Record<string, string | string[] | undefined> }[];
  wss: WebSocketServer;
  close(): Promise<void>;
}

async function startUpstreams(): Promise<Upstreams> {
  const seen: Upstreams['seen'] = [];
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((r) => wss.once('listening', () => r()));
  wss.on('connection', (socket, req) => {
    seen.push({ url: req.url ?? '', headers: req.headers });
    socket.on('message', (data, isBinary) => {
      const text = data.toString();
      if (text === 'bye') socket.close(1000, 'server done');
      else if (text === 'kill') (socket as unknown as { _socket: import('node:net').Socket })._socket.resetAndDestroy();
      else socket.send(isBinary ? data : `echo:${text}`, { binary: isBinary });
    });
  });
  const refuse = createHttpServer((_req, res) => {
    res.writeHead(404, { 'content-type': 'text/plain', 'content-length': '6' });
    res.end('nope!\n');
  });
  await new Promise<void>((r) => refuse.listen(0, '127.0.0.1', () => r()));
  const tcp: Server = createTcpServer((s) => s.pipe(s));
  await new Promise<void>((r) => tcp.listen(0, '127.0.0.1', () => r()));
  return {
    ports: { ws: (wss.address() as AddressInfo).port, refuse: (refuse.address() as AddressInfo).port, tcp: (tcp.address() as AddressInfo).port },
    seen,
    wss,
    close: async () => {
      for (const c of wss.clients) c.terminate();
      await new Promise<void>((r) => wss.close(() => r()));
      refuse.closeAllConnections();
      await new Promise<void>((r) => refuse.close(() => r()));
      await new Promise<void>((r) => tcp.close(() => r()));
    },
  };
}

async function waitFor(p: Proxy, n: number): Promise<void> {
  const deadline = Date.now() + 3000;
  while (p.completed.length < n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  assert.ok(p.completed.length >= n, `expected ${n} completed streams, got ${p.completed.length}`);
}

function open(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(new Error(`unexpected response ${res.statusCode}`)));
  });
}

function next(ws: WebSocket): Promise<string> {
  return new Promise((resolve) => ws.once('message', (d) => resolve(d.toString())));
}

test('WebSocket through upgrade_configs: 101 relayed, messages both ways, route rewrite applied, a clean close ends the tunnel (101, no flag, bytes)', async () => {
  const up = await startUpstreams();
  const proxy = await startProxy(bootstrap(up.ports));
  try {
    const ws = await open(`ws://127.0.0.1:${proxy.port}/chat?room=1`);
    const first = next(ws);
    ws.send('hello');
    assert.equal(await first, 'echo:hello');
    const big = 'x'.repeat(200_000);
    const second = next(ws);
    ws.send(big);
    assert.equal(await second, `echo:${big}`);
    assert.equal(up.seen.length, 1);
    assert.equal(up.seen[0]!.url, '/rewritten/chat?room=1');
    assert.equal(up.seen[0]!.headers['x-forwarded-proto'], 'http');
    assert.match(String(up.seen[0]!.headers['x-request-id']), /^[0-9a-f-]{36}$/);
    ws.close(1000);
    await new Promise((r) => ws.once('close', r));
    await waitFor(proxy, 1);
    const info = proxy.completed[0]!;
    assert.equal(info.responseCode, 101);
    assert.deepEqual(info.responseFlags, []);
    assert.equal(info.responseCodeDetails, 'via_upstream');
    assert.ok(info.bytesReceived > 200_000, `bytes received ${info.bytesReceived}`);
    assert.ok(info.bytesSent > 200_000, `bytes sent ${info.bytesSent}`);
    assert.equal(proxy.server.store.counter('http.up.downstream_rq_1xx').value, 1);
  } finally {
    await proxy.stop();
    await up.close();
  }
});

test('the upstream closing the WebSocket ends the client side too; an upstream reset is UC; a route disabling websocket gets 403 upgrade_failed; an upstream refusing the upgrade is relayed', async () => {
  const up = await startUpstreams();
  const proxy = await startProxy(bootstrap(up.ports));
  try {
    const ws = await open(`ws://127.0.0.1:${proxy.port}/x`);
    const closed = new Promise<number>((r) => ws.once('close', (code) => r(code)));
    ws.send('bye');
    assert.equal(await closed, 1000);
    await waitFor(proxy, 1);
    assert.deepEqual(proxy.completed[0]!.responseFlags, []);
    const ws2 = await open(`ws://127.0.0.1:${proxy.port}/y`);
    const closed2 = new Promise<number>((r) => ws2.once('close', (code) => r(code)));
    ws2.on('error', () => {});
    ws2.send('kill');
    assert.equal(await closed2, 1006, 'the client sees the connection drop');
    await waitFor(proxy, 2);
    assert.deepEqual(proxy.completed[1]!.responseFlags, ['UC']);
    await assert.rejects(open(`ws://127.0.0.1:${proxy.port}/nows`), /unexpected response 403/);
    await waitFor(proxy, 3);
    assert.equal(proxy.completed[2]!.responseCodeDetails, 'upgrade_failed');
    await assert.rejects(open(`ws://127.0.0.1:${proxy.port}/refuse`), /unexpected response 404/);
    assert.equal(up.seen.length, 2, 'the refused and disabled upgrades never reached the WebSocket server');
  } finally {
    await proxy.stop();
    await up.close();
  }
});

test('CONNECT to a connect_matcher route: 200 once the cluster host is connected, then a byte tunnel', async () => {
  const up = await startUpstreams();
  const proxy = await startProxy(bootstrap(up.ports));
  try {
    const s = connect(proxy.port, '127.0.0.1');
    let got = '';
    s.on('data', (d: Buffer) => (got += d.toString('latin1')));
    s.write('CONNECT example.com:443 HTTP/1.1\r\nhost: example.com:443\r\n\r\n');
    const deadline = Date.now() + 3000;
    while (!got.includes('\r\n\r\n') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    assert.match(got, /^HTTP\/1\.1 200 OK\r\n/);
    const head = got.indexOf('\r\n\r\n') + 4;
    s.write('ping through the tunnel');
    while (got.length < head + 23 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    assert.equal(got.slice(head), 'ping through the tunnel');
    s.end();
    await waitFor(proxy, 1);
    assert.equal(proxy.completed[0]!.responseCode, 200);
    assert.equal(proxy.completed[0]!.upstreamCluster, 'tcp');
  } finally {
    await proxy.stop();
    await up.close();
  }
});
