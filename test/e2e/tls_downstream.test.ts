// Downstream TLS end to end with real clients: curl (--resolve, SNI), openssl s_client (ALPN,
// versions, certificate selection), Node's tls client (mTLS). Certificates are generated at test
// time (tls_certs.ts). One listener with the tls_inspector and three filter chains: by SNI
// `example.com`/`*.example.com` (RSA + ECDSA certificates), `other.test` (mTLS with a SAN matcher
// and a CRL, XFCC SANITIZE_SET), and raw_buffer (plaintext on the same port).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect as netConnect } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../cli/run_cli.js';
import { duplexPair } from 'node:stream';
import { makeTestPki, revokeAndWriteCrl, type TestPki } from './tls_certs.js';
import { startEchoUpstreams, type EchoUpstreams, type EchoReply } from './echo_upstreams.js';
import { startProxy, type Proxy } from './proxy.js';
import { compileOperator } from '../../src/runtime/access_log/operators.js';
import type { StreamInfo } from '../../src/runtime/stream_info.js';
import { runCommand } from '../run_command.js';

let pki: TestPki;
let echo: EchoUpstreams;
let proxy: Proxy;
let configFile: string;

const ROUTES = `
          route_config:
            virtual_hosts:
            - name: all
              domains: ["*"]
              require_tls: ALL
              routes:
              - match: {prefix: "/"}
                route: {cluster: echo}`;

const ROUTER = `
          http_filters:
          - name: envoy.filters.http.router
            typed_config: {"@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router}`;

function config(p: TestPki, echoPort: number): string {
  const pem = readFileSync(p.path('server-ec.crt'), 'utf8');
  const keyB64 = readFileSync(p.path('server-ec.key')).toString('base64');
  return `
static_resources:
  listeners:
  - name: edge
    stat_prefix: edge
    address: {socket_address: {address: 127.0.0.1, port_value: 0}}
    listener_filters_timeout: 0.3s
    listener_filters:
    - name: envoy.filters.listener.tls_inspector
      typed_config: {"@type": type.googleapis.com/envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector}
    filter_chains:
    - name: example
      filter_chain_match: {server_names: ["example.com", "*.example.com"]}
      transport_socket_connect_timeout: 0.3s
      transport_socket:
        name: envoy.transport_sockets.tls
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext
          common_tls_context:
            alpn_protocols: [h2, http/1.1]
            tls_certificates:
            - certificate_chain: {filename: ${p.path('server-rsa.crt')}}
              private_key: {filename: ${p.path('server-rsa.key')}}
            - certificate_chain: {inline_string: ${JSON.stringify(pem)}}
              private_key: {inline_bytes: ${keyB64}}
      filters:
      - name: envoy.filters.network.http_connection_manager
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
          stat_prefix: example
          codec_type: HTTP1${ROUTES}${ROUTER}
    - name: mtls
      filter_chain_match: {server_names: ["other.test"]}
      transport_socket:
        name: envoy.transport_sockets.tls
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext
          require_client_certificate: true
          common_tls_context:
            tls_params: {tls_minimum_protocol_version: TLSv1_2}
            tls_certificates:
            - certificate_chain: {filename: ${p.path('other.crt')}}
              private_key: {filename: ${p.path('other.key')}}
            validation_context:
              trusted_ca: {filename: ${p.path('ca.crt')}}
              crl: {filename: ${p.path('crl.pem')}}
              match_typed_subject_alt_names:
              - san_type: URI
                matcher: {prefix: "spiffe://test/ns/default/"}
      filters:
      - name: envoy.filters.network.http_connection_manager
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
          stat_prefix: mtls
          forward_client_cert_details: SANITIZE_SET
          set_current_client_cert_details: {subject: true, uri: true, dns: true}${ROUTES}${ROUTER}
    - name: plain
      filter_chain_match: {transport_protocol: raw_buffer}
      filters:
      - name: envoy.filters.network.http_connection_manager
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
          stat_prefix: plain${ROUTES}${ROUTER}
  clusters:
  - name: echo
    type: STATIC
    connect_timeout: 1s
    load_assignment:
      cluster_name: echo
      endpoints: [{lb_endpoints: [{endpoint: {address: {socket_address: {address: 127.0.0.1, port_value: ${echoPort}}}}}]}]
`;
}

