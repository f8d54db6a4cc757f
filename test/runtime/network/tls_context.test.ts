// TLS settings Node cannot honour are problems naming the field (serve refuses to start), never a
// silently weaker context; material that cannot be loaded is too. Through serveUnsupported, the
// startup check serve runs, so each problem comes with its position and rule serve/tls.
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

function listener(ctx: string): string {
  return `static_resources:
  listeners:
  - name: l
    address: {socket_address: {address: 127.0.0.1, port_value: 0}}
    filter_chains:
    - transport_socket:
        name: envoy.transport_sockets.tls
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext
${ctx.split('\n').map((l) => `          ${l}`).join('\n')}
      filters:
      - name: envoy.filters.network.http_connection_manager
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
          stat_prefix: s
          route_config: {virtual_hosts: [{name: a, domains: ["*"], routes: [{match: {prefix: "/"}, direct_response: {status: 200}}]}]}
          http_filters: [{name: envoy.filters.http.router, typed_config: {"@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router}}]
`;
}

function problems(ctx: string): string[] {
  const loaded = loadConfig(listener(ctx), 'tls.yaml');
  assert.ok(loaded.config, JSON.stringify(loaded.diagnostics));
  return serveUnsupported(loaded.config).filter((d) => d.rule === 'serve/tls').map((d) => `${d.path.replace('$.static_resources.listeners[0].filter_chains[0].transport_socket.typed_config', '')} ${d.message.replace('listener "l": TLS ', '')}`);
}

const cert = (): string => `tls_certificates: [{certificate_chain: {filename: ${pki.path('server-rsa.crt')}}, private_key: {filename: ${pki.path('server-rsa.key')}}}]`;

test('a valid context has no problem', () => {
  assert.deepEqual(problems(`common_tls_context:\n  ${cert()}\n  tls_params: {tls_minimum_protocol_version: TLSv1_2, cipher_suites: ["[ECDHE-ECDSA-AES128-GCM-SHA256|ECDHE-RSA-AES128-GCM-SHA256]"], ecdh_curves: [X25519]}\n  validation_context: {trusted_ca: {filename: ${pki.path('ca.crt')}}, match_typed_subject_alt_names: [{san_type: URI, matcher: {prefix: "spiffe://"}}]}\nrequire_client_certificate: true`), []);
});

test('each setting Node cannot honour is named', () => {
  const cases: Array<[string, RegExp]> = [
    ['session_ticket_keys: {keys: [{inline_string: x}]}', /^\.session_ticket_keys session_ticket_keys: Envoy's 80-byte session ticket keys/],
    ['ocsp_staple_policy: MUST_STAPLE', /^\.ocsp_staple_policy ocsp_staple_policy: OCSP stapling is not implemented/],
    [`common_tls_context:\n  ${cert()}\n  tls_params: {cipher_suites: [NOT-A-CIPHER]}`, /^\.common_tls_context\.tls_params\.cipher_suites cipher_suites: "NOT-A-CIPHER" is not a cipher suite/],
    [`common_tls_context:\n  ${cert()}\n  tls_params: {cipher_suites: [TLS_AES_128_GCM_SHA256]}`, /TLS 1\.3 suite/],
    [`common_tls_context:\n  ${cert()}\n  tls_params: {ecdh_curves: [P-999]}`, /^\.common_tls_context\.tls_params\.ecdh_curves ecdh_curves: Node's OpenSSL refuses it/],
    [`common_tls_context:\n  ${cert()}\n  tls_params: {compliance_policies: [FIPS_202205]}`, /compliance_policies: FIPS/],
    [`common_tls_context:\n  ${cert()}\n  validation_context: {match_typed_subject_alt_names: [{san_type: DNS, matcher: {exact: a}}]}`, /without trusted_ca is insecure/],
    [`common_tls_context:\n  ${cert()}\n  validation_context: {trusted_ca: {filename: ${pki.path('ca.crt')}}, only_verify_leaf_cert_crl: true}`, /only_verify_leaf_cert_crl: Node checks CRLs for the whole chain/],
    [`common_tls_context:\n  ${cert()}\n  validation_context: {trusted_ca: {filename: ${pki.path('ca.crt')}}, max_verify_depth: 2}`, /max_verify_depth/],
    [`common_tls_context:\n  ${cert()}\n  key_log: {path: /tmp/k}`, /key_log: TLS key logging/],
    [`common_tls_context:\n  tls_certificate_sds_secret_configs: [{name: s, sds_config: {ads: {}}}]`, /SDS over gRPC/],
    [`require_client_certificate: true\ncommon_tls_context:\n  ${cert()}`, /require_client_certificate needs a validation context/],
  ];
  for (const [ctx, want] of cases) {
    const got = problems(ctx);
    assert.ok(got.some((g) => want.test(g)), `${ctx}\n -> ${JSON.stringify(got)}`);
  }
});

test('material that cannot be loaded: missing file, a key of another certificate, not a certificate', () => {
  assert.match(problems(`common_tls_context:\n  tls_certificates: [{certificate_chain: {filename: /nonexistent/c.pem}, private_key: {filename: ${pki.path('server-rsa.key')}}}]`)[0]!, /certificate_chain: cannot read \/nonexistent\/c\.pem: ENOENT/);
  assert.match(problems(`common_tls_context:\n  tls_certificates: [{certificate_chain: {filename: ${pki.path('server-rsa.crt')}}, private_key: {filename: ${pki.path('server-ec.key')}}}]`)[0]!, /private_key: does not match the certificate/);
  assert.match(problems(`common_tls_context:\n  tls_certificates: [{certificate_chain: {inline_string: "not a pem"}, private_key: {filename: ${pki.path('server-rsa.key')}}}]`)[0]!, /certificate_chain: not a PEM certificate/);
});

test('a combined validation context: the CA from a file-based SDS secret makes the static SAN matchers valid; without one they are refused', async () => {
  const { writeFileSync } = await import('node:fs');
  const sds = (name: string, body: string): string => {
    const f = pki.path(`${name}.yaml`);
    writeFileSync(f, `resources:\n- "@type": type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret\n  name: ${name}\n${body}`);
    return f;
  };
  const withCa = sds('rootca', `  validation_context: {trusted_ca: {filename: ${pki.path('ca.crt')}}}\n`);
  const noCa = sds('noca', '  validation_context: {allow_expired_certificate: false}\n');
  const ctx = (file: string, name: string): string => `common_tls_context:\n  ${cert()}\n  combined_validation_context:\n    default_validation_context: {match_typed_subject_alt_names: [{san_type: URI, matcher: {prefix: "spiffe://"}}]}\n    validation_context_sds_secret_config: {name: ${name}, sds_config: {path_config_source: {path: ${file}}}}\nrequire_client_certificate: true`;
  assert.deepEqual(problems(ctx(withCa, 'rootca')), []);
  assert.ok(problems(ctx(noCa, 'noca')).some((g) => /SAN matchers without a trusted_ca are insecure/.test(g)));
});
