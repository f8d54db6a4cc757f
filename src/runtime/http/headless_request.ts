/**
 * Requests that never became a stream (Envoy has a stream for them from their first byte; the
 * HTTP/1 connection starts one at a complete head, codec/http1/server_connection.ts): a head the
 * codec could not parse (400/431/501, DPE), a head that timed out (408), a head cut off by a close
 * (DC). The codec answered them raw (no filter saw them, nothing reached an upstream); the
 * connection manager counts and logs them like a stream, here.
 */
import type { ConnectionManagerConfig } from './conn_manager_config.js';
import type { DownstreamConnectionInfo } from './downstream_connection_info.js';
import type { HeadStart } from '../codec/http1/server_connection.js';
import type { HeadlessReason } from '../codec/http1/codec_errors.js';
import { newStreamInfo, setDirectLocalAddress, setDownstreamTransport } from '../stream_info.js';

/**
 * Counts and logs a request that never became a stream: the reason's stat
 * (downstream_cx_protocol_error, downstream_rq_header_timeout, downstream_rq_idle_timeout,
 * downstream_rq_rx_reset), downstream_rq_total/completed/<N>xx and one access log entry.
 */
export function logHeadless(
  config: ConnectionManagerConfig,
  conn: DownstreamConnectionInfo,
  start: HeadStart | undefined,
  reason: HeadlessReason,
  status: number,
  details: string,
  bytesSent: number,
  headers?: Record<string, string>,
): void {
  const st = config.stats;
  let flag: 'DPE' | 'SI' | 'DC' | undefined;
  switch (reason) {
    case 'protocol_error':
      st.downstream_cx_protocol_error.inc();
      flag = 'DPE';
      break;
    case 'header_timeout':
      st.downstream_rq_header_timeout.inc();
      break;
    case 'idle_timeout':
      st.downstream_rq_idle_timeout.inc();
      flag = 'SI';
      break;
    case 'disconnect':
      st.downstream_rq_rx_reset.inc();
      flag = 'DC';
      break;
  }
  st.downstream_rq_total.inc();
  st.downstream_rq_http1_total.inc();
  st.downstream_rq_completed.inc();
  if (status > 0) st.downstream_rq_xx[(status / 100) | 0]!.inc();
  const now = config.time.monotonic();
  const info = newStreamInfo(start?.time ?? config.time.now(), start?.monotonic ?? now);
  info.downstreamRemoteAddress = conn.remoteAddress;
  info.downstreamRemotePort = conn.remotePort;
  info.downstreamLocalAddress = conn.localAddress;
  info.downstreamLocalPort = conn.localPort;
  if (conn.directLocalAddress !== undefined) setDirectLocalAddress(info, conn.directLocalAddress, conn.directLocalPort ?? 0);
  if (conn.transport !== undefined) setDownstreamTransport(info, conn.transport); // [TLS]
  info.responseCode = status;
  info.responseCodeDetails = details;
  if (flag !== undefined) info.responseFlags.push(flag);
  info.bytesSent = bytesSent;
  if (headers !== undefined) info.responseHeaders = headers;
  info.lastDownstreamTxByteSent = now;
  st.downstream_rq_time.record(now - info.startMonotonic);
  for (const l of config.accessLoggers) l.log(info);
}