before(async () => {
  pki = makeTestPki();
  revokeAndWriteCrl(pki, 'revoked');
  echo = await startEchoUpstreams(['echo']);
  const text = config(pki, echo.ports.get('echo')!);
  configFile = join(pki.dir, 'envoy.yaml');
  writeFileSync(configFile, text);
  proxy = await startProxy(text);
});

after(async () => {
  await proxy?.stop();
  await echo?.close();
  pki?.cleanup();
});

const counter = (name: string): number => proxy.server.store.counterValue(name);

const run = (cmd: string, args: string[], input = '') => runCommand(cmd, args, { timeoutMs: 10_000, input });

function curl(host: string, path: string, extra: string[] = []): Promise<{ code: number; stdout: string; stderr: string }> {
  return run('curl', ['-sS', '--max-time', '5', '--resolve', `${host}:${proxy.port}:127.0.0.1`, '--cacert', pki.path('ca.crt'), ...extra, `https://${host}:${proxy.port}${path}`]);
}

function sClient(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return run('openssl', ['s_client', '-connect', `127.0.0.1:${proxy.port}`, '-CAfile', pki.path('ca.crt'), ...args], 'Q\n');
}

/** An HTTPS request with Node's TLS client (mTLS): the status and the upstream's echo, or the error. */
function tlsRequest(options: ConnectionOptions, path = '/', headers = ''): Promise<{ status: number; echo?: EchoReply; text: string } | { error: string }> {
  return new Promise((resolve) => {
    const s = tlsConnect({ host: '127.0.0.1', port: proxy.port, ca: readFileSync(pki.path('ca.crt')), ...options }, () => {
      s.write(`GET ${path} HTTP/1.1\r\nhost: ${options.servername}\r\nconnection: close\r\n${headers}\r\n`);
    });
    let text = '';
    s.setEncoding('utf8');
    s.on('data', (d: string) => (text += d));
    s.on('error', (e: Error & { code?: string }) => resolve({ error: e.code ?? e.message }));
    s.on('close', () => {
      const m = /^HTTP\/1\.1 (\d+)/.exec(text);
      if (!m) {
        resolve({ error: `closed without a response (${text.length} bytes)` });
        return;
      }
      const body = text.slice(text.indexOf('\r\n\r\n') + 4);
      let echoed: EchoReply | undefined;
      try {
        echoed = JSON.parse(body) as EchoReply;
      } catch {
        echoed = undefined;
      }
      resolve({ status: Number(m[1]), ...(echoed ? { echo: echoed } : {}), text });
    });
  });
}

const clientCert = (name: string): ConnectionOptions => ({ cert: readFileSync(pki.path(`${name}.crt`)), key: readFileSync(pki.path(`${name}.key`)) });

function op(name: string, info: StreamInfo): unknown {
  const c = compileOperator(name, undefined, undefined, { monotonicNow: () => 0 });
  assert.ok(c.ok, name);
  return c.extract(info);
}

test('curl with SNI example.com: TLS terminated, x-forwarded-proto https, SNI and version in StreamInfo', async () => {
  const before = counter('listener.edge.ssl.handshake');
  const r = await curl('example.com', '/hello', ['-H', 'x-forwarded-client-cert: By=spoofed']);
  assert.equal(r.code, 0, r.stderr);
  const reply = JSON.parse(r.stdout) as EchoReply;
  assert.equal(reply.path, '/hello');
  assert.equal(reply.headers['x-forwarded-proto'], 'https');
  // forward_client_cert_details defaults to SANITIZE: a client-sent XFCC never reaches the upstream.
  assert.equal(reply.headers['x-forwarded-client-cert'], undefined);
  const info = proxy.completed.at(-1)!;
  assert.equal(info.requestedServerName, 'example.com');
  assert.equal(op('REQUESTED_SERVER_NAME', info), 'example.com');
  assert.equal(op('DOWNSTREAM_TLS_VERSION', info), 'TLSv1.3');
  assert.match(String(op('DOWNSTREAM_TLS_CIPHER', info)), /^TLS_/);
  assert.equal(op('DOWNSTREAM_PEER_SUBJECT', info), undefined);
  assert.equal(counter('listener.edge.ssl.handshake'), before + 1);
  assert.ok(counter('listener.edge.ssl.versions.TLSv1.3') >= 1);
  assert.ok(counter('listener.edge.tls_inspector.sni_found') >= 1);
});

