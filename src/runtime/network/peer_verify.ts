/**
 * Verification of the peer certificate after the handshake, as Envoy's DefaultCertValidator does
 * it: the chain against `trusted_ca` (and its CRL; `allow_expired_certificate`,
 * `trust_chain_verification: ACCEPT_UNTRUSTED`), then `match_typed_subject_alt_names`, then the
 * `verify_certificate_hash` / `verify_certificate_spki` pins. Each failure has its Envoy stat.
 * Node verifies the chain during the handshake but leaves the verdict to the application; this
 * reads it and decides.
 */
import type { TLSSocket } from 'node:tls';
import type { PeerValidation } from './tls_context.js';
import { certificateSha256, dnsNameMatch, matchSubjectAltNames, parseSubjectAltNames, spkiSha256 } from './peer_certificate.js';
import type { SslStats } from './ssl_stats.js';

/** The verdict on a peer. `validated`: a peer certificate chained to the trusted CA and passed every check. */
export type PeerVerdict =
  | { readonly ok: true; readonly validated: boolean }
  | { readonly ok: false; readonly reason: 'no_certificate' | 'verify_error' | 'san' | 'cert_hash'; readonly detail: string };

interface VerifyHandle {
  verifyError?(): (Error & { code?: string }) | null;
}

/** The chain verification error Node recorded for `socket`, or null. */
function chainError(socket: TLSSocket): (Error & { code?: string }) | null {
  const h = (socket as unknown as { _handle?: VerifyHandle | null })._handle;
  return h?.verifyError?.() ?? null;
}

/**
 * Whether a SAN of the certificate equals one of `names` (Envoy's verifySubjectAltName for the
 * per-connection override list, auto_san_validation): DNS SANs by the wildcard rule, the other
 * kinds exactly.
 */
function sanListMatches(subjectAltName: string | undefined, names: readonly string[]): boolean {
  const sans = parseSubjectAltNames(subjectAltName);
  for (const name of names) {
    for (const san of sans.dns) if (dnsNameMatch(name, san)) return true;
    if (sans.uri.includes(name) || sans.ip.includes(name) || sans.email.includes(name)) return true;
  }
  return false;
}

/**
 * Judges the peer of an established `socket`. `verifySans`: names the certificate must carry
 * besides the validation context's checks (upstream auto_san_validation, Envoy's
 * verifySubjectAltNameListOverride); with them a certificate is required, and a match counts as
 * validated even without a trusted CA, as in Envoy.
 */
export function verifyPeer(socket: TLSSocket, v: PeerValidation | undefined, requireCertificate: boolean, verifySans?: readonly string[]): PeerVerdict {
  const peer = socket.getPeerX509Certificate();
  const sanList = verifySans !== undefined && verifySans.length > 0;
  if (peer === undefined) {
    return requireCertificate || sanList ? { ok: false, reason: 'no_certificate', detail: 'peer did not present a certificate' } : { ok: true, validated: false };
  }
  if (v === undefined && !sanList) return { ok: true, validated: false };
  if (v === undefined) {
    return sanListMatches(peer.subjectAltName, verifySans!) ? { ok: true, validated: true } : { ok: false, reason: 'san', detail: 'verify cert failed: verify SAN list' };
  }
  let validated = false;
  if (v.hasTrustedCa) {
    const err = chainError(socket);
    if (err === null) validated = true;
    else if (!(v.acceptUntrusted || (v.allowExpired && err.code === 'CERT_HAS_EXPIRED'))) {
      return { ok: false, reason: 'verify_error', detail: `X509_verify_cert: certificate verification error: ${err.code ?? err.message}` };
    }
  }
  if (sanList) {
    if (!sanListMatches(peer.subjectAltName, verifySans!)) return { ok: false, reason: 'san', detail: 'verify cert failed: verify SAN list' };
    validated = true;
  }
  if (v.sanMatchers.length > 0 && !matchSubjectAltNames(parseSubjectAltNames(peer.subjectAltName), v.sanMatchers)) {
    return { ok: false, reason: 'san', detail: 'verify cert failed: SAN matcher' };
  }
  if (v.certificateHashes.length > 0 || v.spkiHashes.length > 0) {
    const hashOk = v.certificateHashes.length > 0 && v.certificateHashes.includes(certificateSha256(peer));
    const spkiOk = !hashOk && v.spkiHashes.length > 0 && v.spkiHashes.includes(spkiSha256(peer));
    if (!hashOk && !spkiOk) return { ok: false, reason: 'cert_hash', detail: 'verify cert failed: cert hash and spki' };
    validated = true;
  }
  return { ok: true, validated };
}

/** Counts a failed verdict on its Envoy stat. */
export function countVerifyFailure(stats: SslStats, reason: Exclude<PeerVerdict, { ok: true }>['reason']): void {
  switch (reason) {
    case 'no_certificate':
      stats.failVerifyNoCert.inc();
      break;
    case 'verify_error':
      stats.failVerifyError.inc();
      break;
    case 'san':
      stats.failVerifySan.inc();
      break;
    case 'cert_hash':
      stats.failVerifyCertHash.inc();
      break;
  }
}
