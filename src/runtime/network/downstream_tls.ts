/**
 * The TLS transport socket of one downstream filter chain (Envoy's ServerSslSocketFactory +
 * ServerContextImpl): the chain's compiled DownstreamTlsContext, its current certificate
 * material (replaced as a whole when the files change: new connections get the new certificate,
 * established ones keep theirs), and the server handshake on an accepted socket.
 *
 * The handshake runs on the listener's own accepted `net.Socket` (`new tls.TLSSocket(socket,
 * {isServer: true, ...})`), so the listener keeps its net.Server and the original destination
 * hand-off happens before any TLS. Certificate selection, as Envoy's: the certificates whose DNS
 * SANs (or CN) match the SNI exactly, else by wildcard, else all of them; among those the first
 * of each key type (RSA, ECDSA), and OpenSSL picks the one the client's signature algorithms
 * allow. ALPN: the chain's `alpn_protocols` are offered only when the client's list shares one
 * (Envoy continues without ALPN when there is no overlap; Node would abort the handshake).
 */
import type { Socket } from 'node:net';
import { TLSSocket, type SecureContext } from 'node:tls';
import { buildSecureContext, type CompiledTls, type LoadedCertificate, type TlsMaterial, type TlsProblem } from './tls_context.js';
import { dnsNameMatch, tlsConnectionFacts } from './peer_certificate.js';
import { countVerifyFailure, verifyPeer } from './peer_verify.js';
import type { SslStats } from './ssl_stats.js';
import type { DownstreamTransportInfo } from './transport_info.js';

/** What the TLS inspector saw in the ClientHello (undefined fields: not inspected or not sent). */
export interface ClientHelloFacts {
  readonly serverName: string | undefined;
  readonly alpn: readonly string[] | undefined;
}

/** How a server handshake ended. */
export type HandshakeOutcome =
  | { readonly kind: 'ok'; readonly socket: TLSSocket; readonly transport: DownstreamTransportInfo }
  | { readonly kind: 'failed'; readonly reason: string }
  | { readonly kind: 'timeout' };

export class DownstreamTlsTransport {
  private materialNow: TlsMaterial;
  private readonly contexts = new Map<string, SecureContext>();

  /** The chain's `alpn_protocols`, less `h2` when its connection manager is `codec_type: HTTP1`. */
  private readonly alpn: readonly string[];

  constructor(
    readonly compiled: CompiledTls,
    material: TlsMaterial,
    private readonly stats: SslStats,
    /** The chain's HCM can speak HTTP/2 (codec_type AUTO or HTTP2): `h2` may be negotiated. */
    allowH2 = true,
  ) {
    this.materialNow = material;
    this.alpn = allowH2 ? compiled.alpn : compiled.alpn.filter((p) => p !== 'h2');
  }

  get material(): TlsMaterial {
    return this.materialNow;
  }

  /**
   * Reads the certificate material again (a file changed). On success new connections use it;
   * on failure the current material stays and the problems are returned.
   */
  reload(): readonly TlsProblem[] | undefined {
    const r = this.compiled.load();
    if ('problems' in r) return r.problems;
    this.materialNow = r.material;
    this.contexts.clear();
    return undefined;
  }

  /** The certificates presented to a client that sent `sni` (see the module comment). */
  selectCertificates(sni: string | undefined): readonly LoadedCertificate[] {
    const all = this.materialNow.certificates;
    let candidates = all;
    if (sni !== undefined && sni !== '' && all.length > 1) {
      const exact = all.filter((c) => c.names.includes(sni));
      const wild = exact.length > 0 ? exact : all.filter((c) => c.names.some((n) => n.startsWith('*.') && dnsNameMatch(sni, n)));
      if (wild.length > 0) candidates = wild;
    }
    const seen = new Set<string>();
    return candidates.filter((c) => {
      const t = c.keyType ?? 'pkcs12';
      if (seen.has(t)) return false;
      seen.add(t);
      return true;
    });
  }

  /** The SecureContext for a client that sent `sni` (cached per certificate selection). */
  contextFor(sni: string | undefined): SecureContext {
    const certs = this.selectCertificates(sni);
    const all = this.materialNow.certificates;
    const key = certs.map((c) => all.indexOf(c)).join(',');
    let ctx = this.contexts.get(key);
    if (ctx === undefined) {
      ctx = buildSecureContext(this.compiled, this.materialNow, certs);
      this.contexts.set(key, ctx);
    }
    return ctx;
  }

