/**
 * serve's startup checks of transport sockets, for listeners' filter chains and clusters alike:
 * raw_buffer and TLS run; TLS is compiled as serve will run it (network/tls_context.ts) and every
 * setting Node cannot honour, or certificate material it cannot load, is an error (rule
 * `serve/tls`): never a silently weaker TLS; any other transport socket is an error. A cluster's
 * `auto_config` protocol selection needs TLS (ALPN) on every transport socket, as Envoy says.
 * Pure but for the compile cache (network/tls_compile_cache.ts), which serve reuses at startup.
 */
import type { Any, Cluster } from '../config/types.js';
import {
  DOWNSTREAM_TLS_CONTEXT_TYPE,
  UPSTREAM_TLS_CONTEXT_TYPE,
  transportSocketKind,
  type DownstreamTlsContext,
  type UpstreamTlsContext,
} from '../config/tls_types.js';
import { compiledTlsContext } from './network/tls_compile_cache.js';
import { typeName, type Collector } from './serve_unsupported_collector.js';

/** Rule of TLS settings serve cannot honour (or material it cannot load): errors. */
export const SERVE_TLS_RULE = 'serve/tls';

/**
 * Transport socket checks shared by filter chains and clusters: raw_buffer is fine; TLS is
 * compiled (network/tls_context.ts) and every setting Node cannot honour, or certificate it
 * cannot load, is an error at its field; any other transport socket is an error.
 */
export function transportSocketCheck(c: Collector, owner: object, ts: { name?: string; typed_config?: Any } | undefined, path: string, who: string, downstream: boolean): void {
  if (!ts) return;
  const kind = transportSocketKind({ name: ts.name ?? '', ...(ts.typed_config ? { typed_config: ts.typed_config } : {}) });
  if (kind === 'raw_buffer') return;
  const t = typeName(ts.typed_config?.['@type']);
  if (kind === 'other') {
    c.add('error', owner, 'transport_socket', path, `${who}: the transport socket "${t ?? ts.name ?? ''}" (transport_socket) is not implemented by serve; the bytes on the wire would not be what the peer expects; refusing to start`);
    return;
  }
  const want = downstream ? DOWNSTREAM_TLS_CONTEXT_TYPE : UPSTREAM_TLS_CONTEXT_TYPE;
  if (t !== undefined && t !== want) {
    c.add('error', owner, 'transport_socket', path, `${who}: a ${downstream ? 'listener' : 'cluster'} transport socket takes ${want.slice(want.lastIndexOf('.') + 1)}, not ${t.slice(t.lastIndexOf('.') + 1)}`, SERVE_TLS_RULE);
    return;
  }
  const cfg = (ts.typed_config ?? {}) as DownstreamTlsContext | UpstreamTlsContext;
  const r = compiledTlsContext(cfg, downstream ? 'downstream' : 'upstream');
  const base = `${path}.transport_socket.typed_config`;
  for (const p of r.problems) c.add('error', p.node, p.field, p.path ? `${base}.${p.path}` : base, `${who}: TLS ${p.message}`, SERVE_TLS_RULE);
}

/**
 * `auto_config` picks the protocol by TLS ALPN: Envoy refuses it on a cluster whose transport
 * socket (or one of its transport_socket_matches) is not TLS, with these words. `ext` is the
 * cluster's HttpProtocolOptions, `path` its JSON path.
 */
export function alpnTransportCheck(c: Collector, cl: Cluster, ext: Record<string, unknown>, path: string): void {
  const kind = (ts: unknown): string => transportSocketKind(ts as Parameters<typeof transportSocketKind>[0]);
  if (kind(cl.transport_socket) !== 'tls') {
    c.add('error', ext, 'auto_config', path, `ALPN configured for cluster ${cl.name} which has a non-ALPN transport socket (auto_config needs an UpstreamTlsContext)`);
  } else if ((cl.transport_socket_matches ?? []).some((m) => kind(m.transport_socket) !== 'tls')) {
    c.add('error', ext, 'auto_config', path, `ALPN configured for cluster ${cl.name} which has a non-ALPN transport socket matcher (every transport_socket_matches entry must be TLS)`);
  }
}
