/**
 * What a listener's config says about TLS: whether the tls_inspector listener filter runs, and
 * the DownstreamTlsContext of a filter chain's transport socket.
 */
import type { Listener } from '../../config/types.js';
import {
  TLS_INSPECTOR_NAMES,
  TLS_INSPECTOR_TYPE,
  transportSocketKind,
  type DownstreamTlsContext,
  type TransportSocketConfig,
} from '../../config/tls_types.js';

/** Envoy's default `listener_filters_timeout`. */
export const DEFAULT_LISTENER_FILTERS_TIMEOUT_MS = 15_000;

/** The listener runs `envoy.filters.listener.tls_inspector` (by `@type`, or by name without typed_config). */
export function hasTlsInspector(listener: Listener): boolean {
  return (listener.listener_filters ?? []).some((f) => isTlsInspector(f));
}

/** One listener filter is the TLS inspector. */
export function isTlsInspector(f: { name?: string; typed_config?: Record<string, unknown> }): boolean {
  const url = f.typed_config?.['@type'];
  if (typeof url === 'string') return url.slice(url.lastIndexOf('/') + 1) === TLS_INSPECTOR_TYPE;
  return f.name !== undefined && TLS_INSPECTOR_NAMES.has(f.name);
}

/** The DownstreamTlsContext of a chain's transport socket, or undefined for raw_buffer. */
export function tlsContextOf(ts: TransportSocketConfig | undefined): DownstreamTlsContext | undefined {
  if (ts === undefined || transportSocketKind(ts) !== 'tls') return undefined;
  return (ts.typed_config ?? {}) as DownstreamTlsContext;
}
