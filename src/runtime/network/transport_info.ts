/**
 * The one interface through which a downstream connection's transport reaches the connection
 * manager and its streams: `ActiveListener` builds it after the TLS handshake and passes it to
 * the connection manager (http/server_connection_manager.ts), which copies it into each stream's StreamInfo (SNI, TLS version, peer
 * certificate) and hands it to the core's request mutation (scheme https, XFCC).
 * Plaintext connections have none (undefined).
 */
import type { DownstreamTlsFacts } from '../../core/xfcc.js';

/** A TLS-terminated downstream connection. */
export interface DownstreamTransportInfo extends DownstreamTlsFacts {
  readonly ssl: true;
  /** SNI the client sent (lowercase), undefined without one (%REQUESTED_SERVER_NAME%). */
  readonly sni: string | undefined;
  /** The ALPN protocol negotiated (`h2`, `http/1.1`), undefined when none was. */
  readonly alpn: string | undefined;
  /** `TLSv1.2`, `TLSv1.3` (%DOWNSTREAM_TLS_VERSION%). */
  readonly tlsVersion: string;
  /** OpenSSL cipher name (%DOWNSTREAM_TLS_CIPHER%). */
  readonly cipher: string;
  readonly sessionReused: boolean;
  /** The peer certificate chained to the trusted CA and passed the validation context. */
  readonly peerCertificateValidated: boolean;
  readonly peerIssuer: string;
  /** Serial number, lowercase hex. */
  readonly peerSerial: string;
  /** The proxy's own certificate's subject (%DOWNSTREAM_LOCAL_SUBJECT%). */
  readonly localSubject: string;
}
