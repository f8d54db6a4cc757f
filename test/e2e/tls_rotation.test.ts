// Certificate rotation through file-based SDS: the listener's certificate comes from a Secret in
// an SDS file whose certificate files are replaced by rename (as a secret volume rotates). New
// connections get the new certificate; a connection established before keeps working with the
// old one. A rotation to a key that does not fit its certificate keeps the current certificate.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { copyFileSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTestPki, type TestPki } from './tls_certs.js';
import { startProxy, type Proxy } from './proxy.js';

let pki: TestPki;
let proxy: Proxy;
let live: string;

const UPDATED = 'listener.edge.server_ssl_socket_factory.ssl_context_update_by_sds';

function install(name: string): void {
  // Write beside, then rename into place: each file changes atomically.
  copyFileSync(pki.path(`${name}.crt`), join(live, 'cert.pem.tmp'));
  copyFileSync(pki.path(`${name}.key`), join(live, 'key.pem.tmp'));
  renameSync(join(live, 'cert.pem.tmp'), join(live, 'cert.pem'));
  renameSync(join(live, 'key.pem.tmp'), join(live, 'key.pem'));
}

before(async () => {
  pki = makeTestPki();
  live = join(pki.dir, 'live');
  mkdirSync(live);
  install('server-rsa');
  const sds = join(pki.dir, 'sds.yaml');
  writeFileSync(sds, `resources:
- "@type": type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret
  name: server
  tls_certificate:
    certificate_chain: {filename: ${join(live, 'cert.pem')}}
    private_key: {filename: ${join(live, 'key.pem')}}
`);
  proxy = await startProxy(`
static_resources:
  listeners:
  - name: edge
    stat_prefix: edge
    address: {socket_address: {address: 127.0.0.1, port_value: 0}}
    filter_chains:
    - transport_socket:
        name: envoy.transport_sockets.tls
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext
          common_tls_context:
            tls_certificate_sds_secret_configs:
            - name: server
              sds_config: {path_config_source: {path: ${sds}}}
      filters:
      - name: envoy.filters.network.http_connection_manager
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
          stat_prefix: edge
          route_config:
            virtual_hosts:
            - name: all
              domains: ["*"]
              routes: [{match: {prefix: "/"}, direct_response: {status: 200, body: {inline_string: ok}}}]
          http_filters:
          - name: envoy.filters.http.router
            typed_config: {"@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router}
`);
});

after(async () => {
  await proxy?.stop();
  pki?.cleanup();
});

function open(): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const s = tlsConnect({ host: '127.0.0.1', port: proxy.port, servername: 'example.com', ca: readFileSync(pki.path('ca.crt')) }, () => resolve(s));
    s.on('error', reject);
  });
}

/** One keep-alive request on `s`; resolves with the status line. */
function request(s: TLSSocket): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    const onData = (d: Buffer): void => {
      text += d.toString('latin1');
      if (text.endsWith('ok')) {
        s.off('data', onData);
        resolve(text.split('\r\n')[0]!);
      }
    };
    s.on('data', onData);
    s.write('GET / HTTP/1.1\r\nhost: example.com\r\n\r\n');
  });
}

async function waitFor(pred: () => boolean): Promise<void> {
  for (let i = 0; i < 300 && !pred(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(pred(), 'condition not reached within 3 s');
}

const keyBits = (s: TLSSocket): number | undefined => s.getPeerCertificate().bits;

test('a rotated certificate serves new connections; an established connection keeps its own', async () => {
  const old = await open();
  assert.equal(keyBits(old), 2048); // RSA
  assert.equal(await request(old), 'HTTP/1.1 200 OK');
  const before = proxy.server.store.counterValue(UPDATED);
  install('server-ec');
  await waitFor(() => proxy.server.store.counterValue(UPDATED) > before);
  const fresh = await open();
  assert.equal(keyBits(fresh), 256); // ECDSA P-256
  assert.equal(await request(fresh), 'HTTP/1.1 200 OK');
  assert.equal(await request(old), 'HTTP/1.1 200 OK');
  assert.equal(keyBits(old), 2048);
  old.destroy();
  fresh.destroy();
});

test('a rotation to a key that does not fit its certificate keeps the current certificate', async () => {
  const count = proxy.server.store.counterValue(UPDATED);
  // Certificate of one pair, key of another.
  copyFileSync(pki.path('server-rsa.crt'), join(live, 'cert.pem.tmp'));
  renameSync(join(live, 'cert.pem.tmp'), join(live, 'cert.pem'));
  await new Promise((r) => setTimeout(r, 150));
  assert.equal(proxy.server.store.counterValue(UPDATED), count);
  const s = await open();
  assert.equal(keyBits(s), 256);
  assert.equal(await request(s), 'HTTP/1.1 200 OK');
  s.destroy();
});

test('admin /certs lists the certificate in use, with its path, serial, SANs and expiry', async () => {
  const res = await proxy.server.admin!.request('GET', '/certs');
  assert.equal(res.status, 200);
  const body = JSON.parse(String(res.body)) as { certificates: Array<{ ca_cert: unknown[]; cert_chain: Array<Record<string, unknown>> }> };
  assert.equal(body.certificates.length, 1);
  const leaf = body.certificates[0]!.cert_chain[0]!;
  assert.equal(leaf['path'], join(live, 'cert.pem'));
  const { X509Certificate } = await import('node:crypto');
  const current = new X509Certificate(readFileSync(pki.path('server-ec.crt')));
  assert.equal(leaf['serial_number'], current.serialNumber.toLowerCase());
  assert.deepEqual(leaf['subject_alt_names'], [{ dns: 'example.com' }, { dns: '*.example.com' }]);
  assert.match(String(leaf['days_until_expiration']), /^(29|30)$/);
  assert.deepEqual(body.certificates[0]!.ca_cert, []);
});

test('plaintext HTTP to a TLS-only port is closed without a response: ssl.connection_error', async () => {
  const { connect } = await import('node:net');
  const before = proxy.server.store.counterValue('listener.edge.ssl.connection_error');
  const got = await new Promise<string>((resolve) => {
    let text = '';
    const s = connect(proxy.port, '127.0.0.1', () => s.write('GET / HTTP/1.1\r\nhost: example.com\r\n\r\n'));
    s.setEncoding('latin1');
    s.on('data', (d: string) => (text += d));
    s.on('error', () => undefined);
    s.on('close', () => resolve(text));
  });
  assert.doesNotMatch(got, /^HTTP\//);
  assert.equal(proxy.server.store.counterValue('listener.edge.ssl.connection_error'), before + 1);
});
