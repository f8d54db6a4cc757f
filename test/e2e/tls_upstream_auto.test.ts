// Upstream TLS chosen per request and per connection, end to end with curl as the client:
// - upstream_http_protocol_options.auto_sni: the SNI is the request's host (after the route's
//   host rewrite, or from override_auto_sni_header); pools are per SNI, so two hosts through one
//   cluster get two connections, each with its own SNI, and a host seen again reuses its own;
// - auto_san_validation: the upstream certificate must carry that host (wildcard SANs count);
//   a mismatch is 503 UF with Envoy's transport failure reason and cluster.<name>.ssl.fail_verify_san;
// - HttpProtocolOptions.auto_config: the connection offers h2,http/1.1 and speaks what the
//   upstream's ALPN picked: HTTP/2 (requests multiplexed on one connection) or HTTP/1.1.
// The upstreams are node:https / node:http2 servers with certificates made at test time.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { createSecureServer, type Http2SecureServer, type Http2ServerRequest } from 'node:http2';
import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { readFileSync } from 'node:fs';
import { makeTestPki, type TestPki } from './tls_certs.js';
import { bootstrapYaml, prefixRoutesYaml } from './bootstrap.js';
import { startProxy, type Proxy } from './proxy.js';
import { runCommand } from '../run_command.js';
import { CERTIFICATE_VERIFY_FAILED } from '../../src/runtime/network/upstream_tls.js';
import type { ClusterImpl } from '../../src/runtime/upstream/cluster.js';
import type { Host } from '../../src/runtime/upstream/host.js';

interface Reply {
  sni: string | false | null;
  alpn: string | false | null;
  version: string;
  /** Which upstream connection served the request (1, 2, ... in accept order). */
  conn: number;
  host: string | undefined;
}

/** A TLS upstream that tells which connection, SNI and ALPN served each request. */
interface Upstream {
  port: number;
  /** SNI of each TLS connection, in accept order. */
  readonly connections: Array<string | false | null>;
  close(): Promise<void>;
}

function reply(req: IncomingMessage | Http2ServerRequest, conns: WeakMap<object, number>): Reply {
  const s = req.socket as TLSSocket;
  const session = (req as Http2ServerRequest).stream?.session;
  const conn = (session !== undefined ? conns.get(session) : conns.get(s)) ?? 0;
  return { sni: s.servername, alpn: s.alpnProtocol, version: req.httpVersion, conn, host: req.headers.host ?? (req.headers[':authority'] as string | undefined) };
}

async function startUpstream(pki: TestPki, kind: 'h1' | 'h2'): Promise<Upstream> {
  const connections: Array<string | false | null> = [];
  const conns = new WeakMap<object, number>();
  const tls = { cert: readFileSync(pki.path('server-rsa.crt')), key: readFileSync(pki.path('server-rsa.key')) };
  const handler = (req: IncomingMessage | Http2ServerRequest, res: { setHeader(n: string, v: string): void; end(b: string): void }): void => {
    // Answer a little later, so concurrent requests are in flight together.
    setTimeout(() => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(reply(req, conns)));
    }, 20);
  };
  let server: HttpsServer | Http2SecureServer;
  if (kind === 'h1') {
    server = createHttpsServer({ ...tls, ALPNProtocols: ['http/1.1'] }, handler);
  } else {
    const h2 = createSecureServer({ ...tls, allowHTTP1: true }, handler);
    // An h2 connection is one session (created before our secureConnection listener runs).
    let sessions = 0;
    h2.on('session', (session) => conns.set(session, ++sessions));
    server = h2;
  }
  server.on('secureConnection', (s: TLSSocket) => {
    connections.push(s.servername);
    conns.set(s, connections.length);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    port: (server.address() as AddressInfo).port,
    connections,
    close: () =>
      new Promise<void>((r) => {
        (server as HttpsServer).closeAllConnections?.();
        server.close(() => r());
        // HTTP/2 sessions do not close with the server: the proxy's stop closes them.
      }),
  };
}

let pki: TestPki;
let h1: Upstream;
let h2: Upstream;
let h1b: Upstream;
let proxy: Proxy;

