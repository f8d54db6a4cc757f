// Startup checks of the per-request and per-connection upstream TLS settings (serveUnsupported,
// the check serve runs before it starts): auto_sni / auto_san_validation / auto_host_sni are
// served (no diagnostic); auto_config needs TLS everywhere, as Envoy; auto_sni_san_validation
// needs a trusted CA, as Envoy.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../../src/config/load.js';
import { serveUnsupported } from '../../../src/runtime/serve_support.js';
import { makeTestPki, type TestPki } from '../../e2e/tls_certs.js';

let pki: TestPki;
before(() => {
  pki = makeTestPki();
});
after(() => pki.cleanup());

const TLS = `name: envoy.transport_sockets.tls
      typed_config:
        "@type": type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext`;

function diagnostics(clusterExtra: string): Array<{ severity: string; rule: string; message: string }> {
  const yaml = `static_resources:
  clusters:
  - name: c
    type: STATIC
    load_assignment: {cluster_name: c, endpoints: [{lb_endpoints: [{endpoint: {address: {socket_address: {address: 127.0.0.1, port_value: 1}}}}]}]}
${clusterExtra}`;
  const loaded = loadConfig(yaml, 'c.yaml');
  assert.ok(loaded.config, JSON.stringify(loaded.diagnostics));
  assert.deepEqual(loaded.diagnostics.filter((d) => d.severity === 'error'), []);
  return serveUnsupported(loaded.config).map((d) => ({ severity: d.severity, rule: d.rule, message: d.message }));
}

const protocolOptions = (body: string): string => `    typed_extension_protocol_options:
      envoy.extensions.upstreams.http.v3.HttpProtocolOptions:
        "@type": type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions
${body}`;

test('auto_sni, auto_san_validation and override_auto_sni_header on a TLS cluster: no diagnostic', () => {
  assert.deepEqual(diagnostics(`${protocolOptions('        upstream_http_protocol_options: {auto_sni: true, auto_san_validation: true, override_auto_sni_header: x-sni}')}
    transport_socket:
      ${TLS}
        common_tls_context: {validation_context: {trusted_ca: {filename: ${pki.path('ca.crt')}}}}`), []);
});

test('auto_config on a TLS cluster: no diagnostic; with a plaintext transport_socket_matches entry: Envoy\'s error', () => {
  const auto = protocolOptions('        auto_config: {http2_protocol_options: {}}');
  assert.deepEqual(diagnostics(`${auto}
    transport_socket:
      ${TLS}
        common_tls_context: {}`), []);
  const d = diagnostics(`${auto}
    transport_socket:
      ${TLS}
        common_tls_context: {}
    transport_socket_matches:
    - name: plain
      match: {tls: "off"}
      transport_socket: {name: envoy.transport_sockets.raw_buffer}`);
  assert.equal(d.length, 1, JSON.stringify(d));
  assert.equal(d[0]!.severity, 'error');
  assert.match(d[0]!.message, /^ALPN configured for cluster c which has a non-ALPN transport socket matcher/);
});

test('UpstreamTlsContext auto_host_sni is served; auto_sni_san_validation without a trusted CA is refused as Envoy refuses it', () => {
  assert.deepEqual(diagnostics(`    transport_socket:
      ${TLS}
        auto_host_sni: true
        auto_sni_san_validation: true
        common_tls_context: {validation_context: {trusted_ca: {filename: ${pki.path('ca.crt')}}}}`), []);
  const d = diagnostics(`    transport_socket:
      ${TLS}
        auto_host_sni: true
        auto_sni_san_validation: true
        common_tls_context: {}`);
  assert.equal(d.length, 1, JSON.stringify(d));
  assert.equal(d[0]!.rule, 'serve/tls');
  assert.match(d[0]!.message, /'auto_sni_san_validation' was configured without configuring a trusted CA/);
});
