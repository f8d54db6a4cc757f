/**
 * TLS to the upstream (Envoy's ClientSslSocketFactory + ClientContextImpl): a cluster's
 * `transport_socket` UpstreamTlsContext, or the one `transport_socket_matches` picks for an
 * endpoint by its `envoy.transport_socket_match` metadata (first match wins; none: the cluster's
 * own transport socket).
 *
 * One function for the pool's connect path, {@link connectUpstream}: it returns the socket and
 * the event that means "ready for requests": `connect` for raw TCP, {@link TRANSPORT_READY} for
 * TLS, emitted only after the handshake AND the peer verification passed (Envoy raises Connected
 * after the handshake, so `connect_timeout` covers it). A failed handshake or verification
 * destroys the socket with an error that carries Envoy's transport failure reason
 * (`transportFailureReason`, %UPSTREAM_TRANSPORT_FAILURE_REASON%): the pool sees a connect
 * failure (503 UF, `upstream_cx_connect_fail`), counted under `cluster.<name>.ssl.*`.
 *
 * Envoy's client defaults apply: no verification at all without a validation context (Envoy
 * does not check the upstream's certificate unless told to; lint warns), TLS 1.2 maximum, SNI only
 * when `sni` is set. The pool adds per-connection {@link UpstreamTransportOptions}: the SNI and the
 * SAN to verify that auto_sni / auto_san_validation take from the request, and the ALPN fallback
 * of its protocols (Envoy's AlpnDecoratingTransportSocketOptions).
 */
import net from 'node:net';
import { connect as tlsConnect, type SecureContext, type TLSSocket } from 'node:tls';
import type { Cluster } from '../../config/types.js';
import { transportSocketKind, type TransportSocketConfig, type UpstreamTlsContext } from '../../config/tls_types.js';
import type { StatsScope } from '../stats/store.js';
import { buildSecureContext, type CompiledTls, type TlsMaterial, type TlsProblem } from './tls_context.js';
import { compiledTlsContext } from './tls_compile_cache.js';
import { countVerifyFailure, verifyPeer } from './peer_verify.js';
import { SslStats } from './ssl_stats.js';
import { CompiledStringMatcher } from '../../core/string_matcher.js';
import { CertWatcher } from './cert_watcher.js';
import { setUpstreamTlsInfo } from './upstream_tls_info.js';

/** The event a TLS upstream socket emits once the handshake and the verification passed. */
export const TRANSPORT_READY = 'tsproxy:transportReady';

/** Envoy's failure reason when the peer certificate fails verification (BoringSSL's text). */
export const CERTIFICATE_VERIFY_FAILED = 'TLS_error:|268435581:SSL routines:OPENSSL_internal:CERTIFICATE_VERIFY_FAILED:TLS_error_end';

/** One upstream TLS context (a cluster's, or one transport_socket_matches entry's). */
export class UpstreamTlsContextRuntime {
  private materialNow: TlsMaterial;
  private context: SecureContext | undefined;

  constructor(
    readonly compiled: CompiledTls,
    material: TlsMaterial,
    readonly stats: SslStats,
  ) {
    this.materialNow = material;
  }

  get material(): TlsMaterial {
    return this.materialNow;
  }

  /** Reads the material again (certificate rotation); keeps the current one on failure. */
  reload(): readonly TlsProblem[] | undefined {
    const r = this.compiled.load();
    if ('problems' in r) return r.problems;
    this.materialNow = r.material;
    this.context = undefined;
    return undefined;
  }

  secureContext(): SecureContext {
    this.context ??= buildSecureContext(this.compiled, this.materialNow, this.materialNow.certificates);
    return this.context;
  }
}

/** How a cluster's connections are made: by endpoint, the TLS context to use (undefined: raw TCP). */
export interface UpstreamTransportSocketFactory {
  /** The context for the endpoint at `address:port` (`hostname`: its DNS name, for DNS clusters). */
  contextFor(address: string, port: number, hostname?: string): UpstreamTlsContextRuntime | undefined;
  /** Every TLS context of the cluster (rotation, admin). */
  readonly contexts: readonly UpstreamTlsContextRuntime[];
}

function tlsOf(ts: TransportSocketConfig | undefined): UpstreamTlsContext | undefined {
  if (ts === undefined || transportSocketKind(ts) !== 'tls') return undefined;
  return (ts.typed_config ?? {}) as UpstreamTlsContext;
}