function cluster(name: string, port: number, tlsContext: string, protocolOptions: string, hostname?: string): string {
  const host = hostname !== undefined ? `, hostname: ${hostname}` : '';
  return `  - name: ${name}
    type: STATIC
    connect_timeout: 2s
    load_assignment:
      cluster_name: ${name}
      endpoints: [{lb_endpoints: [{endpoint: {address: {socket_address: {address: 127.0.0.1, port_value: ${port}}}${host}}}]}]
    typed_extension_protocol_options:
      envoy.extensions.upstreams.http.v3.HttpProtocolOptions:
        "@type": type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions
${protocolOptions}
    transport_socket:
      name: envoy.transport_sockets.tls
      typed_config:
        "@type": type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext
${tlsContext}`;
}

function config(): string {
  const trusted = `        common_tls_context:
          validation_context: {trusted_ca: {filename: ${pki.path('ca.crt')}}}`;
  const h1Explicit = `        explicit_http_config: {http_protocol_options: {}}`;
  return bootstrapYaml({
    statPrefix: 'ingress',
    routeText: prefixRoutesYaml([
      { prefix: 'rewrite', cluster: 'auto', extra: 'host_rewrite_literal: "c.example.com"' },
      { prefix: 'auto', cluster: 'auto' },
      { prefix: 'header', cluster: 'header' },
      { prefix: 'sanonly', cluster: 'sanonly' },
      { prefix: 'alpn-h2', cluster: 'alpn_h2' },
      { prefix: 'alpn-h1', cluster: 'alpn_h1' },
      { prefix: 'idle', cluster: 'idle' },
      { prefix: 'hostsni-ok', cluster: 'hostsni_ok' },
      { prefix: 'hostsni-bad', cluster: 'hostsni_bad' },
    ]),
    clusterPorts: new Map(),
    clustersYaml: `${cluster('auto', h1.port, trusted, `        upstream_http_protocol_options: {auto_sni: true, auto_san_validation: true}
${h1Explicit}`)}
${cluster('header', h1b.port, `        sni: fixed.example.com
${trusted}`, `        upstream_http_protocol_options: {auto_sni: true, override_auto_sni_header: x-upstream-sni}
${h1Explicit}`)}
${cluster('sanonly', h1b.port, `        common_tls_context: {}`, `        upstream_http_protocol_options: {auto_san_validation: true}
${h1Explicit}`)}
${cluster('alpn_h2', h2.port, `        common_tls_context: {}`, `        auto_config:
          http_protocol_options: {}
          http2_protocol_options: {max_concurrent_streams: 100}`)}
${cluster('alpn_h1', h1b.port, `        common_tls_context: {}`, `        auto_config: {http_protocol_options: {}, http2_protocol_options: {}}`)}
${cluster('idle', h1b.port, `        common_tls_context: {}`, `        upstream_http_protocol_options: {auto_sni: true}
        common_http_protocol_options: {idle_timeout: 0.2s}
${h1Explicit}`)}
${cluster('hostsni_ok', h1b.port, `        sni: ignored.example.com
        auto_host_sni: true
        auto_sni_san_validation: true
        common_tls_context:
          validation_context:
            trusted_ca: {filename: ${pki.path('ca.crt')}}
            match_typed_subject_alt_names: [{san_type: DNS, matcher: {exact: "nothing.test"}}]`, h1Explicit, 'api.example.com')}
${cluster('hostsni_bad', h1b.port, `        auto_host_sni: true
        auto_sni_san_validation: true
${trusted}`, h1Explicit, 'api.other.test')}`,
  });
}

before(async () => {
  pki = makeTestPki();
  h1 = await startUpstream(pki, 'h1');
  h1b = await startUpstream(pki, 'h1');
  h2 = await startUpstream(pki, 'h2');
  proxy = await startProxy(config());
});

after(async () => {
  await proxy?.stop();
  await h1?.close();
  await h1b?.close();
  await h2?.close();
  pki?.cleanup();
});

const counter = (n: string): number => proxy.server.store.counterValue(n);

