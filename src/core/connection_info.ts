/**
 * The facts of an accepted connection that listener and filter-chain selection read
 * (listener_match.ts, filter_chain_matcher.ts). Pure data.
 */
/** What the listener knows about an accepted connection. */
export interface ConnectionInfo {
  /** Local (destination) port of the connection; `destination_port` matches it. */
  readonly destinationPort?: number;
  /** Local (destination) IP; `prefix_ranges` match it. */
  readonly destinationIp?: string;
  /** SNI, set by the tls_inspector listener filter; `server_names` match it. */
  readonly serverName?: string;
  /** `raw_buffer` unless a listener filter detected TLS (`tls`); Envoy's default when none did. */
  readonly transportProtocol?: string;
  /** ALPN (tls_inspector) or `http/1.1`/`h2c` (http_inspector). */
  readonly applicationProtocols?: readonly string[];
  /** Directly connected peer IP; defaults to `sourceIp` (they differ only behind proxy_protocol). */
  readonly directSourceIp?: string;
  readonly sourceIp?: string;
  readonly sourcePort?: number;
}
