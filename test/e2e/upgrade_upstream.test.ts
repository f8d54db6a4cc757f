// The upstream side of upgrades (issue 10 §5): the tunnel's connection goes through the HTTP/1
// client codec (llhttp parses the upstream's response; a 101 hands the socket over). Raw
// upstreams check the bytes on the wire: the request head (connection: upgrade, no body framing),
// bytes that follow the 101 in the same read and the client's bytes after its head (both
// forwarded, none lost), a refusal with a chunked body relayed, and the failures before a
// response (503 UC, 502 UPE, 503 UF). Then a WebSocket to a TLS upstream (the cluster's
// UpstreamTlsContext, verified against its CA, SNI as configured).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { connect, createServer as createTcpServer, type AddressInfo, type Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { WebSocket, WebSocketServer } from 'ws';
import { startProxy, type Proxy } from './proxy.js';
import { bootstrapYaml } from './bootstrap.js';
import { startRawUpstream } from './raw_upstream.js';
import { makeTestPki } from './tls_certs.js';

const UPGRADE_CONFIGS = `upgrade_configs:
- upgrade_type: websocket
- upgrade_type: x-test`;

async function waitFor(p: Proxy, n: number): Promise<void> {
  const deadline = Date.now() + 3000;
  while (p.completed.length < n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  assert.ok(p.completed.length >= n, `expected ${n} completed streams, got ${p.completed.length}`);
}

/** Reads from `s` until `done(text)` holds (or 3 s pass); returns everything read. */
async function readUntil(s: Socket, got: { text: string }, done: (text: string) => boolean): Promise<string> {
  const deadline = Date.now() + 3000;
  while (!done(got.text) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  return got.text;
}

function rawClient(port: number): { s: Socket; got: { text: string } } {
  const s = connect(port, '127.0.0.1');
  const got = { text: '' };
  s.on('data', (d: Buffer) => (got.text += d.toString('latin1')));
  s.on('error', () => {});
  return { s, got };
}

async function freePort(): Promise<number> {
  const srv = createTcpServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const port = (srv.address() as AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

test('the upgrade request goes out through the client codec; bytes after the 101 head and after the client head are forwarded, none lost', async () => {
  const received: Buffer[] = [];
  const up = await startRawUpstream((s, head) => {
    if (!head.startsWith('GET /t ')) return;
    // The 101 and the new protocol's first bytes in ONE write: they arrive in one read.
    s.write('HTTP/1.1 101 Switching Protocols\r\nconnection: Upgrade\r\nupgrade: x-test\r\nx-from: upstream\r\n\r\nearly-from-upstream');
    s.on('data', (d: Buffer) => {
      received.push(d);
      if (Buffer.concat(received).toString('latin1').endsWith('later')) s.write('|echo');
    });
  });
  const proxy = await startProxy(bootstrapYaml({
    hcmExtraYaml: UPGRADE_CONFIGS,
    routeText: `virtual_hosts: [{name: all, domains: ["*"], routes: [{match: {prefix: "/"}, route: {cluster: raw}}]}]`,
    clusterPorts: new Map([['raw', up.port]]),
  }));
  try {
    const { s, got } = rawClient(proxy.port);
    s.write('GET /t HTTP/1.1\r\nhost: a.test\r\nconnection: upgrade\r\nupgrade: x-test\r\n\r\nearly-from-client');
    const text = await readUntil(s, got, (t) => t.includes('early-from-upstream'));
    assert.match(text, /^HTTP\/1\.1 101 Switching Protocols\r\n/);
    assert.match(text, /\r\nx-from: upstream\r\n/i);
    assert.match(text, /\r\nupgrade: x-test\r\n/i);
    assert.ok(text.endsWith('\r\n\r\nearly-from-upstream'), JSON.stringify(text));
    const head = up.requests[0]!;
    assert.match(head, /^GET \/t HTTP\/1\.1\r\nhost: a\.test\r\n/);
    assert.match(head, /\r\nconnection: upgrade\r\nupgrade: x-test\r\n\r\n$/);
    assert.doesNotMatch(head, /transfer-encoding|content-length/i, 'an upgrade request has no body framing');
    s.write('later');
    const all = await readUntil(s, got, (t) => t.endsWith('|echo'));
    assert.ok(all.endsWith('early-from-upstream|echo'), JSON.stringify(all));
    assert.equal(Buffer.concat(received).toString('latin1'), 'early-from-clientlater');
    s.end();
    await waitFor(proxy, 1);
    assert.equal(proxy.completed[0]!.responseCode, 101);
    assert.equal(proxy.completed[0]!.bytesReceived, 'early-from-clientlater'.length);
    assert.equal(proxy.completed[0]!.bytesSent, 'early-from-upstream|echo'.length);
  } finally {
    await proxy.stop();
    await up.close();
  }
});

test('an upstream refusing the upgrade with a chunked body is relayed (llhttp decodes it); failures before a response: closed 503 UC, garbage 502 UPE, refused 503 UF', async () => {
  const up = await startRawUpstream((s, head) => {
    if (head.startsWith('GET /refuse ')) s.write('HTTP/1.1 403 Forbidden\r\ncontent-type: text/plain\r\ntransfer-encoding: chunked\r\n\r\n5\r\nnot h\r\n5\r\nere!\n\r\n0\r\n\r\n');
    else if (head.startsWith('GET /close ')) s.end();
    else if (head.startsWith('GET /garbage ')) s.write('SSH-2.0-OpenSSH\r\n\r\n');
  });
  const dead = await freePort();
  const proxy = await startProxy(bootstrapYaml({
    hcmExtraYaml: UPGRADE_CONFIGS,
    routeText: `virtual_hosts: [{name: all, domains: ["*"], routes: [
  {match: {prefix: "/dead"}, route: {cluster: dead}},
  {match: {prefix: "/"}, route: {cluster: raw}}]}]`,
    clusterPorts: new Map([['raw', up.port], ['dead', dead]]),
  }));
  const upgradeGet = (path: string): Promise<{ status: number; body: string }> =>
    new Promise((resolve, reject) => {
      const r = httpRequest({ host: '127.0.0.1', port: proxy.port, path, agent: false, headers: { connection: 'upgrade', upgrade: 'websocket' } }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      r.on('upgrade', () => reject(new Error('unexpected 101')));
      r.on('error', reject);
      r.end();
    });
  try {
    const refused = await upgradeGet('/refuse');
    assert.deepEqual(refused, { status: 403, body: 'not here!\n' });
    const closed = await upgradeGet('/close');
    assert.equal(closed.status, 503);
    assert.equal(closed.body, 'upstream connect error or disconnect/reset before headers. reset reason: connection termination');
    const garbage = await upgradeGet('/garbage');
    assert.equal(garbage.status, 502);
    const unreachable = await upgradeGet('/dead');
    assert.equal(unreachable.status, 503);
    assert.match(unreachable.body, /reset reason: remote connection failure, transport failure reason: delayed connect error: Connection refused$/);
    await waitFor(proxy, 4);
    const flags = proxy.completed.map((i) => [i.responseCode, i.responseFlags.join(','), i.responseCodeDetails]);
    assert.deepEqual(flags.map((f) => f.slice(0, 2)), [[403, ''], [503, 'UC'], [502, 'UPE'], [503, 'UF']]);
    assert.equal(flags[0]![2], 'via_upstream');
    assert.equal(flags[1]![2], 'upstream_reset_before_response_started{connection_termination}');
    assert.match(String(flags[2]![2]), /^upstream_reset_before_response_started\{protocol_error,Response_does_not_match_the_HTTP\/1\.1_protocol_\(/);
    assert.equal(flags[3]![2], 'upstream_reset_before_response_started{remote_connection_failure,delayed_connect_error:_Connection_refused}');
    const deadline = Date.now() + 3000;
    while (up.openSockets() > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    assert.equal(up.openSockets(), 0, 'every tunnel connection was closed');
  } finally {
    await proxy.stop();
    await up.close();
  }
});

test('WebSocket to a TLS upstream: the tunnel connects with the cluster UpstreamTlsContext (SNI, CA verified), messages both ways', async () => {
  const pki = makeTestPki();
  const https = createHttpsServer({ cert: readFileSync(pki.path('upstream.crt')), key: readFileSync(pki.path('upstream.key')) });
  const wss = new WebSocketServer({ server: https });
  const seen: { sni: string | false | null | undefined; url: string }[] = [];
  wss.on('connection', (socket, req) => {
    seen.push({ sni: (req.socket as TLSSocket).servername, url: req.url ?? '' });
    socket.on('message', (d) => socket.send(`tls-echo:${d.toString()}`));
  });
  await new Promise<void>((r) => https.listen(0, '127.0.0.1', () => r()));
  const port = (https.address() as AddressInfo).port;
  const tls = (ca: string): string => `transport_socket:
  name: envoy.transport_sockets.tls
  typed_config:
    "@type": type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext
    sni: backend.internal
    common_tls_context:
      validation_context:
        trusted_ca: {filename: ${pki.path(ca)}}
        match_typed_subject_alt_names: [{san_type: DNS, matcher: {exact: backend.internal}}]`;
  const proxy = await startProxy(bootstrapYaml({
    hcmExtraYaml: UPGRADE_CONFIGS,
    routeText: `virtual_hosts: [{name: all, domains: ["*"], routes: [
  {match: {prefix: "/untrusted"}, route: {cluster: untrusted}},
  {match: {prefix: "/"}, route: {cluster: tls}}]}]`,
    clusterPorts: new Map([['tls', port], ['untrusted', port]]),
    clusterExtraYaml: { tls: tls('ca.crt'), untrusted: tls('other-ca.crt') },
  }));
  try {
    const ws = new WebSocket(`ws://127.0.0.1:${proxy.port}/secure`);
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    const reply = new Promise<string>((r) => ws.once('message', (d) => r(d.toString())));
    ws.send('over tls');
    assert.equal(await reply, 'tls-echo:over tls');
    assert.deepEqual(seen, [{ sni: 'backend.internal', url: '/secure' }]);
    ws.close(1000);
    await waitFor(proxy, 1);
    assert.equal(proxy.completed[0]!.responseCode, 101);
    const bad = new WebSocket(`ws://127.0.0.1:${proxy.port}/untrusted`);
    const status = await new Promise<number>((resolve) => {
      bad.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      bad.once('open', () => resolve(101));
      bad.once('error', () => resolve(-1));
    });
    assert.equal(status, 503, 'a certificate that does not verify fails the tunnel like the pool (UF)');
    await waitFor(proxy, 2);
    assert.deepEqual(proxy.completed[1]!.responseFlags, ['UF']);
    assert.match(proxy.completed[1]!.responseCodeDetails ?? '', /CERTIFICATE_VERIFY_FAILED/);
    assert.equal(seen.length, 1);
  } finally {
    await proxy.stop();
    for (const c of wss.clients) c.terminate();
    https.closeAllConnections();
    await new Promise<void>((r) => https.close(() => r()));
    pki.cleanup();
  }
});
