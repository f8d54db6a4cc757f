/**
 * One request as the pool hands it to the router (Envoy's CodecClient ActiveRequest): the
 * router-facing RequestEncoder of src/runtime/upstream/types.ts on top of a codec stream of the
 * seam (src/runtime/codec/types.ts), and the codec's ResponseDecoder and StreamCallbacks on the
 * way back. It tells its connection (ActiveClient) when the stream ends, so the pool counts free
 * stream slots whatever the protocol.
 *
 * Contract:
 * - The router hears `onHeaders`, `onData`*, then the end (`onData(_, true)` or `onTrailers`),
 *   or `onReset` instead; nothing after `resetStream()`. 1xx interim heads are not relayed.
 * - Refused streams (HTTP/2 REFUSED_STREAM, or above a GOAWAY's last stream id: the upstream
 *   never processed them) are replayed on another connection when the connection's protocol
 *   allows it and the whole request is still held (head, body up to REPLAY_LIMIT bytes,
 *   trailers) and no response byte arrived; at most MAX_REPLAYS times. Otherwise the router
 *   hears `onReset('remote_reset')` (Envoy's UR), which its retry
 *   policy may retry.
 */
import type {
  HeaderList as CodecHeaderList,
  RequestEncoder as CodecRequestEncoder,
  ResponseDecoder as CodecResponseDecoder,
  StreamCallbacks,
  StreamResetReason as CodecResetReason,
} from '../../codec/types.js';
import type { HeaderList, RequestEncoder, ResponseDecoder, StreamResetReason } from '../types.js';
import type { StreamClient } from './pool_types.js';
import type { UpstreamTlsInfo } from '../../network/upstream_tls_info.js';

const EMPTY = Buffer.alloc(0);
/** Request bytes a replayable stream keeps (beyond them a refused stream is not replayed). */
export const REPLAY_LIMIT = 64 * 1024;
/** Times one request may be replayed after refusals. */
export const MAX_REPLAYS = 3;

/** The codec's reset reasons the router's contract knows. */
function routerReason(r: CodecResetReason): StreamResetReason {
  switch (r) {
    case 'connection_failure':
    case 'connection_termination':
    case 'remote_reset':
    case 'local_reset':
    case 'overflow':
    case 'protocol_error':
      return r;
    case 'remote_refused_stream_reset':
      return 'remote_reset';
    case 'connect_error':
      return 'connection_failure';
    case 'local_refused_stream_reset':
      return 'local_reset';
  }
}

/** The request as sent so far, kept for a replay. */
interface HeldRequest {
  method: string;
  path: string;
  host: string;
  headers: HeaderList;
  headEnd: boolean;
  body: Buffer[];
  bytes: number;
  ended: boolean;
  trailers: CodecHeaderList | undefined;
}

export class PoolStream implements RequestEncoder, CodecResponseDecoder, StreamCallbacks {
  /** No more router callbacks: complete, reset, or reset by the router. */
  done = false;
  /** The router called resetStream(). */
  localReset = false;
  /** Some response arrived (1xx or final head): no replay any more. */
  private responseStarted = false;
  private held: HeldRequest | null | undefined;
  replays = 0;

  constructor(
    public client: StreamClient<PoolStream>,
    public encoder: CodecRequestEncoder,
    readonly decoder: ResponseDecoder,
    replayable: boolean,
  ) {
    // undefined: not replayable (HTTP/1); null: nothing held yet.
    this.held = replayable ? null : undefined;
  }

  /** Attaches this stream to another connection's codec stream (a replay). */
  /** [TLS] The TLS facts of the connection carrying this stream (RequestEncoder.upstreamTls). */
  get upstreamTls(): UpstreamTlsInfo | undefined {
    return this.client.tls;
  }

