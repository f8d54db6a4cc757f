/**
 * serve's startup checks of HTTP protocol options, downstream (the HTTP connection manager's) and
 * upstream (a cluster's, typed or in the deprecated cluster fields): the settings serve does not
 * honour are warnings at their fields. Pure: reads the config and positions only.
 */
import type { HttpProtocolOptions } from '../config/types.js';
import type { Collector } from './serve_unsupported_collector.js';

/**
 * `HttpProtocolOptions` (HCM common_http_protocol_options, cluster upstream options).
 * `downstream`: the HCM's, where max_stream_duration and max_headers_count are implemented.
 */
export function protocolOptionsChecks(c: Collector, o: HttpProtocolOptions | undefined, path: string, who: string, downstream: boolean): void {
  if (!o) return;
  const raw = o as unknown as Record<string, unknown>;
  const w = (f: string, m: string): void => c.warn(o, f, path, `${who}: common_http_protocol_options.${f} ${m}`);
  if (o.max_connection_duration !== undefined) w('max_connection_duration', 'is not implemented by serve; connections are not closed after a maximum duration');
  if (!downstream && o.max_stream_duration !== undefined) w('max_stream_duration', 'is not implemented by serve for upstream streams (the downstream one is)');
  if (raw['max_response_headers_kb'] !== undefined) w('max_response_headers_kb', 'is not implemented by serve; upstream response headers are limited to 60 KiB');
  if (!downstream && o.max_headers_count !== undefined) w('max_headers_count', 'is not implemented by serve for upstream responses');
}

/**
 * `Http1ProtocolOptions` flags serve does not honour when turned on. `upstream`: a cluster's
 * options, where enable_trailers is implemented (request trailers are written upstream).
 */
export function http1OptionsChecks(c: Collector, h1: Record<string, unknown>, path: string, who: string, upstream = false): void {
  for (const f of [...(upstream ? [] : ['enable_trailers']), 'allow_chunked_length', 'allow_custom_methods', 'override_stream_error_on_invalid_http_message', 'send_fully_qualified_url']) {
    if (h1[f] === true) c.warn(h1, f, path, `${who}: http_protocol_options.${f} is not implemented by serve; HTTP/1.1 behaves as with ${f}: false`);
  }
}
