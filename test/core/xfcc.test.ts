// x-forwarded-client-cert as Envoy's mutateXfccRequestHeader writes it, mode by mode.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileXfccConfig, mutateXfccRequestHeader, type DownstreamTlsFacts } from '../../src/core/xfcc.js';

const peer: DownstreamTlsFacts = {
  peerCertificatePresented: true,
  localUriSans: ['spiffe://test/proxy'],
  peerCertificateSha256: 'ab'.repeat(32),
  peerSubject: 'CN=client,O=t',
  peerUriSans: ['spiffe://test/client'],
  peerDnsSans: ['a.test', 'b.test'],
  peerCertificatePem: '-----BEGIN%20CERTIFICATE-----%0A',
  peerCertificateChainPem: 'chain',
};
const noCert: DownstreamTlsFacts = { ...peer, peerCertificatePresented: false, peerCertificateSha256: '', peerSubject: '', peerUriSans: [], peerDnsSans: [], peerCertificatePem: '' };

function apply(mode: string | undefined, set: Parameters<typeof compileXfccConfig>[1], tls: DownstreamTlsFacts | undefined, incoming?: string): string | undefined {
  const headers: Record<string, string | undefined> = incoming === undefined ? {} : { 'x-forwarded-client-cert': incoming };
  mutateXfccRequestHeader(headers, tls, compileXfccConfig(mode, set));
  return headers['x-forwarded-client-cert'];
}

test('SANITIZE (default) removes the header, with or without a client certificate', () => {
  assert.equal(apply(undefined, undefined, peer, 'By=x'), undefined);
  assert.equal(apply('SANITIZE', undefined, undefined, 'By=x'), undefined);
});

test('without mutual TLS every mode but ALWAYS_FORWARD_ONLY removes it', () => {
  for (const m of ['FORWARD_ONLY', 'APPEND_FORWARD', 'SANITIZE_SET']) {
    assert.equal(apply(m, undefined, undefined, 'By=x'), undefined, m);
    assert.equal(apply(m, undefined, noCert, 'By=x'), undefined, m);
  }
  assert.equal(apply('ALWAYS_FORWARD_ONLY', undefined, undefined, 'By=x'), 'By=x');
});

test('FORWARD_ONLY keeps it as received under mTLS', () => {
  assert.equal(apply('FORWARD_ONLY', { subject: true }, peer, 'By=x'), 'By=x');
});

test('APPEND_FORWARD appends By, Hash and the details in Envoy order (Subject, URI, Cert, Chain, DNS)', () => {
  const set = { dns: true, chain: true, cert: true, uri: true, subject: true };
  assert.equal(
    apply('APPEND_FORWARD', set, peer, 'By=prior'),
    `By=prior,By=spiffe://test/proxy;Hash=${'ab'.repeat(32)};Subject="CN=client,O=t";URI=spiffe://test/client;Cert="-----BEGIN%20CERTIFICATE-----%0A";Chain="chain";DNS=a.test;DNS=b.test`,
  );
});

test('SANITIZE_SET replaces; URI= stays when the certificate has no URI SAN', () => {
  assert.equal(apply('SANITIZE_SET', { uri: true }, { ...peer, peerUriSans: [], localUriSans: [] }, 'By=spoofed'), `Hash=${'ab'.repeat(32)};URI=`);
});
