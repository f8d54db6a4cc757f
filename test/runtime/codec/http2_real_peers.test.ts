// Real HTTP/2 peers (Debian's nghttp2-client and nghttp2-server, curl): nghttp, h2load and curl
// --http2-prior-knowledge send requests through the server codec (a trivial echo handler wired by
// the test); the client codec fetches from nghttpd.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { echoHandler, startCodecServer } from './codec_server.js';
import { h2ClientConnect, h2ServerFactory } from './h2_adapters.js';
import { RecordingConnectionCallbacks, send } from './client_codec_contract.js';
import { runCommand } from '../../run_command.js';

const has = (bin: string): boolean => spawnSync('sh', ['-c', `command -v ${bin}`]).status === 0;
// In CI (CI=true, where .ci/run installs the peers) a missing peer fails the test instead of skipping it.
const missing = (bins: string[]): string | false => {
  const m = bins.filter((b) => !has(b));
  if (process.env.CI === 'true') return false;
  return m.length > 0 ? `not installed: ${m.join(', ')} (Debian nghttp2-client / nghttp2-server)` : false;
};

const run = (cmd: string, args: string[]) => runCommand(cmd, args);

test('nghttp: GET and a POST body through the server codec', { skip: missing(['nghttp']) }, async () => {
  const { factory } = h2ServerFactory();
  const server = await startCodecServer(factory, echoHandler);
  try {
    const get = await run('nghttp', ['-v', `http://127.0.0.1:${server.port}/hello?x=1`]);
    assert.equal(get.code, 0, get.stderr);
    assert.match(get.stdout, /recv \(stream_id=\d+\) :status: 200/);
    assert.ok(get.stdout.includes('/hello?x=1'));
    const dir = mkdtempSync(join(tmpdir(), 'h2peer-'));
    const file = join(dir, 'body.txt');
    writeFileSync(file, 'posted body\n'.repeat(1000));
    const post = await run('nghttp', ['-d', file, `http://127.0.0.1:${server.port}/echo`]);
    assert.equal(post.code, 0, post.stderr);
    assert.equal(post.stdout, 'posted body\n'.repeat(1000));
    assert.equal(server.requests.at(-1)!.headers!.method, 'POST');
  } finally {
    await server.close();
  }
});

test('h2load: 2000 requests on 4 connections, 10 streams each, all answered', { skip: missing(['h2load']) }, async () => {
  const { factory, store } = h2ServerFactory();
  const server = await startCodecServer(factory, echoHandler);
  try {
    const r = await run('h2load', ['-n', '2000', '-c', '4', '-m', '10', `http://127.0.0.1:${server.port}/load`]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /requests: 2000 total, 2000 started, 2000 done, 2000 succeeded, 0 failed, 0 errored/);
    assert.match(r.stdout, /status codes: 2000 2xx/);
    assert.equal(server.requests.length, 2000);
    assert.equal(store.gaugeValue('http2.streams_active'), 0);
  } finally {
    await server.close();
  }
});

test('curl --http2-prior-knowledge through the server codec', { skip: missing(['curl']) }, async () => {
  const { factory } = h2ServerFactory();
  const server = await startCodecServer(factory, echoHandler);
  try {
    const r = await run('curl', ['-sS', '--http2-prior-knowledge', '-o', '-', '-w', '\n%{http_version} %{http_code}', '--data-binary', 'curl-body', `http://127.0.0.1:${server.port}/c`]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'curl-body\n2 200');
  } finally {
    await server.close();
  }
});

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

async function waitListening(port: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('nghttpd did not start');
}

test('the client codec against nghttpd (h2c): GET, 404, 20 multiplexed streams, the peer SETTINGS', { skip: missing(['nghttpd']) }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'nghttpd-'));
  writeFileSync(join(dir, 'index.html'), 'hello from nghttpd\n');
  const port = await freePort();
  const d = spawn('nghttpd', ['--no-tls', '-d', dir, '-a', '127.0.0.1', String(port)], { stdio: 'ignore' });
  const cbs = new RecordingConnectionCallbacks();
  try {
    await waitListening(port);
    const { connect, store } = h2ClientConnect();
    const c = await connect(port, cbs);
    try {
      const ok = send(c, 'GET', '/index.html', { headers: [['user-agent', 'tsproxy-test']] }).res;
      await ok.done;
      assert.equal(ok.reset, undefined);
      assert.equal(ok.status, 200);
      assert.equal(ok.body, 'hello from nghttpd\n');
      assert.match(ok.header('server') ?? '', /nghttpd/);
      const nf = send(c, 'GET', '/missing').res;
      await nf.done;
      assert.equal(nf.status, 404);
      const many = Array.from({ length: 20 }, () => send(c, 'GET', '/index.html').res);
      await Promise.all(many.map((r) => r.done));
      assert.ok(many.every((r) => r.status === 200 && r.body === 'hello from nghttpd\n'));
      // nghttpd announces SETTINGS_MAX_CONCURRENT_STREAMS 100.
      assert.deepEqual(cbs.maxStreams, [100]);
      assert.equal(store.counterValue('cluster.up.http2.rx_reset'), 0);
    } finally {
      c.close();
    }
  } finally {
    d.kill();
  }
});
