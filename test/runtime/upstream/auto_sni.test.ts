// upstream_http_protocol_options read once per cluster, and what a request asks of its upstream
// connection: the SNI (not for an IP literal) and the SAN to verify, from :authority or
// override_auto_sni_header.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Cluster } from '../../../src/config/types.js';
import { autoSniChoice, autoSniConfig } from '../../../src/runtime/upstream/auto_sni.js';

const KEY = 'envoy.extensions.upstreams.http.v3.HttpProtocolOptions';
const typed = (opts: unknown): Cluster => ({ name: 'c', typed_extension_protocol_options: { [KEY]: { upstream_http_protocol_options: opts } } }) as unknown as Cluster;

test('config: off unless auto_sni or auto_san_validation; the deprecated cluster field and camelCase read too', () => {
  assert.equal(autoSniConfig({ name: 'c' } as Cluster), undefined);
  assert.equal(autoSniConfig(typed({ override_auto_sni_header: 'x' })), undefined);
  assert.deepEqual(autoSniConfig(typed({ auto_sni: true, override_auto_sni_header: 'X-SNI' })), { autoSni: true, autoSanValidation: false, overrideHeader: 'x-sni' });
  assert.deepEqual(autoSniConfig({ name: 'c', upstream_http_protocol_options: { autoSanValidation: true } } as unknown as Cluster), { autoSni: false, autoSanValidation: true, overrideHeader: undefined });
});

test('choice: the host without port, lowercased; none for an IP literal SNI, but the SAN stays', () => {
  const both = autoSniConfig(typed({ auto_sni: true, auto_san_validation: true }))!;
  assert.deepEqual(autoSniChoice(both, { authority: 'API.Example.com:8443', headers: {} }), { serverName: 'api.example.com', subjectAltName: 'api.example.com' });
  assert.deepEqual(autoSniChoice(both, { authority: '10.1.2.3:80', headers: {} }), { serverName: undefined, subjectAltName: '10.1.2.3' });
  assert.equal(autoSniChoice(both, { authority: undefined, headers: {} }), undefined);
  assert.equal(autoSniChoice(both, { authority: '', headers: {} }), undefined);
  const sniOnly = autoSniConfig(typed({ auto_sni: true }))!;
  assert.equal(autoSniChoice(sniOnly, { authority: '[::1]:80', headers: {} }), undefined);
});

test('choice: override_auto_sni_header wins when present and not empty', () => {
  const cfg = autoSniConfig(typed({ auto_sni: true, override_auto_sni_header: 'x-sni' }))!;
  assert.deepEqual(autoSniChoice(cfg, { authority: 'a.example.com', headers: { 'x-sni': 'b.example.com' } }), { serverName: 'b.example.com', subjectAltName: undefined });
  assert.deepEqual(autoSniChoice(cfg, { authority: 'a.example.com', headers: { 'x-sni': '' } }), { serverName: 'a.example.com', subjectAltName: undefined });
  assert.deepEqual(autoSniChoice(cfg, { authority: 'a.example.com', headers: {} }), { serverName: 'a.example.com', subjectAltName: undefined });
});
