/**
 * What a TLS connection knows about the certificates: the peer's subject (RFC 2253, as Envoy's
 * `subjectPeerCertificate`), its URI / DNS SANs, its PEM (URL-encoded for XFCC) and SHA-256
 * digest, the local certificate's URI SANs (XFCC `By=`), and Envoy's SAN matching
 * (DefaultCertValidator::matchSubjectAltName). Computed once per connection after the handshake.
 */
import { createHash, type X509Certificate } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import type { CompiledStringMatcher } from '../../core/string_matcher.js';
import type { SanType } from '../../config/tls_types.js';

/** Subject alternative names by kind, as Node prints them (`DNS:`, `URI:`, `IP Address:`, `email:`). */
export interface SubjectAltNames {
  readonly dns: readonly string[];
  readonly uri: readonly string[];
  readonly ip: readonly string[];
  readonly email: readonly string[];
}

const NO_SANS: SubjectAltNames = Object.freeze({ dns: [], uri: [], ip: [], email: [] });

/** Splits Node's `subjectAltName` text (`DNS:a, URI:"x,y"`): entries may be JSON-quoted. */
export function parseSubjectAltNames(text: string | undefined): SubjectAltNames {
  if (!text) return NO_SANS;
  const dns: string[] = [];
  const uri: string[] = [];
  const ip: string[] = [];
  const email: string[] = [];
  let i = 0;
  while (i < text.length) {
    const colon = text.indexOf(':', i);
    if (colon < 0) break;
    const kind = text.slice(i, colon).trim();
    let value: string;
    let next: number;
    if (text[colon + 1] === '"') {
      // JSON string: find its end honouring escapes.
      let j = colon + 2;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      try {
        value = JSON.parse(text.slice(colon + 1, j + 1)) as string;
      } catch {
        value = text.slice(colon + 2, j);
      }
      next = text.indexOf(',', j + 1);
    } else {
      next = text.indexOf(', ', colon + 1);
      value = text.slice(colon + 1, next < 0 ? undefined : next);
    }
    if (kind === 'DNS') dns.push(value);
    else if (kind === 'URI') uri.push(value);
    else if (kind === 'IP Address') ip.push(value);
    else if (kind === 'email') email.push(value);
    if (next < 0) break;
    i = next + 1;
    while (text[i] === ' ') i++;
  }
  return { dns, uri, ip, email };
}

