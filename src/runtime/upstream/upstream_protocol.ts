/**
 * Which protocol a cluster speaks to its hosts (Envoy's ClusterInfo features/upstreamHttpProtocol),
 * read from `typed_extension_protocol_options`
 * `envoy.extensions.upstreams.http.v3.HttpProtocolOptions`:
 * - `explicit_http_config.http_protocol_options` -> HTTP/1.1 (the default when nothing is set);
 *   `explicit_http_config.http2_protocol_options` -> HTTP/2 (h2c prior knowledge: no TLS yet);
 * - `use_downstream_protocol_config` -> per request: HTTP/2 when the downstream request came over
 *   HTTP/2, else HTTP/1.1, with the options given for each;
 * - `auto_config` -> per connection by TLS ALPN (Envoy's mixed pool): the connection offers
 *   `h2,http/1.1` and speaks HTTP/2 when the upstream picked `h2`, else HTTP/1.1, with the
 *   options given for each (needs a TLS transport socket: Envoy refuses it on a plaintext one,
 *   and so does serve_support.ts);
 * or from the deprecated cluster fields: `http2_protocol_options` -> HTTP/2,
 * `protocol_selection: USE_DOWNSTREAM_PROTOCOL` -> per request (HTTP/2 with
 * `http2_protocol_options` when the downstream is HTTP/2). The typed options win when both are
 * set, as Envoy refuses the mix. Pure: reads the decoded config.
 */
import type { Cluster, Http1ProtocolOptions } from '../../config/types.js';
import { http2ProtocolOptions, type Http2ProtocolOptions } from '../codec/http2/options.js';
import type { Http2ProtocolOptions as Http2ProtocolOptionsConfig } from '../../config/types.js';

export const UPSTREAM_HTTP_PROTOCOL_OPTIONS_KEY = 'envoy.extensions.upstreams.http.v3.HttpProtocolOptions';

/**
 * `explicit` HTTP/1.1 or HTTP/2; `downstream`: the downstream request's protocol decides;
 * `alpn` (auto_config): each connection's negotiated ALPN decides.
 */
export type UpstreamProtocolMode = 'http1' | 'http2' | 'downstream' | 'alpn';

export interface UpstreamProtocolConfig {
  readonly mode: UpstreamProtocolMode;
  /** http_protocol_options.enable_trailers (HTTP/1 request trailers are written). */
  readonly http1EnableTrailers: boolean;
  /** The HTTP/2 settings (Envoy's defaults when none were given). */
  readonly http2: Http2ProtocolOptions;
}

/** A decoded message's field, in snake_case or lowerCamelCase. */
function field(obj: unknown, snake: string): unknown {
  if (obj === null || typeof obj !== 'object') return undefined;
  const o = obj as Record<string, unknown>;
  if (o[snake] !== undefined) return o[snake];
  return o[snake.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase())];
}

/** Normalizes an interval_jitter given as a Percent message ({value}) to a number. */
function h2Config(raw: unknown): Http2ProtocolOptionsConfig | undefined {
  if (raw === undefined || raw === null || typeof raw !== 'object') return undefined;
  const c = raw as Http2ProtocolOptionsConfig & { connection_keepalive?: { interval_jitter?: unknown } };
  const jitter = c.connection_keepalive?.interval_jitter;
  if (jitter !== null && typeof jitter === 'object') {
    return { ...c, connection_keepalive: { ...c.connection_keepalive, interval_jitter: Number((jitter as { value?: unknown }).value ?? 0) } };
  }
  return c;
}

/** The cluster's upstream protocol choice (see the module comment). */
export function upstreamProtocolConfig(cluster: Cluster): UpstreamProtocolConfig {
  const ext = cluster.typed_extension_protocol_options?.[UPSTREAM_HTTP_PROTOCOL_OPTIONS_KEY];
  const explicit = field(ext, 'explicit_http_config');
  const downstream = field(ext, 'use_downstream_protocol_config');
  const auto = field(ext, 'auto_config');
  if (explicit !== undefined && explicit !== null) {
    const h2 = field(explicit, 'http2_protocol_options');
    if (h2 !== undefined) return { mode: 'http2', http1EnableTrailers: false, http2: http2ProtocolOptions(h2Config(h2)) };
    const h1 = field(explicit, 'http_protocol_options') as Http1ProtocolOptions | undefined;
    return { mode: 'http1', http1EnableTrailers: h1?.enable_trailers === true, http2: http2ProtocolOptions() };
  }
  if (downstream !== undefined && downstream !== null) {
    const h1 = field(downstream, 'http_protocol_options') as Http1ProtocolOptions | undefined;
    return { mode: 'downstream', http1EnableTrailers: h1?.enable_trailers === true, http2: http2ProtocolOptions(h2Config(field(downstream, 'http2_protocol_options'))) };
  }
  if (auto !== undefined && auto !== null) {
    const h1 = field(auto, 'http_protocol_options') as Http1ProtocolOptions | undefined;
    return { mode: 'alpn', http1EnableTrailers: h1?.enable_trailers === true, http2: http2ProtocolOptions(h2Config(field(auto, 'http2_protocol_options'))) };
  }
  const legacyH1 = cluster.http_protocol_options;
  const legacyH2 = cluster.http2_protocol_options;
  const selection = (cluster as { protocol_selection?: string }).protocol_selection;
  const trailers = legacyH1?.enable_trailers === true;
  if (selection === 'USE_DOWNSTREAM_PROTOCOL') return { mode: 'downstream', http1EnableTrailers: trailers, http2: http2ProtocolOptions(h2Config(legacyH2)) };
  if (legacyH2 !== undefined && legacyH2 !== null) return { mode: 'http2', http1EnableTrailers: trailers, http2: http2ProtocolOptions(h2Config(legacyH2)) };
  return { mode: 'http1', http1EnableTrailers: trailers, http2: http2ProtocolOptions() };
}
