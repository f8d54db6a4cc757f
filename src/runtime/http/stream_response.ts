/**
 * The response side of one downstream stream: everything its ActiveStream (active_stream.ts)
 * does with its codec's ResponseEncoder (codec/types.ts: HTTP/1 or HTTP/2) and hears from the
 * encoder's stream (Envoy's ActiveStream::encodeHeaders/encodeData/encodeTrailers as
 * FilterManagerCallbacks, and its StreamCallbacks):
 * - the response head that left the encoder filters gets the connection manager's response
 *   mutation (server, x-request-id, via: core/request_mutation.ts), `connection: close` when the
 *   connection ends after it (a local reply that closes, a reset, a draining server) and the
 *   span's decorator (`x-envoy-decorator-operation`); a header the encoder cannot write resets
 *   the stream; what was written is recorded in the StreamInfo (status, headers, bytes, trailers);
 * - a local reply (Envoy's DownstreamFilterManager::sendLocalReply): its response
 *   (local_reply_response.ts) through the encoder filters, or a reset once the response started;
 * - the interim `100 Continue`, the switch to a tunnel (an upgrade's 101, a CONNECT's 2xx);
 * - the encoder stream's resets (the client reset the stream: DR; the connection went away: DC)
 *   and write-buffer watermarks, passed to the filter that registered for them (the router);
 * - reading the request (readDisable) and the stream's local reset.
 * It tells its stream what happened through return values and the stream's methods; the stream
 * completes itself. One per stream, created with it; no per-request closures.
 */
import { mutateResponseHeaders } from '../../core/request_mutation.js';
import type { RouteDecision } from '../../core/route_types.js';
import type { DownstreamTunnel, HeaderList, ResponseEncoder, StreamCallbacks, StreamResetReason } from '../codec/types.js';
import { addFlag, type ResponseFlag, type StreamInfo } from '../stream_info.js';
import type { Span } from '../tracing/span.js';
import type { ConnectionManagerConfig } from './conn_manager_config.js';
import type { DownstreamConnectionInfo } from './downstream_connection_info.js';
import type { DownstreamWatermarkCallbacks, LocalReplyOptions, RequestHeaderMap, ResponseHeaderMap } from './filter.js';
import type { FilterManager } from './filter_manager.js';
import { Details } from './local_reply.js';
import { localReplyResponse } from './local_reply_response.js';

/** The interim response to `Expect: 100-continue`. */
const CONTINUE_HEADERS: ResponseHeaderMap = { status: 100, headers: {} };

/** What the response side needs of its stream (ActiveStream). */
export interface RespondingStream {
  readonly config: ConnectionManagerConfig;
  readonly conn: DownstreamConnectionInfo;
  readonly streamInfo: StreamInfo;
  readonly requestHeaders: RequestHeaderMap;
  /** The request's trace span (HCM `tracing`), if any. */
  readonly activeSpan: Span | undefined;
  /** Resets the stream (no response, or the rest of it, is sent); completes it. */
  resetStream(): void;
  /** The client ended the stream (`flag` DR or DC, `details`): the stream completes without its response. */
  onDownstreamReset(flag: ResponseFlag, details: string): void;
}

/**
 * One stream's writes through its ResponseEncoder and the encoder stream's events. Each write
 * returns whether the stream goes on: false once it completed meanwhile (the client was gone,
 * or the write reset it).
 */
export class StreamResponse implements StreamCallbacks {
  /** The response carries `connection: close` and the connection ends after it. */
  private closeAfter = false;
  /** The stream's connection is a tunnel: its socket belongs to the tunnel until the stream completes. */
  private tunnelling = false;
  private watermarkCallbacks: DownstreamWatermarkCallbacks | undefined;

  /**
   * @param filters the stream's filter chain: whether the stream completed, whether the
   *   response started (marked here when its head leaves).
   * @param encoder answers the stream; this object registers for its stream's resets and watermarks.
   */
  constructor(
    private readonly stream: RespondingStream,
    private readonly filters: FilterManager,
    private readonly encoder: ResponseEncoder,
  ) {
    encoder.stream.addCallbacks(this);
  }

