// HTTP/2 downstream through the real data plane (issue 10 §2): codec_type AUTO sniffs the h2c
// preface (HTTP/1.1 on the same port keeps working), codec_type HTTP2, real peers (curl
// --http2-prior-knowledge, nghttp, h2load) and node:http2 for resets and GOAWAY on drain.
// Everything goes through one listener to HTTP/1 echo upstreams.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startProxy, type Proxy } from './proxy.js';
import { bootstrapYaml } from './bootstrap.js';
import { startEchoUpstreams, type EchoReply } from './echo_upstreams.js';
import { runCommand } from '../run_command.js';

const ROUTES = `name: local
virtual_hosts:
- name: all
  domains: ["*"]
  routes:
  - match: {prefix: "/slow"}
    route: {cluster: slow}
  - match: {prefix: "/"}
    route: {cluster: web}
`;

const run = (cmd: string, args: string[], timeoutMs = 20000) => runCommand(cmd, args, { timeoutMs });

/** An upstream that holds every request until the test releases it (and records the body it got). */
async function startSlowUpstream(): Promise<{ port: number; server: Server; got: Promise<string>; release: () => void }> {
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  let gotResolve!: (s: string) => void;
  const got = new Promise<string>((r) => (gotResolve = r));
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    gotResolve(req.url ?? '');
    void released.then(() => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(`slow:${body.length}`);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { port: (server.address() as AddressInfo).port, server, got, release };
}

async function withProxy(hcmExtraYaml: string | undefined, fn: (p: Proxy, slow: Awaited<ReturnType<typeof startSlowUpstream>>) => Promise<void>): Promise<void> {
  const echo = await startEchoUpstreams(['web']);
  const slow = await startSlowUpstream();
  const ports = new Map(echo.ports);
  ports.set('slow', slow.port);
  const proxy = await startProxy(bootstrapYaml({ routeText: ROUTES, clusterPorts: ports, ...(hcmExtraYaml ? { hcmExtraYaml } : {}) }));
  try {
    await fn(proxy, slow);
  } finally {
    slow.release();
    await proxy.stop();
    await echo.close();
    slow.server.closeAllConnections();
    await new Promise<void>((r) => slow.server.close(() => r()));
  }
}

function counter(p: Proxy, name: string): number {
  return p.server.store.counter(name).value;
}

test('codec AUTO: curl --http2-prior-knowledge and HTTP/1.1 on the same port; %PROTOCOL% HTTP/2; authority reaches the upstream as Host', async () => {
  await withProxy(undefined, async (p) => {
    const h2 = await run('curl', ['-sS', '--http2-prior-knowledge', '-H', 'x-test: 1', `http://127.0.0.1:${p.port}/a?b=1`, '-w', '\n%{http_version} %{http_code}']);
    assert.equal(h2.code, 0, h2.stderr);
    const [json, tail] = h2.stdout.split('\n');
    assert.equal(tail, '2 200');
    const echo = JSON.parse(json!) as EchoReply;
    assert.equal(echo.path, '/a?b=1');
    assert.equal(echo.host, `127.0.0.1:${p.port}`);
    assert.equal(echo.headers['x-test'], '1');
    assert.equal(echo.headers['x-forwarded-proto'], 'http');
    const h1 = await run('curl', ['-sS', '--http1.1', `http://127.0.0.1:${p.port}/c`, '-w', '\n%{http_version} %{http_code}']);
    assert.equal(h1.code, 0, h1.stderr);
    assert.match(h1.stdout, /\n1\.1 200$/);
    assert.deepEqual(p.completed.map((i) => i.protocol), ['HTTP/2', 'HTTP/1.1']);
    assert.equal(counter(p, 'http.e2e.downstream_cx_http2_total'), 1);
    assert.equal(counter(p, 'http.e2e.downstream_rq_http2_total'), 1);
    assert.equal(counter(p, 'http.e2e.downstream_cx_http1_total'), 1);
    assert.equal(counter(p, 'http.e2e.downstream_rq_2xx'), 2);
  });
});

test('nghttp: 20 concurrent streams on one connection, all answered by the upstream', async () => {
  await withProxy(undefined, async (p) => {
    const urls = Array.from({ length: 20 }, (_, i) => `http://127.0.0.1:${p.port}/n${i}`);
    const r = await run('nghttp', ['-n', '-s', ...urls]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(p.completed.length, 20);
    assert.ok(p.completed.every((i) => i.responseCode === 200 && i.protocol === 'HTTP/2'));
    assert.equal(counter(p, 'http.e2e.downstream_cx_http2_total'), 1);
    assert.equal(counter(p, 'http.e2e.downstream_rq_http2_total'), 20);
  });
});

test('h2load: 400 requests over 4 connections with 10 streams each, all 2xx', async () => {
  await withProxy(undefined, async (p) => {
    const r = await run('h2load', ['-n', '400', '-c', '4', '-m', '10', `http://127.0.0.1:${p.port}/load`], 60000);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /requests: 400 total, 400 started, 400 done, 400 succeeded, 0 failed, 0 errored/);
    assert.match(r.stdout, /status codes: 400 2xx/);
    assert.equal(counter(p, 'http.e2e.downstream_rq_http2_total'), 400);
  });
});

test('a request body over h2 reaches the upstream whole; a client RST_STREAM resets the upstream request (DR, rx_reset)', async () => {
  await withProxy(undefined, async (p, slow) => {
    const client = http2.connect(`http://127.0.0.1:${p.port}`);
    try {
      // A POST whose body completes: its response comes back once released.
      const post = client.request({ ':method': 'POST', ':path': '/slow/post', 'content-type': 'text/plain' });
      post.end('x'.repeat(70000));
      assert.equal(await slow.got, '/slow/post');
      // A second stream, reset by the client while the upstream holds it.
      const held = client.request({ ':method': 'GET', ':path': '/slow/held' });
      held.on('error', () => {});
      await new Promise((r) => setTimeout(r, 50));
      held.close(http2.constants.NGHTTP2_CANCEL);
      const deadline = Date.now() + 3000;
      while (!p.completed.some((i) => i.path === '/slow/held') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      const reset = p.completed.find((i) => i.path === '/slow/held');
      assert.ok(reset, 'the reset stream completed');
      assert.deepEqual(reset.responseFlags, ['DR']);
      assert.equal(reset.responseCode, 0);
      assert.equal(reset.responseCodeDetails, 'http2.remote_reset');
      assert.equal(counter(p, 'http.e2e.downstream_rq_rx_reset'), 1);
      slow.release();
      const body = await new Promise<string>((resolve, reject) => {
        let b = '';
        post.on('data', (c: Buffer) => (b += c.toString()));
        post.on('end', () => resolve(b));
        post.on('error', reject);
      });
      assert.equal(body, 'slow:70000');
    } finally {
      client.close();
    }
  });
});

test('drain: an open h2 connection gets GOAWAY; the stream in flight completes', async () => {
  await withProxy(undefined, async (p, slow) => {
    const client = http2.connect(`http://127.0.0.1:${p.port}`);
    client.on('error', () => {});
    const goaway = new Promise<number>((r) => client.once('goaway', (code: number) => r(code)));
    const req = client.request({ ':method': 'GET', ':path': '/slow/drain' });
    const response = new Promise<number>((resolve, reject) => {
      req.on('response', (h) => resolve(Number(h[':status'])));
      req.on('error', reject);
    });
    req.resume();
    await slow.got;
    const stopped = p.server.stop(2000);
    assert.equal(await goaway, 0);
    slow.release();
    assert.equal(await response, 200);
    await stopped;
    client.destroy();
  });
});

test('codec_type HTTP2: HTTP/1.1 bytes are a bad preface (connection closed, nothing upstream); h2c is served', async () => {
  await withProxy('codec_type: HTTP2', async (p) => {
    const h1 = await run('curl', ['-sS', '--http1.1', `http://127.0.0.1:${p.port}/x`]);
    assert.notEqual(h1.code, 0);
    const h2 = await run('curl', ['-sS', '--http2-prior-knowledge', `http://127.0.0.1:${p.port}/y`, '-o', '/dev/null', '-w', '%{http_code}']);
    assert.equal(h2.stdout, '200');
    assert.deepEqual(p.completed.map((i) => i.path), ['/y']);
  });
});

test('codec AUTO: a peer that sends part of the preface then ends (or resets) is closed; the proxy keeps serving', async () => {
  await withProxy(undefined, async (p) => {
    const { connect } = await import('node:net');
    for (const how of ['end', 'reset'] as const) {
      await new Promise<void>((resolve) => {
        const s = connect(p.port, '127.0.0.1', () => {
          s.write('PRI * HT');
          setTimeout(() => (how === 'end' ? s.end() : s.resetAndDestroy()), 20);
        });
        s.on('error', () => {});
        s.on('close', () => resolve());
        s.resume();
      });
    }
    const h2 = await run('curl', ['-sS', '--http2-prior-knowledge', `http://127.0.0.1:${p.port}/after`, '-o', '/dev/null', '-w', '%{http_code}']);
    assert.equal(h2.stdout, '200');
    assert.deepEqual(p.completed.map((i) => i.path), ['/after']);
  });
});

test('a client that closes its h2c connection is counted as gone: downstream_cx_http2_active and downstream_cx_active return to 0', async () => {
  await withProxy(undefined, async (p) => {
    for (let i = 0; i < 3; i++) {
      const r = await run('curl', ['-sS', '-o', '/dev/null', '--http2-prior-knowledge', `http://127.0.0.1:${p.port}/x${i}`, '-w', '%{http_code}']);
      assert.equal(r.stdout, '200', r.stderr);
    }
    const gauge = (name: string) => p.server.store.gauge(name).value;
    for (let i = 0; i < 100 && gauge('http.e2e.downstream_cx_http2_active') !== 0; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(gauge('http.e2e.downstream_cx_http2_active'), 0);
    assert.equal(gauge('http.e2e.downstream_cx_active'), 0);
    assert.equal(counter(p, 'http.e2e.downstream_cx_destroy_remote'), 3);
  });
});
