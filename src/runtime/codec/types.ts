/**
 * The protocol-neutral codec seam (Envoy's envoy/http/codec.h; undici's client-h1/client-h2
 * split): what the connection manager and the upstream pool see of a connection, whatever its
 * protocol. A server codec turns one accepted connection into streams of requests; a client
 * codec turns one upstream connection into streams the router writes requests to. HTTP/1
 * (src/runtime/codec/http1/, one stream at a time) and HTTP/2 (src/runtime/codec/http2/, many)
 * implement the same interfaces; nothing above them knows which.
 *
 * Headers. Request headers travel as a RequestHeaderMap (pseudo-headers as fields, regular
 * headers as a node-style object with lowercase names, repeated headers joined with "," and
 * `cookie` crumbs with "; ") and response headers as a ResponseHeaderMap: the same shapes the
 * HTTP filters edit (src/runtime/http/filter.ts declares structurally identical types). Upstream
 * requests and responses, and trailers both ways, travel as a HeaderList of [name, value] pairs
 * in wire order, the shape src/runtime/upstream/types.ts uses.
 *
 * Re-entrancy contract (the same as Envoy's):
 * - Codec callbacks (newStream, decodeHeaders/Data/Trailers, onResetStream, watermarks,
 *   connection events) run from the codec's read path. From inside them the callee may call the
 *   codec back (encode a response, reset the stream, readDisable, goAway); the codec finishes
 *   its own bookkeeping before it calls out, so such calls see a consistent state.
 * - `resetStream()` runs the stream's `onResetStream` callbacks synchronously, before it
 *   returns (Envoy: "higher layers expect calling resetStream() to immediately raise reset
 *   callbacks"); the caller must not touch the stream afterwards.
 * - After `onResetStream`, or after both directions ended, a stream calls nothing more and
 *   ignores further encode calls.
 * - Stats: each codec is given its protocol's stats (`http1.*`, `http2.*`, Envoy's CodecStats)
 *   when it is built; the seam itself carries none.
 */

/** A connection's HTTP version, as `%PROTOCOL%` prints it (Envoy's Http::Protocol). */
export type Protocol = 'HTTP/1.0' | 'HTTP/1.1' | 'HTTP/2';

/** Header list as [name, value] pairs, names lowercase, in wire order. */
export type HeaderList = Array<[string, string]>;

/**
 * Request headers of one stream. `authority` is `:authority` (HTTP/1 Host, which `headers.host`
 * also carries); `headers` has lowercase names, repeated headers joined with "," and `cookie`
 * crumbs with "; " (arrays appear only where a filter adds values).
 */
export interface RequestHeaderMap {
  method: string;
  /** `:path` including the query string. */
  path: string;
  authority: string | undefined;
  scheme: string;
  headers: Record<string, string | string[] | undefined>;
}

/** Response headers: status plus a node-style header object (repeated headers as arrays). */
export interface ResponseHeaderMap {
  status: number;
  headers: Record<string, string | string[] | number | undefined>;
}

/**
 * Why a stream ended without completing (Envoy's Http::StreamResetReason).
 * - `remote_refused_stream_reset`: the peer refused the stream before processing it
 *   (RST_STREAM REFUSED_STREAM, or an HTTP/2 GOAWAY whose last stream id is below it): the
 *   request never reached the application and is safe to retry on another connection.
 * - `local_refused_stream_reset`: we refuse a stream the peer opened (REFUSED_STREAM).
 * - `connection_termination`: the connection closed under the stream (UC).
 * - `protocol_error`: the peer broke the protocol on this stream (UPE upstream).
 * - `overflow`: a limit refused the stream (pending requests, streams per connection).
 */
export type StreamResetReason =
  | 'connection_failure'
  | 'connection_termination'
  | 'local_reset'
  | 'local_refused_stream_reset'
  | 'remote_reset'
  | 'remote_refused_stream_reset'
  | 'overflow'
  | 'protocol_error'
  | 'connect_error';

/** Told about one stream's resets and write-buffer watermarks (Envoy's StreamCallbacks). */
export interface StreamCallbacks {
  /**
   * The stream ended without completing. Called at most once per stream, and never after the
   * stream completed. `transportFailureReason` is a short text for the access log ('' if none).
   */
  onResetStream(reason: StreamResetReason, transportFailureReason: string): void;
  /** The stream's write buffer went over its high watermark: stop producing data for it. */
  onAboveWriteBufferHighWatermark?(): void;
  /** The write buffer drained below the low watermark after a high-watermark call. */
  onBelowWriteBufferLowWatermark?(): void;
}

