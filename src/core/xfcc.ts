/**
 * `x-forwarded-client-cert` (XFCC), as Envoy's ConnectionManagerUtility::mutateXfccRequestHeader
 * writes it from the HCM's `forward_client_cert_details` and `set_current_client_cert_details`:
 *
 *   ALWAYS_FORWARD_ONLY            the header is kept as received, always
 *   SANITIZE (default)             removed
 *   not mutual TLS (no peer cert)  removed (every other mode)
 *   FORWARD_ONLY                   kept as received
 *   APPEND_FORWARD                 `By=<local URI SAN>;Hash=<sha256>;<details>` appended (`,`)
 *   SANITIZE_SET                   replaced with that element
 *
 * Details in Envoy's order: Subject (always present, quoted), URI (`URI=` when none), Cert
 * (quoted, URL-encoded PEM), Chain (same), DNS (one per SAN). Pure: the certificate facts come
 * from the connection (serve) or from the caller (match/explain replay).
 */

/** `forward_client_cert_details`. */
export type ForwardClientCertDetails = 'SANITIZE' | 'FORWARD_ONLY' | 'APPEND_FORWARD' | 'SANITIZE_SET' | 'ALWAYS_FORWARD_ONLY';

/** One `set_current_client_cert_details` element, in Envoy's order. */
export type ClientCertDetail = 'Subject' | 'URI' | 'Cert' | 'Chain' | 'DNS';

/** XFCC settings of an HCM, compiled. */
export interface XfccConfig {
  readonly forward: ForwardClientCertDetails;
  readonly details: readonly ClientCertDetail[];
}

/** Envoy's default: SANITIZE, no details. */
export const DEFAULT_XFCC_CONFIG: XfccConfig = Object.freeze({ forward: 'SANITIZE', details: [] });

/** Compiles the HCM's two fields. */
export function compileXfccConfig(
  forward: string | undefined,
  set: { subject?: boolean; cert?: boolean; chain?: boolean; dns?: boolean; uri?: boolean } | undefined,
): XfccConfig {
  const f = (forward ?? 'SANITIZE') as ForwardClientCertDetails;
  const details: ClientCertDetail[] = [];
  if (set?.subject) details.push('Subject');
  if (set?.uri) details.push('URI');
  if (set?.cert) details.push('Cert');
  if (set?.chain) details.push('Chain');
  if (set?.dns) details.push('DNS');
  if (f === 'SANITIZE' && details.length === 0) return DEFAULT_XFCC_CONFIG;
  return { forward: f, details };
}

/** What XFCC needs to know about the downstream TLS connection. */
export interface DownstreamTlsFacts {
  readonly peerCertificatePresented: boolean;
  /** URI SANs of the proxy's own certificate (`By=`). */
  readonly localUriSans: readonly string[];
  /** Lowercase hex SHA-256 of the peer certificate ('' when none). */
  readonly peerCertificateSha256: string;
  /** RFC 2253 subject of the peer certificate. */
  readonly peerSubject: string;
  readonly peerUriSans: readonly string[];
  readonly peerDnsSans: readonly string[];
  /** URL-encoded PEM of the peer certificate, and of its chain. */
  readonly peerCertificatePem: string;
  readonly peerCertificateChainPem: string;
}

const XFCC = 'x-forwarded-client-cert';

/**
 * Applies XFCC to `headers` (lowercase names), in place. `tls` undefined: a plaintext connection.
 */
export function mutateXfccRequestHeader(
  headers: Record<string, string | string[] | undefined>,
  tls: DownstreamTlsFacts | undefined,
  config: XfccConfig,
): void {
  if (config.forward === 'ALWAYS_FORWARD_ONLY') return;
  if (config.forward === 'SANITIZE' || tls === undefined || !tls.peerCertificatePresented) {
    if (headers[XFCC] !== undefined) delete headers[XFCC];
    return;
  }
  if (config.forward === 'FORWARD_ONLY') return;
  const parts: string[] = [];
  for (const uri of tls.localUriSans) parts.push(`By=${uri}`);
  if (tls.peerCertificateSha256 !== '') parts.push(`Hash=${tls.peerCertificateSha256}`);
  for (const d of config.details) {
    switch (d) {
      case 'Subject':
        parts.push(`Subject="${tls.peerSubject}"`);
        break;
      case 'URI':
        if (tls.peerUriSans.length === 0) parts.push('URI=');
        else for (const u of tls.peerUriSans) parts.push(`URI=${u}`);
        break;
      case 'Cert':
        if (tls.peerCertificatePem !== '') parts.push(`Cert="${tls.peerCertificatePem}"`);
        break;
      case 'Chain':
        if (tls.peerCertificateChainPem !== '') parts.push(`Chain="${tls.peerCertificateChainPem}"`);
        break;
      case 'DNS':
        for (const n of tls.peerDnsSans) parts.push(`DNS=${n}`);
        break;
    }
  }
  const value = parts.join(';');
  const existing = headers[XFCC];
  if (config.forward === 'APPEND_FORWARD' && existing !== undefined) {
    const prior = typeof existing === 'string' ? existing : existing.join(',');
    headers[XFCC] = prior === '' ? value : `${prior},${value}`;
  } else {
    headers[XFCC] = value;
  }
}
