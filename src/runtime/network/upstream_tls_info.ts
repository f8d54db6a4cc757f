/**
 * The TLS facts of one upstream connection, for the access log's upstream operators
 * (%UPSTREAM_TLS_VERSION%, %UPSTREAM_TLS_CIPHER%, %UPSTREAM_PEER_SUBJECT%, %UPSTREAM_PEER_ISSUER%,
 * %UPSTREAM_PEER_URI_SAN%, %UPSTREAM_PEER_DNS_SAN%). Read once when the handshake completes (the
 * connection may be gone by the time a stream's log line is written); the certificate's fields
 * are formatted only when a log line asks for them. One object per connection, shared by its
 * streams (StreamInfo.upstreamTls).
 */
import type { TLSSocket } from 'node:tls';
import type { X509Certificate } from 'node:crypto';
import { parseSubjectAltNames, rfc2253Subject, type SubjectAltNames } from './peer_certificate.js';

export class UpstreamTlsInfo {
  /** `TLSv1.2`, `TLSv1.3`. */
  readonly tlsVersion: string;
  /** OpenSSL's cipher name. */
  readonly cipher: string;
  private readonly peer: X509Certificate | undefined;
  private sans: SubjectAltNames | undefined;
  private subject: string | undefined;
  private issuer: string | undefined;

  constructor(socket: TLSSocket) {
    this.tlsVersion = socket.getProtocol() ?? '';
    this.cipher = socket.getCipher()?.name ?? '';
    this.peer = socket.getPeerX509Certificate();
  }

  /** The peer certificate's subject, RFC 2253 (`CN=backend,O=Example`); '' without one. */
  get peerSubject(): string {
    return (this.subject ??= rfc2253Subject(this.peer?.subject));
  }

  /** The peer certificate's issuer, RFC 2253; '' without one. */
  get peerIssuer(): string {
    return (this.issuer ??= rfc2253Subject(this.peer?.issuer));
  }

  get peerUriSans(): readonly string[] {
    return this.peerSans().uri;
  }

  get peerDnsSans(): readonly string[] {
    return this.peerSans().dns;
  }

  private peerSans(): SubjectAltNames {
    return (this.sans ??= parseSubjectAltNames(this.peer?.subjectAltName));
  }
}

const kInfo = Symbol('upstreamTlsInfo');

/** Records the facts of a TLS upstream socket whose handshake and verification passed. */
export function setUpstreamTlsInfo(socket: TLSSocket): void {
  (socket as TLSSocket & { [kInfo]?: UpstreamTlsInfo })[kInfo] = new UpstreamTlsInfo(socket);
}

/** The facts recorded for `socket`; undefined for raw TCP. */
export function upstreamTlsInfoOf(socket: object): UpstreamTlsInfo | undefined {
  return (socket as { [kInfo]?: UpstreamTlsInfo })[kInfo];
}
