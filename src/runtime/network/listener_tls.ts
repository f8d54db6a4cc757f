/**
 * What a listener's config says about TLS: whether the tls_inspector listener filter runs, and
 * the DownstreamTlsContext of a filter chain's transport socket.
 */
import {
  transportSocketKind,
  type DownstreamTlsContext,
  type TransportSocketConfig,
} from '../../config/tls_types.js';

/** Envoy's default `listener_filters_timeout`. */
export const DEFAULT_LISTENER_FILTERS_TIMEOUT_MS = 15_000;

export { hasTlsInspector, isTlsInspector } from '../../config/tls_types.js';

/** The DownstreamTlsContext of a chain's transport socket, or undefined for raw_buffer. */
export function tlsContextOf(ts: TransportSocketConfig | undefined): DownstreamTlsContext | undefined {
  if (ts === undefined || transportSocketKind(ts) !== 'tls') return undefined;
  return (ts.typed_config ?? {}) as DownstreamTlsContext;
}
