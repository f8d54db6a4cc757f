/**
 * Requests that never became a stream (Envoy has a stream for them from their first byte; the
 * connection manager here starts one at a complete head): a head the codec could not parse
 * (400/431, DPE), a head that timed out (408), a head cut off by a close (DC). They are answered
 * raw (no filter saw them, nothing reached an upstream), counted and logged like a stream.
 */
import type { DownstreamConnection } from './conn_manager.js';
import { Details } from './local_reply.js';
import { CodecErrorCodes } from '../codec/http1/parser_rules.js';
import { newStreamInfo, setDirectLocalAddress, setDownstreamTransport, type ResponseFlag } from '../stream_info.js';

/** llhttp error codes -> Envoy's codec error status and details. */
export function codecError(code: string | undefined): { status: number; details: string } | undefined {
  switch (code) {
    // Envoy's codec_impl.cc: a transfer-encoding other than chunked is 501; with content-length 400.
    case 'HPE_INVALID_TRANSFER_ENCODING':
      return { status: 501, details: 'http1.invalid_transfer_encoding' };
    case CodecErrorCodes.ChunkedContentLength:
      return { status: 400, details: 'http1.content_length_and_chunked_not_allowed' };
    case 'HPE_HEADER_OVERFLOW':
      return { status: 431, details: Details.HeadersTooLarge };
    case 'HPE_INVALID_HEADER_TOKEN':
      return { status: 400, details: Details.InvalidCharacters };
    case 'HPE_INVALID_URL':
      return { status: 400, details: Details.InvalidUrl };
    default:
      if (code !== undefined && code.startsWith('HPE_')) return { status: 400, details: Details.HttpCodecError };
      return undefined;
  }
}

/**
 * A reply to a request that never became a stream: one the codec could not parse (Envoy's codec
 * protocol error, DPE) or a head that timed out (408). Written raw (no filter saw it, nothing
 * reached an upstream), then the connection closes; counted and logged like a stream.
 */
export function writeHeadlessReply(conn: DownstreamConnection, status: number, body: string, details: string, flag: ResponseFlag | undefined): void {
  const config = conn.config;
  const start = conn.headStart();
  conn.markAnsweredHeadless();
  const headers = { 'content-type': 'text/plain', 'content-length': String(Buffer.byteLength(body)), server: config.serverName, connection: 'close' };
  conn.codec.endWith(status, headers, body);
  logHeadless(conn, start, status, details, flag, Buffer.byteLength(body), headers);
}

/**
 * Counts and logs a request that never became a stream (a headless reply, or a head cut off by
 * a close): downstream_rq_total/completed/<N>xx and one access log entry.
 */
export function logHeadless(
  conn: DownstreamConnection,
  start: { time: number; monotonic: number } | undefined,
  status: number,
  details: string,
  flag: ResponseFlag | undefined,
  bytesSent: number,
  headers?: Record<string, string>,
): void {
  const config = conn.config;
  const st = config.stats;
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