/** One request/response exchange on a connection (Envoy's Http::Stream). */
export interface Stream {
  /** Registers callbacks; each hears every later event. Registering the same object twice is a no-op. */
  addCallbacks(callbacks: StreamCallbacks): void;
  removeCallbacks(callbacks: StreamCallbacks): void;
  /**
   * Ends the stream now (HTTP/2: RST_STREAM; HTTP/1: the connection closes, it cannot carry a
   * half-sent message). Runs every `onResetStream` callback synchronously with `reason`.
   * A no-op once the stream completed or was reset.
   */
  resetStream(reason: StreamResetReason): void;
  /**
   * Stops (true) or resumes (false) reading this stream's incoming body (Envoy's readDisable):
   * HTTP/2 withholds the stream's flow-control window, HTTP/1 stops reading the socket. Calls
   * are counted: reading resumes after as many `false` as there were `true`.
   */
  readDisable(disable: boolean): void;
  /** The write buffer's high watermark in bytes (Envoy's bufferLimit()). */
  readonly bufferLimit: number;
}

/**
 * A downstream stream handed over to a tunnel (an upgrade's 101, a CONNECT's 2xx): HTTP/1 the raw
 * socket, HTTP/2 the request's stream (its DATA frames are the tunnel's bytes), paused with no
 * data listener, and the bytes the client sent after its request head.
 */
export interface DownstreamTunnel {
  readonly socket: import('node:stream').Duplex & { setTimeout(ms: number, onTimeout: () => void): unknown };
  readonly head: Buffer;
}

/** Sends a response on a server stream (Envoy's ResponseEncoder). */
export interface ResponseEncoder {
  /** The stream this encoder writes (Envoy's getStream()). */
  readonly stream: Stream;
  /** An interim 1xx response (100 Continue, 103 Early Hints) before `encodeHeaders`. */
  encode1xxHeaders(headers: ResponseHeaderMap): void;
  /**
   * The final response head. Connection-specific headers (`connection`, `keep-alive`,
   * `proxy-connection`, `transfer-encoding`, `upgrade`) are framing and are decided by the
   * codec, not copied. Returns false, writing nothing, when a header cannot be written (an
   * invalid name or value): the caller resets the stream.
   */
  encodeHeaders(headers: ResponseHeaderMap, endStream: boolean): boolean;
  /** A body chunk; `endStream` ends the response (an empty chunk may carry just the end). */
  encodeData(chunk: Buffer, endStream: boolean): void;
  /** Trailers; they end the response. */
  encodeTrailers(trailers: HeaderList): void;
  /**
   * Writes a tunnel's response head (101, or a CONNECT's 2xx) and hands the connection (HTTP/1)
   * or the stream (HTTP/2) over. Undefined when the client is gone or a
   * header cannot be written (the stream was reset).
   */
  switchToTunnel?(headers: ResponseHeaderMap): DownstreamTunnel | undefined;
  /**
   * Whether an invalid request on this stream is a stream error rather than a connection error
   * (Envoy's streamErrorOnInvalidHttpMessage(), from stream_error_on_invalid_http_messaging).
   */
  readonly streamErrorOnInvalidHttpMessage: boolean;
}

/** Receives one request (Envoy's RequestDecoder); the connection manager's ActiveStream. */
export interface RequestDecoder {
  /** The request head; `endStream` when it has no body. Called once, first. */
  decodeHeaders(headers: RequestHeaderMap, endStream: boolean): void;
  /**
   * A body chunk; `endStream` on the last (the end may arrive as an empty chunk). Not called
   * after `endStream` nor after `decodeTrailers`.
   */
  decodeData(chunk: Buffer, endStream: boolean): void;
  /** Request trailers; they end the request. */
  decodeTrailers(trailers: HeaderList): void;
  /**
   * Instead of `decodeHeaders`, for an upgrade or CONNECT request (HTTP/2: a plain CONNECT, or
   * an extended CONNECT already turned into an HTTP/1-style upgrade: GET, `upgrade: <:protocol>`,
   * `connection: upgrade`). The stream's DATA frames are not delivered: once the upgrade is let
   * through they are the tunnel's (ResponseEncoder.switchToTunnel).
   */
  decodeUpgradeHeaders?(headers: RequestHeaderMap): void;
  /**
   * The codec refuses the request after its head was decoded (an HTTP/1 protocol error: 400,
   * 413, 431, 501...) and asks for a local reply with Envoy's response-code `details`; the
   * connection closes after it. HTTP/2 codecs never call it (they reset the stream instead).
   */
  sendLocalReply(status: number, body: string, details: string): void;
}