  rebind(client: StreamClient<PoolStream>, encoder: CodecRequestEncoder): void {
    this.client = client;
    this.encoder = encoder;
    encoder.stream.addCallbacks(this);
    const h = this.held!;
    encoder.encodeHeaders(h.method, h.path, h.host, h.headers, h.headEnd);
    for (let i = 0; i < h.body.length && !this.done; i++) encoder.encodeData(h.body[i]!, h.ended && h.trailers === undefined && i === h.body.length - 1);
    if (this.done) return;
    if (h.trailers !== undefined) encoder.encodeTrailers(h.trailers);
    else if (h.ended && !h.headEnd && h.body.length === 0) encoder.encodeData(EMPTY, true);
  }

  // ---- RequestEncoder (the router) -------------------------------------------------------------

  encodeHeaders(method: string, path: string, host: string, headers: HeaderList, endStream: boolean): void {
    if (this.done) return;
    if (this.held === null) this.held = { method, path, host, headers, headEnd: endStream, body: [], bytes: 0, ended: endStream, trailers: undefined };
    this.encoder.encodeHeaders(method, path, host, headers, endStream);
  }

  encodeData(chunk: Buffer, endStream: boolean): void {
    if (this.done) return;
    const h = this.held;
    if (h) {
      h.bytes += chunk.length;
      if (h.bytes > REPLAY_LIMIT) this.held = undefined;
      else {
        if (chunk.length > 0) h.body.push(chunk);
        if (endStream) h.ended = true;
      }
    }
    this.encoder.encodeData(chunk, endStream);
  }

  encodeTrailers(trailers: HeaderList): void {
    if (this.done) return;
    const h = this.held;
    if (h) {
      h.trailers = trailers;
      h.ended = true;
    }
    this.encoder.encodeTrailers(trailers);
  }

  resetStream(): void {
    if (this.done) return;
    this.done = true;
    this.localReset = true;
    this.held = undefined;
    this.encoder.stream.resetStream('local_reset');
  }

  readDisable(disable: boolean): void {
    if (!this.done) this.encoder.stream.readDisable(disable);
  }

  // ---- ResponseDecoder (the codec) -------------------------------------------------------------

  decode1xxHeaders(): void {
    this.responseStarted = true;
    this.held = undefined;
  }

  decodeHeaders(status: number, headers: CodecHeaderList, endStream: boolean): void {
    if (this.done) return;
    this.responseStarted = true;
    this.held = undefined;
    if (endStream) this.done = true;
    this.decoder.onHeaders(status, headers, endStream);
    if (endStream) this.client.onStreamComplete(this);
  }

  decodeData(chunk: Buffer, endStream: boolean): void {
    if (this.done) return;
    if (endStream) this.done = true;
    this.decoder.onData(chunk, endStream);
    if (endStream) this.client.onStreamComplete(this);
  }

  decodeTrailers(trailers: CodecHeaderList): void {
    if (this.done) return;
    this.done = true;
    const d = this.decoder;
    if (d.onTrailers) d.onTrailers(trailers);
    else d.onData(EMPTY, true);
    this.client.onStreamComplete(this);
  }

  // ---- StreamCallbacks (the codec) -------------------------------------------------------------

  onResetStream(reason: CodecResetReason, details: string): void {
    const notify = !this.done;
    const client = this.client;
    if (notify && reason === 'remote_refused_stream_reset' && this.held && !this.responseStarted && this.replays < MAX_REPLAYS) {
      // Nothing reached the upstream's application: try another connection.
      this.replays++;
      client.onStreamReset(this, reason, false);
      client.pool.replay(this);
      return;
    }
    this.done = true;
    this.held = undefined;
    client.onStreamReset(this, reason, this.localReset);
    if (notify) this.decoder.onReset(routerReason(reason), details);
  }

  /** A replay found no connection: the router hears the refusal. */
  failReplay(details: string): void {
    if (this.done) return;
    this.done = true;
    this.held = undefined;
    this.decoder.onReset('remote_reset', details);
  }

  onAboveWriteBufferHighWatermark(): void {
    if (!this.done) this.decoder.onAboveWriteBufferHighWatermark?.();
  }

  onBelowWriteBufferLowWatermark(): void {
    if (!this.done) this.decoder.onBelowWriteBufferLowWatermark?.();
  }
}