/** curl through the proxy; each argument list is one request (curl's `--next`), on one connection when it can. */
async function curl(...requests: string[][]): Promise<Array<{ status: number; body: string }>> {
  const args: string[] = ['-sS'];
  requests.forEach((r, i) => {
    if (i > 0) args.push('--next', '-sS');
    args.push('-w', '\n%{http_code}\n', ...r);
  });
  const res = await runCommand('curl', args);
  assert.equal(res.code, 0, res.stderr);
  const out: Array<{ status: number; body: string }> = [];
  const parts = res.stdout.split('\n');
  for (let i = 0; i + 1 < parts.length; i += 2) out.push({ body: parts[i]!, status: Number(parts[i + 1]) });
  assert.equal(out.length, requests.length, res.stdout);
  return out;
}

const url = (path: string): string => `http://127.0.0.1:${proxy.port}${path}`;

test('auto_sni: two hosts through one cluster get two upstream connections, each with its own SNI; a host seen again reuses its own', async () => {
  const [a, b, a2] = await curl(['-H', 'Host: a.example.com', url('/auto/1')], ['-H', 'Host: b.example.com:8443', url('/auto/2')], ['-H', 'Host: A.Example.com', url('/auto/3')]);
  for (const r of [a, b, a2]) assert.equal(r!.status, 200, r!.body);
  const ra = JSON.parse(a!.body) as Reply;
  const rb = JSON.parse(b!.body) as Reply;
  const ra2 = JSON.parse(a2!.body) as Reply;
  assert.equal(ra.sni, 'a.example.com');
  assert.equal(rb.sni, 'b.example.com', 'the port is not part of the SNI');
  assert.equal(ra2.sni, 'a.example.com');
  assert.ok(ra.conn > 0 && rb.conn > 0);
  assert.notEqual(ra.conn, rb.conn);
  assert.equal(ra2.conn, ra.conn, 'the same host (any case) shares its pool');
  assert.deepEqual(h1.connections, ['a.example.com', 'b.example.com']);
  assert.equal(counter('cluster.auto.ssl.handshake'), 2);
  assert.equal(counter('cluster.auto.upstream_cx_total'), 2);
});

test('auto_sni takes the host after the route\'s host rewrite', async () => {
  const [r] = await curl(['-H', 'Host: a.example.com', url('/rewrite')]);
  assert.equal(r!.status, 200, r!.body);
  const body = JSON.parse(r!.body) as Reply;
  assert.equal(body.sni, 'c.example.com');
  assert.equal(body.host, 'c.example.com');
});

test('auto_san_validation: a host the upstream certificate does not name fails the connection: 503 UF, fail_verify_san', async () => {
  const before = counter('cluster.auto.ssl.fail_verify_san');
  const [r] = await curl(['-H', 'Host: other.test', url('/auto/x')]);
  assert.equal(r!.status, 503);
  assert.match(r!.body, /CERTIFICATE_VERIFY_FAILED/);
  const info = proxy.completed.at(-1)!;
  assert.deepEqual(info.responseFlags, ['UF']);
  assert.equal(info.upstreamTransportFailureReason, CERTIFICATE_VERIFY_FAILED);
  assert.equal(counter('cluster.auto.ssl.fail_verify_san'), before + 1);
  // The handshake itself carried the request's host.
  assert.equal(h1.connections.at(-1), 'other.test');
});

test('override_auto_sni_header: the SNI comes from that header when present, else from the host; it wins over the context sni', async () => {
  const [fromHeader, fromHost] = await curl(
    ['-H', 'Host: a.example.com', '-H', 'x-upstream-sni: header.example.com', url('/header')],
    ['-H', 'Host: d.example.com', url('/header')],
  );
  assert.equal(fromHeader!.status, 200, fromHeader!.body);
  assert.equal((JSON.parse(fromHeader!.body) as Reply).sni, 'header.example.com');
  assert.equal(fromHost!.status, 200, fromHost!.body);
  assert.equal((JSON.parse(fromHost!.body) as Reply).sni, 'd.example.com');
});

test('auto_san_validation alone, without a validation context: the SAN is still checked against the host (Envoy), no SNI is sent', async () => {
  const [ok, bad] = await curl(['-H', 'Host: www.example.com', url('/sanonly')], ['-H', 'Host: other.test', url('/sanonly')]);
  assert.equal(ok!.status, 200, ok!.body);
  assert.equal((JSON.parse(ok!.body) as Reply).sni, false);
  assert.equal(bad!.status, 503);
  assert.equal(counter('cluster.sanonly.ssl.fail_verify_san'), 1);
});