/** Receives one upstream response (Envoy's ResponseDecoder); the router's upstream request. */
export interface ResponseDecoder {
  /** An interim 1xx response (never 101). Optional: ignored when absent. */
  decode1xxHeaders?(status: number, headers: HeaderList): void;
  /** The final response head; `endStream` for a response without body. Called once. */
  decodeHeaders(status: number, headers: HeaderList, endStream: boolean): void;
  decodeData(chunk: Buffer, endStream: boolean): void;
  /** Response trailers; they end the response. */
  decodeTrailers(trailers: HeaderList): void;
}

/** Sends a request upstream (Envoy's RequestEncoder). */
export interface RequestEncoder {
  readonly stream: Stream;
  /**
   * The request head. `headers` exclude hop-by-hop headers and `host` (`authority` carries
   * it). When the head cannot be sent (an invalid header, or the connection can no longer open
   * streams) the stream is reset synchronously, from inside this call, with `local_reset` or
   * `remote_refused_stream_reset` (retriable: nothing reached the upstream).
   */
  encodeHeaders(method: string, path: string, authority: string, headers: HeaderList, endStream: boolean): void;
  encodeData(chunk: Buffer, endStream: boolean): void;
  /** Trailers; they end the request. */
  encodeTrailers(trailers: HeaderList): void;
}

/** How a connection ended, for the connection manager's stats and access log. */
export type ConnectionCloseCause =
  /** The peer closed (or reset) the transport. */
  | 'remote_close'
  /** We closed it (goAway drained, close()). */
  | 'local_close'
  /** The peer broke the protocol (bad preface, frame on stream 0, HEADERS after END_STREAM...). */
  | 'protocol_error'
  /** A flood protection fired (outbound or inbound frame floods, too many invalid frames). */
  | 'flood'
  /** Too many streams were reset early by the peer (Envoy's premature-reset check). */
  | 'too_many_premature_resets'
  /** connection_keepalive: the peer did not answer a PING in time. */
  | 'keepalive_timeout';

/** Connection-level events (Envoy's ConnectionCallbacks, plus the close a codec observes). */
export interface ConnectionCallbacks {
  /** The peer sent GOAWAY: no new streams on this connection. `errorCode` 0 is a graceful drain. */
  onGoAway?(errorCode: number): void;
  /** The peer's SETTINGS changed how many streams it accepts (client connections). */
  onMaxStreamsChanged?(maxConcurrentStreams: number): void;
  /**
   * The connection closed. Every open stream hears `onResetStream('connection_termination')`:
   * before this call (HTTP/2), or right after it (HTTP/1, whose one stream the connection manager
   * resets itself with the close's details). Called once. `details` is a short text.
   */
  onClose?(cause: ConnectionCloseCause, details: string): void;
}

/** What the connection manager implements for a server codec (Envoy's ServerConnectionCallbacks). */
export interface ServerConnectionCallbacks extends ConnectionCallbacks {
  /**
   * A new request stream: returns the decoder that receives it. `encoder` answers it. Called
   * before any decode call of the stream; `decodeHeaders` follows at once.
   */
  newStream(encoder: ResponseEncoder): RequestDecoder;
}

/** One connection (Envoy's Http::Connection). */
export interface Connection {
  /** The protocol spoken (HTTP/1: of the request being decoded). */
  readonly protocol: Protocol;
  /** Streams open (started and not yet complete or reset). */
  readonly activeStreams: number;
  /**
   * Graceful drain, final phase: no new streams (HTTP/2: GOAWAY NO_ERROR with the last stream
   * id received); open streams complete; the connection closes when none is left.
   */
  goAway(): void;
  /**
   * Graceful drain, first phase (Envoy's shutdownNotice): HTTP/2 sends a GOAWAY with the
   * maximum stream id so the peer stops opening streams while those in flight still arrive;
   * `goAway()` follows after a delay. HTTP/1: a no-op.
   */
  shutdownNotice(): void;
  /** Closes now: every open stream is reset with `connection_termination`. */
  close(): void;
}

/** A downstream connection (Envoy's ServerConnection). */
export type ServerConnection = Connection;

/** An upstream connection (Envoy's ClientConnection). */
export interface ClientConnection extends Connection {
  /**
   * Opens a stream for one request; the request goes out with `encodeHeaders`. Call only when
   * `streamCapacity() > 0`. `decoder` hears the response.
   */
  newStream(decoder: ResponseDecoder): RequestEncoder;
  /**
   * How many more streams this connection takes now: the peer's SETTINGS_MAX_CONCURRENT_STREAMS
   * (bounded by our own limit) minus the streams open; 0 once the connection drains or closed.
   * HTTP/1: 1 when idle, else 0. The pool counts free stream slots with it.
   */
  streamCapacity(): number;
}