  /** The response will carry `connection: close` and the connection ends after it. */
  closeConnectionAfter(): void {
    this.closeAfter = true;
  }

  /**
   * A local reply: `status`, `body` (text/plain; empty: no content-type), `details` (the
   * response code details). Through the encoder filters that saw the request; the decode chain
   * is over (later decoder filters never see the request). Once the response started it is a
   * reset instead, as in Envoy. `route`: the route decision the stream cached, if any: a direct
   * response or a redirect gets the route's response header mutations.
   */
  sendLocalReply(status: number, body: string, details: string, options: LocalReplyOptions | undefined, route: RouteDecision | undefined): void {
    if (this.filters.isComplete) return;
    const s = this.stream;
    const info = s.streamInfo;
    if (options?.flag) addFlag(info, options.flag);
    info.responseCodeDetails = details;
    if (this.filters.isResponseStarted) {
      // Too late for a reply: Envoy resets the stream.
      s.resetStream();
      return;
    }
    if (options?.closeConnection) this.closeAfter = true;
    const { response, body: out, endStream } = localReplyResponse(status, body, s.requestHeaders, options);
    if (route !== undefined && (route.kind === 'direct_response' || route.kind === 'redirect') && details === Details.DirectResponse) {
      s.config.routeProvider.finalizeResponse(route, response, info);
    }
    this.filters.endDecoding();
    this.filters.encodeHeaders(response, endStream);
    if (!endStream) this.filters.encodeData(Buffer.from(out), true);
  }

  /** The interim `100 Continue` (Envoy answers `Expect: 100-continue` itself). */
  encode100Continue(): void {
    this.encoder.encode1xxHeaders(CONTINUE_HEADERS);
  }

  /** Writes the response head that passed the encoder filters; false when the stream did not go on. */
  writeHeaders(h: ResponseHeaderMap, endStream: boolean): boolean {
    const headers = h.headers;
    this.startResponse(h);
    if (this.closeAfter || this.stream.conn.draining) headers['connection'] = 'close';
    const span = this.stream.activeSpan;
    if (span !== undefined) this.stream.config.tracer!.onResponseHeaders(span, headers); // x-envoy-decorator-operation
    return this.responseHeadWritten(h, this.encoder.encodeHeaders(h, endStream));
  }

  /** Writes a body chunk; false when the stream completed meanwhile (nothing is recorded then). */
  writeData(chunk: Buffer, endStream: boolean): boolean {
    this.encoder.encodeData(chunk, endStream);
    if (this.filters.isComplete) return false;
    this.stream.streamInfo.bytesSent += chunk.length;
    return true;
  }

  /** Writes the trailers (they end the response); false when the stream completed meanwhile. */
  writeTrailers(trailers: HeaderList): boolean {
    this.encoder.encodeTrailers(trailers);
    if (this.filters.isComplete) return false;
    const t: Record<string, string> = {};
    for (let i = 0; i < trailers.length; i++) t[trailers[i]![0]] = trailers[i]![1];
    this.stream.streamInfo.responseTrailers = t;
    return true;
  }

  /**
   * Writes a tunnel's response head and hands the connection (HTTP/1) or the stream (HTTP/2)
   * over; undefined when that cannot be done (the stream completed or its response started, the
   * codec has no tunnels, the client was gone or a header was invalid: the stream was reset).
   */
  switchToTunnel(h: ResponseHeaderMap): DownstreamTunnel | undefined {
    if (this.filters.isComplete || this.filters.isResponseStarted || this.encoder.switchToTunnel === undefined) return undefined;
    this.startResponse(h);
    const t = this.encoder.switchToTunnel(h);
    if (!this.responseHeadWritten(h, t !== undefined)) return undefined;
    this.tunnelling = true;
    return t;
  }