  /**
   * Runs the server handshake on `socket` (paused, with the ClientHello still unread) and calls
   * `done` once: `ok` synchronously from the TLS socket's 'secure' event (the caller attaches its
   * own listeners at once), else `failed` / `timeout` with the socket destroyed. `timeoutMs`:
   * the chain's `transport_socket_connect_timeout` (0: none).
   */
  handshake(socket: Socket, hello: ClientHelloFacts, timeoutMs: number, done: (outcome: HandshakeOutcome) => void): void {
    const c = this.compiled;
    const validation = this.materialNow.validation;
    if (c.requireSni && (hello.serverName === undefined || hello.serverName === '')) {
      this.stats.connectionError.inc();
      socket.destroy();
      done({ kind: 'failed', reason: 'require_sni: the client sent no SNI' });
      return;
    }
    const offered = hello.alpn;
    const own = this.alpn;
    const alpn = own.length > 0 && (offered === undefined || offered.length === 0 || offered.some((p) => own.includes(p))) ? [...own] : undefined;
    const requestCert = validation !== undefined || c.requireClientCertificate;
    const certs = this.selectCertificates(hello.serverName);
    // One candidate: the certificate presented is known (no per-connection parse of it).
    const presented = certs.length === 1 ? certs[0]!.leaf : undefined;
    const tls = new TLSSocket(socket, {
      isServer: true,
      secureContext: this.contextFor(hello.serverName),
      requestCert,
      // With require_client_certificate OpenSSL fails the handshake itself when no certificate comes
      // (SSL_VERIFY_FAIL_IF_NO_PEER_CERT); the chain verdict is read after the handshake (verifyPeer).
      rejectUnauthorized: c.requireClientCertificate,
      ...(alpn ? { ALPNProtocols: alpn } : {}),
    });
    let finished = false;
    let timer: NodeJS.Timeout | undefined;
    const finish = (outcome: HandshakeOutcome): void => {
      if (finished) return;
      finished = true;
      if (timer !== undefined) clearTimeout(timer);
      tls.removeListener('secure', onSecure);
      tls.removeListener('error', onError);
      tls.removeListener('close', onClose);
      if (outcome.kind !== 'ok') {
        // Errors after the verdict (a late write to the destroyed socket) must not go unhandled.
        tls.on('error', ignore);
        tls.destroy();
        socket.destroy();
      }
      done(outcome);
    };
    const onSecure = (): void => {
      const verdict = verifyPeer(tls, validation, c.requireClientCertificate);
      if (!verdict.ok) {
        // Envoy: ssl.connection_error counts TLS errors "not including failed certificate verifications".
        countVerifyFailure(this.stats, verdict.reason);
        finish({ kind: 'failed', reason: verdict.detail });
        return;
      }
      const facts = tlsConnectionFacts(tls, verdict.validated, presented);
      this.stats.onHandshake(facts.tlsVersion, facts.cipher, facts.sessionReused);
      if (!facts.peerCertificatePresented) this.stats.noCertificate.inc();
      // A server-side TLSSocket made on an accepted socket keeps `secureConnecting` true after
      // its handshake ('secureConnect' is a client event): consumers that wait for it (node:http2
      // does) would wait for ever. The handshake is done.
      (tls as TLSSocket & { secureConnecting?: boolean }).secureConnecting = false;
      const negotiated = tls.alpnProtocol;
      finish({
        kind: 'ok',
        socket: tls,
        transport: { ...facts, ssl: true, sni: hello.serverName || undefined, alpn: typeof negotiated === 'string' ? negotiated : undefined },
      });
    };
    const onError = (err: Error & { code?: string }): void => {
      if (err.code === 'ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE') this.stats.failVerifyNoCert.inc();
      else this.stats.connectionError.inc();
      finish({ kind: 'failed', reason: `TLS_error: ${err.code ?? err.message}` });
    };
    const onClose = (): void => {
      this.stats.connectionError.inc();
      finish({ kind: 'failed', reason: 'the client closed the connection during the handshake' });
    };
    tls.on('secure', onSecure);
    tls.on('error', onError);
    tls.on('close', onClose);
    if (timeoutMs > 0) timer = setTimeout(() => finish({ kind: 'timeout' }), timeoutMs);
  }
}

function ignore(): void {}
