// Upstream TLS end to end: a node:https upstream with its own CA (certificates generated at test
// time) that requires and reports the proxy's client certificate, the SNI and the ALPN it saw.
// SAN matching, an untrusted CA, no validation context (Envoy does not verify then), and
// transport_socket_matches by endpoint metadata; a failed verification is 503 UF with Envoy's
// transport failure reason, counted under cluster.<name>.ssl.*.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer as createHttpsServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { readFileSync } from 'node:fs';
import { makeTestPki, type TestPki } from './tls_certs.js';
import { startEchoUpstreams, type EchoUpstreams } from './echo_upstreams.js';
import { bootstrapYaml, prefixRoutesYaml } from './bootstrap.js';
import { send, startProxy, type Proxy } from './proxy.js';
import { CERTIFICATE_VERIFY_FAILED } from '../../src/runtime/network/upstream_tls.js';
import { compileOperator } from '../../src/runtime/access_log/operators.js';
import type { StreamInfo } from '../../src/runtime/stream_info.js';

let pki: TestPki;
let backend: Server;
let backendPort = 0;
let plain: EchoUpstreams;
let proxy: Proxy;

interface BackendReply {
  sni: string | false | null;
  alpn: string | false | null;
  client: string | undefined;
  path: string;
}

function tlsCluster(name: string, ctx: string, port: number, extra = ''): string {
  return `  - name: ${name}
    type: STATIC
    connect_timeout: 2s
    load_assignment:
      cluster_name: ${name}
      endpoints: [{lb_endpoints: [{endpoint: {address: {socket_address: {address: 127.0.0.1, port_value: ${port}}}}${extra}}]}]
    transport_socket:
      name: envoy.transport_sockets.tls
      typed_config:
        "@type": type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext
${ctx}`;
}

function config(p: TestPki): string {
  const client = `          tls_certificates:
          - certificate_chain: {filename: ${p.path('client.crt')}}
            private_key: {filename: ${p.path('client.key')}}`;
  const validation = (ca: string, san: string) => `          validation_context:
            trusted_ca: {filename: ${p.path(ca)}}
            match_typed_subject_alt_names: [${san}]`;
  const ok = `        sni: backend.internal
        common_tls_context:
          alpn_protocols: [http/1.1]
${client}
${validation('ca.crt', '{san_type: URI, matcher: {exact: "spiffe://test/ns/default/sa/backend"}}')}`;
  const matchClusters = (name: string, port: number, meta: string) => `  - name: ${name}
    type: STATIC
    connect_timeout: 2s
    transport_socket_matches:
    - name: tls
      match: {tls: "on"}
      transport_socket:
        name: envoy.transport_sockets.tls
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext
          sni: backend.internal
          common_tls_context:
            tls_certificates:
            - certificate_chain: {filename: ${p.path('client.crt')}}
              private_key: {filename: ${p.path('client.key')}}
    load_assignment:
      cluster_name: ${name}
      endpoints: [{lb_endpoints: [{endpoint: {address: {socket_address: {address: 127.0.0.1, port_value: ${port}}}}${meta}}]}]`;
  return bootstrapYaml({
    statPrefix: 'ingress',
    routeText: prefixRoutesYaml(['ok', 'badsan', 'untrusted', 'noverify', 'matched', 'unmatched', 'notls'].map((c) => ({ prefix: c, cluster: c }))),
    clusterPorts: new Map(),
    clustersYaml: `${tlsCluster('ok', ok, backendPort)}
${tlsCluster('badsan', `        sni: backend.internal
        common_tls_context:
${client}
${validation('ca.crt', '{san_type: DNS, matcher: {exact: "wrong.internal"}}')}`, backendPort)}
${tlsCluster('untrusted', `        common_tls_context:
${client}
          validation_context: {trusted_ca: {filename: ${p.path('other-ca.crt')}}}`, backendPort)}
${tlsCluster('noverify', `        common_tls_context:
${client}`, backendPort)}
${matchClusters('matched', backendPort, ', metadata: {filter_metadata: {envoy.transport_socket_match: {tls: "on"}}}')}
${matchClusters('unmatched', plain.ports.get('plain')!, '')}
${tlsCluster('notls', `        common_tls_context: {}`, plain.ports.get('plain')!)}`,
  });
}

before(async () => {
  pki = makeTestPki();
  backend = createHttpsServer({
    cert: readFileSync(pki.path('upstream.crt')),
    key: readFileSync(pki.path('upstream.key')),
    ca: readFileSync(pki.path('ca.crt')),
    requestCert: true,
    rejectUnauthorized: true,
    ALPNProtocols: ['http/1.1'],
  }, (req, res) => {
    const s = req.socket as TLSSocket;
    const body: BackendReply = { sni: s.servername, alpn: s.alpnProtocol, client: s.getPeerCertificate()?.subject?.CN as string | undefined, path: req.url ?? '' };
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(body));
  });
  await new Promise<void>((r) => backend.listen(0, '127.0.0.1', () => r()));
  backendPort = (backend.address() as AddressInfo).port;
  plain = await startEchoUpstreams(['plain']);
  proxy = await startProxy(config(pki));
});

after(async () => {
  await proxy?.stop();
  backend?.closeAllConnections();
  await new Promise<void>((r) => (backend ? backend.close(() => r()) : r()));
  await plain?.close();
  pki?.cleanup();
});