test('a wildcard server name picks the *.example.com chain', async () => {
  const r = await curl('api.example.com', '/w');
  assert.equal(r.code, 0, r.stderr);
  assert.equal((JSON.parse(r.stdout) as EchoReply).path, '/w');
  assert.equal(proxy.completed.at(-1)!.requestedServerName, 'api.example.com');
});

test('plaintext on the TLS port takes the raw_buffer chain: require_tls redirects only plaintext', async () => {
  const r = await run('curl', ['-sS', '--max-time', '5', '-o', '/dev/null', '-w', '%{http_code} %{redirect_url}', '-H', 'host: example.com', `http://127.0.0.1:${proxy.port}/p?q=1`]);
  assert.equal(r.stdout, `301 https://example.com/p?q=1`);
  assert.ok(counter('listener.edge.tls_inspector.tls_not_found') >= 1);
  // Over TLS the same virtual host does not redirect (the first test got 200).
});

test('an SNI no chain matches closes the connection: no_filter_chain_match', async () => {
  const before = counter('listener.edge.no_filter_chain_match');
  const r = await curl('nomatch.test', '/');
  assert.notEqual(r.code, 0);
  assert.equal(counter('listener.edge.no_filter_chain_match'), before + 1);
});

test('openssl s_client: the certificate follows the client signature algorithms (RSA and ECDSA configured)', async () => {
  const ec = await sClient(['-servername', 'example.com', '-sigalgs', 'ECDSA+SHA256', '-tls1_2']);
  assert.match(ec.stdout, /Verify return code: 0 \(ok\)/);
  assert.match(ec.stdout, /Server public key is 256 bit/);
  const rsa = await sClient(['-servername', 'example.com', '-sigalgs', 'RSA+SHA256:RSA-PSS+SHA256', '-tls1_2']);
  assert.match(rsa.stdout, /Verify return code: 0 \(ok\)/);
  assert.match(rsa.stdout, /Server public key is 2048 bit/);
});

test('openssl s_client: ALPN http/1.1 negotiated (h2 not offered by an HTTP1 connection manager); a client offering only h2 continues without ALPN', async () => {
  const both = await sClient(['-servername', 'example.com', '-alpn', 'h2,http/1.1']);
  assert.match(both.stdout, /ALPN protocol: http\/1\.1/);
  const h2 = await sClient(['-servername', 'example.com', '-alpn', 'h2']);
  assert.match(h2.stdout, /No ALPN negotiated/);
  assert.match(h2.stdout, /Verify return code: 0 \(ok\)/);
  assert.ok(counter('listener.edge.tls_inspector.alpn_found') >= 2);
});

test('mTLS with a valid client certificate: XFCC SANITIZE_SET, peer facts in StreamInfo and the access log', async () => {
  const r = await tlsRequest({ servername: 'other.test', ...clientCert('client') }, '/m', 'x-forwarded-client-cert: By=spoofed\r\n');
  assert.ok('status' in r, JSON.stringify(r));
  assert.equal(r.status, 200, r.text);
  const xfcc = r.echo!.headers['x-forwarded-client-cert'] as string;
  const hash = /Hash=([0-9a-f]{64})/.exec(xfcc)?.[1];
  assert.ok(hash, xfcc);
  assert.equal(xfcc, `Hash=${hash};Subject="CN=client one,O=tsproxy test,C=US";URI=spiffe://test/ns/default/sa/client;DNS=client.test`);
  const info = proxy.completed.at(-1)!;
  assert.equal(op('DOWNSTREAM_PEER_SUBJECT', info), 'CN=client one,O=tsproxy test,C=US');
  assert.equal(op('DOWNSTREAM_PEER_URI_SAN', info), 'spiffe://test/ns/default/sa/client');
  assert.equal(op('DOWNSTREAM_PEER_FINGERPRINT_256', info), hash);
  assert.equal(op('REQUESTED_SERVER_NAME', info), 'other.test');
});