/** True when every key of `match` equals the endpoint's `envoy.transport_socket_match` metadata. */
function metadataMatches(match: Record<string, unknown> | undefined, meta: Record<string, unknown> | undefined): boolean {
  for (const [k, v] of Object.entries(match ?? {})) {
    if (meta === undefined || JSON.stringify(meta[k]) !== JSON.stringify(v)) return false;
  }
  return true;
}

/** The factory built for each cluster config (admin /certs reads it); weak: follows the config's life. */
const byCluster = new WeakMap<Cluster, UpstreamTransportSocketFactory>();

/** The transport socket factory serve built for `cluster`, if it uses TLS. */
export function upstreamTransportOf(cluster: Cluster): UpstreamTransportSocketFactory | undefined {
  return byCluster.get(cluster);
}

/**
 * The transport socket factory of `cluster`, or undefined when every connection is raw TCP.
 * Throws when a TLS context does not compile (serve's startup checks report those first, with
 * positions; see serve_support.ts).
 */
export function upstreamTransportFor(cluster: Cluster, scope: StatsScope): UpstreamTransportSocketFactory | undefined {
  const matches = cluster.transport_socket_matches ?? [];
  const own = tlsOf(cluster.transport_socket as TransportSocketConfig | undefined);
  if (own === undefined && !matches.some((m) => tlsOf(m.transport_socket as TransportSocketConfig | undefined) !== undefined)) return undefined;
  let stats: SslStats | undefined;
  const contexts: UpstreamTlsContextRuntime[] = [];
  const make = (cfg: UpstreamTlsContext | undefined): UpstreamTlsContextRuntime | undefined => {
    if (cfg === undefined) return undefined;
    const r = compiledTlsContext(cfg, 'upstream');
    if (r.compiled === undefined) throw new Error(`cluster "${cluster.name}": ${r.problems.map((p) => p.message).join('; ')}`);
    const m = r.compiled.load();
    if ('problems' in m) throw new Error(`cluster "${cluster.name}": ${m.problems.map((p) => p.message).join('; ')}`);
    stats ??= new SslStats(scope);
    const c = new UpstreamTlsContextRuntime(r.compiled, m.material, stats);
    contexts.push(c);
    return c;
  };
  const defaultContext = make(own);
  // Rotation (file-based SDS, watched_directory); the watches never keep the process alive.
  const watcher = new CertWatcher(scope.counter('client_ssl_socket_factory.ssl_context_update_by_sds'));
  const byMatch = matches.map((m) => ({ match: m.match, context: make(tlsOf(m.transport_socket as TransportSocketConfig | undefined)) }));
  for (const c of contexts) watcher.add(c);
  // Endpoint metadata by `address:port` (and `hostname:port`) from the cluster's load assignment.
  const meta = new Map<string, Record<string, unknown> | undefined>();
  for (const le of cluster.load_assignment?.endpoints ?? []) {
    for (const ep of le.lb_endpoints ?? []) {
      const sa = ep.endpoint?.address?.socket_address;
      if (!sa) continue;
      const md = ep.metadata?.filter_metadata?.['envoy.transport_socket_match'];
      meta.set(`${sa.address}:${sa.port_value ?? 0}`, md);
      if (ep.endpoint?.hostname) meta.set(`${ep.endpoint.hostname}:${sa.port_value ?? 0}`, md);
    }
  }
  const factory: UpstreamTransportSocketFactory = {
    contexts,
    contextFor(address: string, port: number, hostname?: string): UpstreamTlsContextRuntime | undefined {
      if (byMatch.length === 0) return defaultContext;
      const md = meta.get(`${address}:${port}`) ?? (hostname !== undefined ? meta.get(`${hostname}:${port}`) : undefined);
      for (const m of byMatch) if (metadataMatches(m.match, md)) return m.context;
      return defaultContext;
    },
  };
  byCluster.set(cluster, factory);
  return factory;
}

/**
 * What a connection pool adds to its cluster's transport socket for every connection it opens
 * (Envoy's Network::TransportSocketOptions, which take part in the pool's key): pools are made
 * per distinct options, so connections with different SNI are never shared.
 */