const counter = (n: string): number => proxy.server.store.counterValue(n);
const get = (path: string) => send(proxy.port, { method: 'GET', path, authority: 'svc' });

test('TLS to the upstream: SNI, ALPN and the client certificate reach it; SAN and CA verified', async () => {
  const r = await get('/ok/x');
  assert.equal(r.status, 200, r.body);
  assert.deepEqual(JSON.parse(r.body), { sni: 'backend.internal', alpn: 'http/1.1', client: 'client one', path: '/ok/x' });
  assert.equal(counter('cluster.ok.ssl.handshake'), 1);
  // The connection is pooled: a second request does not handshake again.
  assert.equal((await get('/ok/y')).status, 200);
  assert.equal(counter('cluster.ok.ssl.handshake'), 1);
});

test('a SAN mismatch fails the connection: 503 UF, Envoy transport failure reason, fail_verify_san', async () => {
  const r = await get('/badsan');
  assert.equal(r.status, 503);
  const info = proxy.completed.at(-1)!;
  assert.deepEqual(info.responseFlags, ['UF']);
  assert.equal(info.upstreamTransportFailureReason, CERTIFICATE_VERIFY_FAILED);
  assert.equal(counter('cluster.badsan.ssl.fail_verify_san'), 1);
  assert.equal(counter('cluster.badsan.upstream_cx_connect_fail'), 1);
});

test('an upstream certificate from another CA: 503 UF, fail_verify_error', async () => {
  const r = await get('/untrusted');
  assert.equal(r.status, 503);
  assert.deepEqual(proxy.completed.at(-1)!.responseFlags, ['UF']);
  assert.equal(counter('cluster.untrusted.ssl.fail_verify_error'), 1);
});

test('without a validation context the upstream is not verified (Envoy default)', async () => {
  const r = await get('/noverify');
  assert.equal(r.status, 200, r.body);
  assert.equal((JSON.parse(r.body) as BackendReply).sni, false);
});

test('transport_socket_matches: TLS for the endpoint whose metadata matches, raw TCP otherwise', async () => {
  const tls = await get('/matched');
  assert.equal(tls.status, 200, tls.body);
  assert.equal((JSON.parse(tls.body) as BackendReply).client, 'client one');
  const raw = await get('/unmatched');
  assert.equal(raw.status, 200, raw.body);
  assert.equal((JSON.parse(raw.body) as { cluster: string }).cluster, 'plain');
});

test('admin /certs lists the upstream contexts: trusted CA and client certificate', async () => {
  const res = await proxy.server.admin!.request('GET', '/certs');
  const body = JSON.parse(String(res.body)) as { certificates: Array<{ ca_cert: Array<Record<string, unknown>>; cert_chain: Array<Record<string, unknown>> }> };
  const ok = body.certificates[0]!;
  assert.equal(ok.ca_cert[0]!['path'], pki.path('ca.crt'));
  assert.equal(ok.cert_chain[0]!['path'], pki.path('client.crt'));
  assert.deepEqual(ok.cert_chain[0]!['subject_alt_names'], [{ dns: 'client.test' }, { uri: 'spiffe://test/ns/default/sa/client' }]);
  assert.equal(body.certificates.length, 7);
});

test('TLS to an upstream that answers in plaintext: 503 UF with a TLS_error transport failure reason', async () => {
  const r = await get('/notls');
  assert.equal(r.status, 503);
  const info = proxy.completed.at(-1)!;
  assert.deepEqual(info.responseFlags, ['UF']);
  assert.match(info.upstreamTransportFailureReason ?? '', /^TLS_error:\|.*:TLS_error_end$/);
  assert.equal(counter('cluster.notls.ssl.connection_error'), 1);
  assert.equal(counter('cluster.notls.upstream_cx_connect_fail'), 1);
});

test('access log upstream TLS operators: version, cipher, peer subject, issuer and SANs; `-` over raw TCP', async () => {
  const op = (name: string, info: StreamInfo): unknown => {
    const c = compileOperator(name, undefined, undefined, { monotonicNow: () => 0 });
    assert.ok(c.ok, name);
    return c.extract(info);
  };
  assert.equal((await get('/ok/log')).status, 200);
  const info = proxy.completed.at(-1)!;
  assert.equal(op('UPSTREAM_TLS_VERSION', info), 'TLSv1.2');
  assert.match(String(op('UPSTREAM_TLS_CIPHER', info)), /^ECDHE-ECDSA-/);
  assert.equal(op('UPSTREAM_PEER_SUBJECT', info), 'CN=backend.internal,O=tsproxy test');
  assert.equal(op('UPSTREAM_PEER_ISSUER', info), 'CN=tsproxy test CA,O=tsproxy test');
  assert.equal(op('UPSTREAM_PEER_URI_SAN', info), 'spiffe://test/ns/default/sa/backend');
  assert.equal(op('UPSTREAM_PEER_DNS_SAN', info), 'backend.internal');
  assert.equal((await get('/unmatched')).status, 200);
  const plainInfo = proxy.completed.at(-1)!;
  for (const name of ['UPSTREAM_TLS_VERSION', 'UPSTREAM_TLS_CIPHER', 'UPSTREAM_PEER_SUBJECT', 'UPSTREAM_PEER_URI_SAN']) assert.equal(op(name, plainInfo), undefined, name);
});