test('mTLS negatives: no certificate, expired, untrusted CA, revoked, SAN mismatch are refused and counted', async () => {
  const cases: Array<[string, ConnectionOptions, string]> = [
    ['no certificate', {}, 'listener.edge.ssl.fail_verify_no_cert'],
    ['expired', clientCert('expired'), 'listener.edge.ssl.fail_verify_error'],
    ['untrusted', clientCert('untrusted'), 'listener.edge.ssl.fail_verify_error'],
    ['revoked', clientCert('revoked'), 'listener.edge.ssl.fail_verify_error'],
    ['SAN mismatch', clientCert('client2'), 'listener.edge.ssl.fail_verify_san'],
  ];
  for (const [what, opts, stat] of cases) {
    const before = counter(stat);
    const errors = counter('listener.edge.ssl.connection_error');
    const r = await tlsRequest({ servername: 'other.test', ...opts });
    assert.ok('error' in r, `${what}: ${JSON.stringify(r)}`);
    assert.equal(counter(stat), before + 1, `${what}: ${stat}`);
    // Envoy: connection_error does not count failed certificate verifications.
    assert.equal(counter('listener.edge.ssl.connection_error'), errors, what);
  }
});

test('TLS 1.0 against a TLS 1.2 minimum is refused by the server', async () => {
  const errors = counter('listener.edge.ssl.connection_error');
  const r = await sClient(['-servername', 'other.test', '-tls1', '-cipher', 'DEFAULT@SECLEVEL=0', '-cert', pki.path('client.crt'), '-key', pki.path('client.key')]);
  assert.match(r.stdout, /Cipher is \(NONE\)/);
  assert.match(r.stdout, /Protocol  : TLSv1\n/);
  assert.equal(counter('listener.edge.ssl.connection_error'), errors + 1);
});

test('a client that sends nothing is closed after listener_filters_timeout: downstream_pre_cx_timeout', async () => {
  const before = counter('listener.edge.downstream_pre_cx_timeout');
  await new Promise<void>((resolve) => {
    const s = netConnect(proxy.port, '127.0.0.1');
    s.on('error', () => undefined);
    s.on('close', () => resolve());
    s.resume();
  });
  assert.equal(counter('listener.edge.downstream_pre_cx_timeout'), before + 1);
});

test('a handshake that stalls after the ClientHello is closed: transport_socket_connect_timeout', async () => {
  const before = counter('listener.edge.downstream_cx_transport_socket_connect_timeout');
  const [mine, theirs] = duplexPair();
  const client = tlsConnect({ socket: mine, servername: 'example.com', rejectUnauthorized: false });
  client.on('error', () => undefined);
  const hello = await new Promise<Buffer>((resolve) => theirs.once('data', (b: Buffer) => resolve(b)));
  await new Promise<void>((resolve) => {
    const s = netConnect(proxy.port, '127.0.0.1', () => s.write(hello));
    s.on('error', () => undefined);
    s.on('close', () => resolve());
    s.resume(); // the ServerHello is read and never answered
  });
  client.destroy();
  assert.equal(counter('listener.edge.downstream_cx_transport_socket_connect_timeout'), before + 1);
});