  /**
   * The tunnel ended: the bytes it carried both ways, why it ended (`flag`: SI counts
   * `downstream_rq_idle_timeout`), `details`, recorded; false when the stream had completed.
   */
  tunnelClosed(bytesReceived: number, bytesSent: number, flag: ResponseFlag | undefined, details: string): boolean {
    if (this.filters.isComplete) return false;
    const s = this.stream;
    const info = s.streamInfo;
    info.bytesReceived += bytesReceived;
    info.bytesSent += bytesSent;
    if (flag !== undefined) addFlag(info, flag);
    info.responseCodeDetails = details;
    if (flag === 'SI') s.config.stats.downstream_rq_idle_timeout.inc();
    return true;
  }

  /** Whether the stream's connection is a tunnel now. */
  get isTunnel(): boolean {
    return this.tunnelling;
  }

  /** The response head leaves the filter chain: the response has started. */
  private startResponse(h: ResponseHeaderMap): void {
    const s = this.stream;
    // server (server_header_transformation), x-request-id, via: the core's response mutation.
    mutateResponseHeaders(h.headers, s.requestHeaders.headers, s.config.request.response);
    this.filters.markResponseStarted();
    s.streamInfo.responseCodeDetails ??= Details.ViaUpstream;
  }

  /**
   * The encoder took the response head (`ok`), or refused a header that cannot be written:
   * whether the stream goes on, with the response recorded in its StreamInfo.
   */
  private responseHeadWritten(h: ResponseHeaderMap, ok: boolean): boolean {
    // The client was gone: the encoder reset the stream from inside (DC, nothing sent: status 0).
    if (this.filters.isComplete) return false;
    const info = this.stream.streamInfo;
    if (!ok) {
      // A header that cannot be written (invalid characters from a filter or an upstream):
      // reset, never crash.
      info.responseCodeDetails = 'invalid_response_header';
      this.stream.resetStream();
      return false;
    }
    info.responseCode = h.status;
    info.responseHeaders = h.headers;
    return true;
  }

  /** Stops (true) or resumes (false) reading the request body, while the stream is not complete. */
  readDisable(disable: boolean): void {
    if (!this.filters.isComplete) this.encoder.stream.readDisable(disable);
  }

  /** The filter told about the client's write-buffer watermarks (the router's registration; one per stream). */
  addDownstreamWatermarkCallbacks(callbacks: DownstreamWatermarkCallbacks): void {
    this.watermarkCallbacks = callbacks;
  }

  /** The client is slower than the upstream: the producer pauses until the write buffer drains. */
  onAboveWriteBufferHighWatermark(): void {
    if (!this.filters.isComplete) this.watermarkCallbacks?.onAboveWriteBufferHighWatermark();
  }

  onBelowWriteBufferLowWatermark(): void {
    if (!this.filters.isComplete) this.watermarkCallbacks?.onBelowWriteBufferLowWatermark();
  }

  /**
   * The codec reset the stream: the connection went away under it (DC), or the client reset it
   * (HTTP/2 RST_STREAM: DR, Envoy's DownstreamRemoteReset). Ignored once the stream completed
   * (a reset this stream asked for itself).
   */
  onResetStream(reason: StreamResetReason, _transportFailureReason: string): void {
    if (this.filters.isComplete) return;
    if (reason === 'remote_reset' || reason === 'remote_refused_stream_reset') this.stream.onDownstreamReset('DR', Details.Http2RemoteReset);
    else this.stream.onDownstreamReset('DC', reason === 'local_reset' ? Details.DownstreamLocalDisconnect : Details.DownstreamRemoteDisconnect);
  }

  /** The stream completed: the encoder stream's events no longer reach it. */
  detach(): void {
    this.encoder.stream.removeCallbacks(this);
  }

  /**
   * Resets the encoder's stream (HTTP/2 RST_STREAM, HTTP/1 the connection closes), after the
   * stream completed (detach): its reset callbacks do not reach the stream.
   */
  resetLocally(): void {
    this.closeAfter = true;
    this.encoder.stream.resetStream('local_reset');
  }
}