/** Node's multi-line subject (`C=US\nO=Lyft\nCN=x`) in RFC 2253 order and form (`CN=x,O=Lyft,C=US`). */
export function rfc2253Subject(subject: string | undefined): string {
  if (!subject) return '';
  return subject
    .split('\n')
    .filter((l) => l !== '')
    .reverse()
    .map((l) => {
      const eq = l.indexOf('=');
      if (eq < 0) return l;
      const v = l.slice(eq + 1).replace(/([,+"\\<>;])/g, '\\$1').replace(/^([ #])/, '\\$1').replace(/ $/, '\\ ');
      return `${l.slice(0, eq)}=${v}`;
    })
    .join(',');
}

/** `DNS` name match with a wildcard SAN (`*.example.com` covers one label), as Envoy's dnsNameMatch. */
export function dnsNameMatch(name: string, pattern: string): boolean {
  const n = name.toLowerCase();
  const p = pattern.toLowerCase();
  if (n === p) return true;
  if (!p.startsWith('*.')) return false;
  const dot = n.indexOf('.');
  return dot > 0 && n.slice(dot) === p.slice(1);
}

/** One compiled `match_typed_subject_alt_names` entry (`SAN_TYPE_UNSPECIFIED`: the deprecated any-type matcher). */
export interface SanMatcher {
  readonly type: SanType;
  readonly matcher: CompiledStringMatcher;
}

/** Whether any SAN of `sans` satisfies any matcher (Envoy: OR over matchers). */
export function matchSubjectAltNames(sans: SubjectAltNames, matchers: readonly SanMatcher[]): boolean {
  for (const m of matchers) {
    const lists: (readonly string[])[] =
      m.type === 'DNS' ? [sans.dns] : m.type === 'URI' ? [sans.uri] : m.type === 'IP_ADDRESS' ? [sans.ip] : m.type === 'EMAIL' ? [sans.email] : [sans.dns, sans.uri, sans.ip, sans.email];
    for (const list of lists) {
      for (const san of list) {
        // A DNS SAN that is a wildcard matches an exact matcher by the wildcard rule (Envoy).
        if (list === sans.dns && m.matcher.kind === 'exact' && dnsNameMatch(m.matcher.value, san)) return true;
        if (m.matcher.match(san)) return true;
      }
    }
  }
  return false;
}

/** Lowercase hex SHA-256 of a certificate's DER (Envoy's sha256PeerCertificateDigest). */
export function certificateSha256(cert: X509Certificate): string {
  return createHash('sha256').update(cert.raw).digest('hex');
}

/** Base64 SHA-256 of the SubjectPublicKeyInfo (verify_certificate_spki). */
export function spkiSha256(cert: X509Certificate): string {
  const der = cert.publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(der).digest('base64');
}

/** PEM of a certificate, URL-encoded as Envoy's urlEncodedPemEncodedPeerCertificate. */
export function urlEncodedPem(cert: X509Certificate): string {
  return encodeURIComponent(cert.toString()).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** The facts about a TLS connection the stream, the access log and XFCC read. */
export interface TlsConnectionFacts {
  readonly tlsVersion: string;
  readonly cipher: string;
  readonly sessionReused: boolean;
  readonly peerCertificatePresented: boolean;
  /** The chain verified against the trusted CA (validation context present and passed). */
  readonly peerCertificateValidated: boolean;
  readonly peerSubject: string;
  readonly peerIssuer: string;
  readonly peerUriSans: readonly string[];
  readonly peerDnsSans: readonly string[];
  readonly peerCertificateSha256: string;
  /** URL-encoded PEM of the peer certificate ('' when none). */
  readonly peerCertificatePem: string;
  /** URL-encoded PEM of the peer's chain as Node exposes it (leaf first). */
  readonly peerCertificateChainPem: string;
  readonly peerSerial: string;
  readonly localSubject: string;
  readonly localUriSans: readonly string[];
}

/** The proxy's own certificate's facts, computed once per certificate (parsing costs per connection). */
const localFactsCache = new WeakMap<X509Certificate, { subject: string; uriSans: readonly string[] }>();

function localFacts(cert: X509Certificate | undefined): { subject: string; uriSans: readonly string[] } {
  if (cert === undefined) return { subject: '', uriSans: [] };
  let f = localFactsCache.get(cert);
  if (f === undefined) {
    f = { subject: rfc2253Subject(cert.subject), uriSans: parseSubjectAltNames(cert.subjectAltName).uri };
    localFactsCache.set(cert, f);
  }
  return f;
}

/**
 * Reads the facts of an established TLS socket (one call per connection). `localCert`: the
 * certificate presented when it is known without asking OpenSSL (one candidate was offered).
 */
export function tlsConnectionFacts(socket: TLSSocket, validated: boolean, localCert?: X509Certificate): TlsConnectionFacts {
  const peer = socket.getPeerX509Certificate();
  const local = localFacts(localCert ?? socket.getX509Certificate());
  const peerSans = parseSubjectAltNames(peer?.subjectAltName);
  let chainPem = '';
  if (peer !== undefined) {
    let c: X509Certificate | undefined = peer;
    const seen = new Set<string>();
    let pems = '';
    for (let depth = 0; c !== undefined && depth < 10 && !seen.has(c.fingerprint256); depth++) {
      seen.add(c.fingerprint256);
      pems += c.toString();
      c = c.issuerCertificate;
    }
    chainPem = encodeURIComponent(pems);
  }
  return {
    tlsVersion: socket.getProtocol() ?? '',
    cipher: socket.getCipher()?.name ?? '',
    sessionReused: socket.isSessionReused(),
    peerCertificatePresented: peer !== undefined,
    peerCertificateValidated: peer !== undefined && validated,
    peerSubject: rfc2253Subject(peer?.subject),
    peerIssuer: rfc2253Subject(peer?.issuer),
    peerUriSans: peerSans.uri,
    peerDnsSans: peerSans.dns,
    peerCertificateSha256: peer ? certificateSha256(peer) : '',
    peerCertificatePem: peer ? urlEncodedPem(peer) : '',
    peerCertificateChainPem: chainPem,
    peerSerial: peer ? peer.serialNumber.toLowerCase() : '',
    localSubject: local.subject,
    localUriSans: local.uriSans,
  };
}