export interface UpstreamTransportOptions {
  /** SNI sent instead of the context's `sni` (auto_sni: the request's host); wins as in Envoy. */
  readonly serverName?: string | undefined;
  /**
   * Names the peer certificate must carry as a SAN (auto_san_validation: the request's host),
   * checked besides the validation context; a mismatch fails the connection (`ssl.fail_verify_san`).
   */
  readonly verifySubjectAltNames?: readonly string[] | undefined;
  /** ALPN offered when the TLS context configures none: the pool's protocols (`h2`, `http/1.1`). */
  readonly alpnFallback?: readonly string[] | undefined;
}

/** A connecting upstream socket and the event that says it is ready for requests. */
export interface UpstreamConnection {
  readonly socket: net.Socket;
  readonly readyEvent: 'connect' | typeof TRANSPORT_READY;
}

/** An error that carries Envoy's transport failure reason. */
export interface TransportFailureError extends Error {
  transportFailureReason?: string;
  code?: string;
}

/**
 * Opens the connection to an upstream endpoint: raw TCP, or TLS with the endpoint's context
 * (see the module comment). May throw synchronously on an invalid address (as net.connect does).
 */
export function connectUpstream(
  address: string,
  port: number,
  factory: UpstreamTransportSocketFactory | undefined,
  hostname?: string,
  options?: UpstreamTransportOptions,
): UpstreamConnection {
  const ctx = factory?.contextFor(address, port, hostname);
  if (ctx === undefined) return { socket: net.connect({ host: address, port, noDelay: true }), readyEvent: 'connect' };
  const c = ctx.compiled;
  // Envoy's precedence: the options' server name (auto_sni), else the endpoint's hostname
  // (auto_host_sni), else the context's `sni`.
  const sni = options?.serverName ?? (c.autoHostSni && hostname !== undefined && hostname !== '' ? hostname : c.sni);
  // ALPN: the context's alpn_protocols, else the pool's fallback.
  const alpn = c.alpn.length > 0 ? c.alpn : options?.alpnFallback;
  const verifySans = options?.verifySubjectAltNames;
  // auto_sni_san_validation: without a SAN list from the request, the certificate must name the
  // SNI sent (a DNS SAN, wildcards allowed) instead of matching the configured SAN matchers.
  let validation = ctx.material.validation;
  if (c.autoSniSanValidation && (verifySans === undefined || verifySans.length === 0) && sni !== undefined && sni !== '' && validation !== undefined) {
    validation = { ...validation, sanMatchers: [{ type: 'DNS', matcher: new CompiledStringMatcher('exact', sni.toLowerCase(), true, undefined) }] };
  }
  const socket: TLSSocket = tlsConnect({
    host: address,
    port,
    secureContext: ctx.secureContext(),
    ...(sni !== undefined && sni !== '' && !net.isIP(sni) ? { servername: sni } : {}),
    ...(alpn !== undefined && alpn.length > 0 ? { ALPNProtocols: [...alpn] } : {}),
    // Verification is Envoy's (verifyPeer), not Node's hostname check.
    rejectUnauthorized: false,
    checkServerIdentity: () => undefined,
  });
  socket.setNoDelay(true);
  // First listener: give a TLS error Envoy's transport failure reason before the pool sees it.
  socket.prependListener('error', (err: TransportFailureError) => {
    if (err.transportFailureReason === undefined && typeof err.code === 'string' && err.code.startsWith('ERR_SSL')) {
      err.transportFailureReason = `TLS_error:|${err.message.split('\n')[0]}:TLS_error_end`;
      ctx.stats.connectionError.inc();
    }
  });
  socket.once('secureConnect', () => {
    const verdict = verifyPeer(socket, validation, false, verifySans);
    if (!verdict.ok) {
      countVerifyFailure(ctx.stats, verdict.reason);
      const err: TransportFailureError = new Error(`upstream certificate verification failed: ${verdict.detail}`);
      err.transportFailureReason = CERTIFICATE_VERIFY_FAILED;
      err.code = 'CERTIFICATE_VERIFY_FAILED';
      socket.destroy(err);
      return;
    }
    ctx.stats.onHandshake(socket.getProtocol() ?? '', socket.getCipher()?.name ?? '', socket.isSessionReused());
    setUpstreamTlsInfo(socket);
    socket.emit(TRANSPORT_READY);
  });
  return { socket, readyEvent: TRANSPORT_READY };
}