test('auto_config with an h2-capable TLS upstream: ALPN h2 is chosen and concurrent requests share one connection', async () => {
  const n = 6;
  const args = ['--parallel', '--parallel-immediate', '--parallel-max', String(n), '-sS'];
  for (let i = 0; i < n; i++) args.push('-H', 'Host: svc.example.com', url(`/alpn-h2/${i}`));
  const res = await runCommand('curl', args);
  assert.equal(res.code, 0, res.stderr);
  // Parallel transfers write their bodies as they come: one JSON object each.
  const bodies = (res.stdout.match(/\{[^{}]*\}/g) ?? []).map((l) => JSON.parse(l) as Reply);
  assert.equal(bodies.length, n, res.stdout);
  for (const b of bodies) {
    assert.equal(b.alpn, 'h2');
    assert.equal(b.version, '2.0');
  }
  assert.deepEqual([...new Set(bodies.map((b) => b.conn))], [1], 'multiplexed on one connection');
  assert.equal(h2.connections.length, 1);
  assert.equal(counter('cluster.alpn_h2.upstream_cx_http2_total'), 1);
  assert.equal(counter('cluster.alpn_h2.upstream_cx_http1_total'), 0);
  assert.equal(counter('cluster.alpn_h2.upstream_rq_total'), n);
});

test('auto_config with an http/1.1-only TLS upstream: HTTP/1.1 is used', async () => {
  const [a, b] = await curl(['-H', 'Host: svc', url('/alpn-h1/1')], ['-H', 'Host: svc', url('/alpn-h1/2')]);
  for (const r of [a, b]) {
    assert.equal(r!.status, 200, r!.body);
    const body = JSON.parse(r!.body) as Reply;
    assert.equal(body.alpn, 'http/1.1');
    assert.equal(body.version, '1.1');
  }
  assert.equal(counter('cluster.alpn_h1.upstream_cx_http1_total'), 1);
  assert.equal(counter('cluster.alpn_h1.upstream_cx_http2_total'), 0);
});

test('UpstreamTlsContext auto_host_sni: the endpoint hostname is the SNI; auto_sni_san_validation checks it instead of the SAN matchers', async () => {
  const [ok, bad] = await curl(['-H', 'Host: svc', url('/hostsni-ok')], ['-H', 'Host: svc', url('/hostsni-bad')]);
  assert.equal(ok!.status, 200, ok!.body);
  assert.equal((JSON.parse(ok!.body) as Reply).sni, 'api.example.com');
  assert.equal(bad!.status, 503);
  assert.deepEqual(proxy.completed.at(-1)!.responseFlags, ['UF']);
  assert.equal(counter('cluster.hostsni_bad.ssl.fail_verify_san'), 1);
  assert.equal(counter('cluster.hostsni_ok.ssl.fail_verify_san'), 0);
});

test('a pool made for one request host goes once its connections are gone (idle_timeout): hosts do not pile up pools', async () => {
  const [a, b] = await curl(['-H', 'Host: one.example.com', url('/idle')], ['-H', 'Host: two.example.com', url('/idle')]);
  assert.equal(a!.status, 200, a!.body);
  assert.equal(b!.status, 200, b!.body);
  const cluster = proxy.server.clusterManager.getThreadLocalCluster('idle') as ClusterImpl;
  const host = cluster.allHosts[0] as Host;
  assert.equal(host.serverNamePools?.size, 2);
  for (let i = 0; i < 100 && (host.serverNamePools?.size ?? 0) > 0; i++) await new Promise((r) => setTimeout(r, 20));
  assert.equal(host.serverNamePools?.size, 0);
  assert.equal(counter('cluster.idle.upstream_cx_idle_timeout'), 2);
  // A later request for the same host gets a new pool and connection.
  const [c] = await curl(['-H', 'Host: one.example.com', url('/idle')]);
  assert.equal((JSON.parse(c!.body) as Reply).sni, 'one.example.com');
  assert.equal(counter('cluster.idle.upstream_cx_total'), 3);
});