test('online and offline agree: the chain serve uses for an SNI is the one `tsproxy match --sni` names', async () => {
  const cases: Array<[string[], string | null, string]> = [
    [['--scheme', 'https', '--sni', 'api.example.com', '--host', 'api.example.com'], 'example', 'http.example.downstream_rq_total'],
    [['--scheme', 'https', '--sni', 'other.test', '--host', 'other.test'], 'mtls', 'http.mtls.downstream_rq_total'],
    [['--scheme', 'http', '--host', 'example.com'], 'plain', 'http.plain.downstream_rq_total'],
  ];
  for (const [flags, chain, stat] of cases) {
    const r = runCli(['match', '-c', configFile, '--listener', 'edge', '--path', '/agree', '--json', ...flags]);
    const report = JSON.parse(r.stdout) as { listener: { filter_chain: { name: string | null } | null } };
    assert.equal(report.listener.filter_chain?.name ?? null, chain, `${flags.join(' ')}: ${r.stdout.slice(0, 300)}${r.stderr}`);
    const before = counter(stat);
    if (chain === 'example') assert.equal((await curl('api.example.com', '/agree')).code, 0);
    else if (chain === 'mtls') assert.ok('status' in (await tlsRequest({ servername: 'other.test', ...clientCert('client') }, '/agree')));
    else await run('curl', ['-sS', '-o', '/dev/null', '-H', 'host: example.com', `http://127.0.0.1:${proxy.port}/agree`]);
    assert.equal(counter(stat), before + 1, `serve used the ${chain} chain`);
  }
  const none = runCli(['match', '-c', configFile, '--listener', 'edge', '--path', '/', '--json', '--scheme', 'https', '--sni', 'nomatch.test', '--host', 'nomatch.test']);
  // Envoy's narrowing has no backtracking: the SNI leaves only the raw_buffer chain, which the tls transport then drops.
  const outcome = (JSON.parse(none.stdout) as { outcome: { details: string; stats: string[] } }).outcome;
  assert.equal(outcome.details, 'filter_chain_not_found');
  assert.deepEqual(outcome.stats, ['listener.edge.no_filter_chain_match']);
  const closed = counter('listener.edge.no_filter_chain_match');
  assert.notEqual((await curl('nomatch.test', '/')).code, 0);
  assert.equal(counter('listener.edge.no_filter_chain_match'), closed + 1);
});

test('a client that sends half a ClientHello and closes is dropped without harm: downstream_listener_filter_remote_close', async () => {
  const before = counter('listener.edge.downstream_listener_filter_remote_close');
  await new Promise<void>((resolve) => {
    const s = netConnect(proxy.port, '127.0.0.1', () => s.end(Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00])));
    s.on('error', () => undefined);
    s.on('close', () => resolve());
    s.resume();
  });
  assert.equal(counter('listener.edge.downstream_listener_filter_remote_close'), before + 1);
  // The proxy still serves.
  assert.equal((await curl('example.com', '/after')).code, 0);
});

test('clients that reset at every stage (mid-ClientHello, mid-handshake, after it, mid-request) leave serve running', async () => {
  const [mine, theirs] = duplexPair();
  const c = tlsConnect({ socket: mine, servername: 'example.com', rejectUnauthorized: false });
  c.on('error', () => undefined);
  const hello = await new Promise<Buffer>((resolve) => theirs.once('data', (b: Buffer) => resolve(b)));
  c.destroy();
  const resetAfter = (bytes: Buffer, waitMs: number): Promise<void> =>
    new Promise((resolve) => {
      const s = netConnect(proxy.port, '127.0.0.1', () => {
        s.write(bytes);
        setTimeout(() => s.resetAndDestroy(), waitMs);
      });
      s.on('error', () => undefined);
      s.on('close', () => resolve());
      s.resume();
    });
  await resetAfter(hello.subarray(0, 20), 5);
  await resetAfter(hello, 0);
  await resetAfter(hello, 20);
  for (const stage of ['secure', 'request'] as const) {
    await new Promise<void>((resolve) => {
      const raw = netConnect(proxy.port, '127.0.0.1');
      raw.on('error', () => undefined);
      raw.on('close', () => resolve());
      const s = tlsConnect({ socket: raw, servername: 'example.com', ca: readFileSync(pki.path('ca.crt')) }, () => {
        if (stage === 'request') s.write('GET /partial HTTP/1.1\r\nhost: example.com\r\ncontent-length: 100\r\n\r\nabc');
        setTimeout(() => raw.resetAndDestroy(), 10);
      });
      s.on('error', () => undefined);
    });
  }
  assert.equal((await curl('example.com', '/still')).code, 0);
});
