/**
 * The data plane's side of the connection manager's request handling: runs the core's
 * decodeRequestHeaders (core/hcm_request.ts: authority validation, path and host normalisation,
 * header mutation — the function match/explain call too) on a new stream and answers its local
 * reply. Synchronous, no re-entrancy; allocates nothing when the request goes on.
 */
import { decodeRequestHeaders } from '../../core/hcm_request.js';
import type { ConnectionManagerConfig } from './conn_manager_config.js';
import type { LocalReplyOptions, RequestHeaderMap } from './filter.js';
import type { StreamInfo } from '../stream_info.js';
import type { DownstreamConnectionInfo } from './downstream_connection_info.js';
import { addFlag } from '../stream_info.js';
import { statusText } from './local_reply.js';

/** Strips `::ffff:` from IPv4-mapped addresses, as Envoy prints them. */
export function plainAddress(addr: string | undefined): string {
  if (!addr) return '';
  return addr.startsWith('::ffff:') ? addr.slice(7) : addr;
}

/** What the request handling needs of a stream (ActiveStream). */
export interface RequestHandlingStream {
  readonly config: ConnectionManagerConfig;
  readonly requestHeaders: RequestHeaderMap;
  readonly streamInfo: StreamInfo;
  trustedDownstream: boolean;
  /** Starts the stream; with `runFilters` false no filter is installed (a local reply follows). */
  start(endStream: boolean, runFilters?: boolean): void;
  sendLocalReply(status: number, body: string, details: string, options?: LocalReplyOptions): void;
}

/**
 * Applies the HCM's request handling to `stream` before any filter runs. Returns true when the
 * stream goes on to the filter chain; false when a local reply was sent (400 invalid authority —
 * a protocol error that closes the connection —, 400 missing Host, 404 non-relative path, 400 or
 * 307 from path normalisation), with its `http.<stat_prefix>.` counter moved.
 */
export function decodeRequestHeadersOf(stream: RequestHandlingStream, conn: DownstreamConnectionInfo): boolean {
  const config = stream.config;
  const out = decodeRequestHeaders(stream.requestHeaders, conn, conn.transport !== undefined /* [TLS] */, config.request, config.random);
  if (out.kind === 'continue') {
    stream.trustedDownstream = out.internal;
    return true;
  }
  if (out.stat !== undefined) config.stats.scope.counter(out.stat).inc();
  stream.start(true, false);
  if (out.protocolError) {
    addFlag(stream.streamInfo, 'DPE');
    stream.sendLocalReply(out.status, statusText(out.status), out.details, { closeConnection: true });
  } else {
    stream.sendLocalReply(out.status, '', out.details, out.location === undefined ? undefined : { headers: [['location', out.location]] });
  }
  return false;
}
