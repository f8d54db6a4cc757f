/**
 * The ResponseEncoder and Stream (codec/types.ts) of the request an HTTP/1 connection is
 * answering (Envoy's Http1::ResponseEncoderImpl): the connection manager's ActiveStream writes
 * through it without knowing the protocol. HTTP/1 answers one request at a time (pipelined ones
 * wait in the codec), so one object per connection serves each request in turn: `begin()` hands
 * it to the next request and drops the previous request's callbacks. Nothing is allocated per
 * request.
 *
 * HTTP/1 specifics: a reset closes the connection (a half-sent message cannot be taken back);
 * trailers are not written (Envoy's HTTP/1 codec drops them unless `enable_trailers`): they end
 * the body; the write-buffer watermarks are the socket's (`write()` returning false, then
 * 'drain'). A write after the client went away resets the stream from inside the call
 * (`connection_termination`, so the stream logs DC with nothing sent).
 */
import type { DownstreamTunnel, HeaderList, ResponseEncoder, ResponseHeaderMap, Stream, StreamCallbacks, StreamResetReason } from '../types.js';
import type { Http1ServerCodec } from './server_codec.js';

const EMPTY = Buffer.alloc(0);

function onSocketDrain(this: { [kStream]?: Http1ServerStream }): void {
  this[kStream]?.onDrain();
}
const kStream = Symbol('tsproxy.http1ServerStream');

export class Http1ServerStream implements ResponseEncoder, Stream {
  /** One registration: the ActiveStream answering the current request. */
  private callbacks: StreamCallbacks | undefined;
  private aboveHighWatermark = false;
  private done = true;
  readonly streamErrorOnInvalidHttpMessage = false;

  /** `reader`: whose readDisable this stream's applies (the connection: counted, holds parsed body). */
  constructor(
    private readonly codec: Http1ServerCodec,
    private readonly reader: { readDisable(disable: boolean): void },
  ) {
    (codec.socket as unknown as { [kStream]?: Http1ServerStream })[kStream] = this;
  }

  /** The encoder now answers a new request (the previous one completed). */
  begin(): this {
    this.callbacks = undefined;
    this.done = false;
    return this;
  }

  get stream(): Stream {
    return this;
  }

  get bufferLimit(): number {
    return this.codec.socket.writableHighWaterMark;
  }

  addCallbacks(callbacks: StreamCallbacks): void {
    this.callbacks = callbacks;
  }

  removeCallbacks(callbacks: StreamCallbacks): void {
    if (this.callbacks === callbacks) this.callbacks = undefined;
  }

  encode1xxHeaders(_headers: ResponseHeaderMap): void {
    this.codec.encode100Continue();
  }

  encodeHeaders(headers: ResponseHeaderMap, endStream: boolean): boolean {
    if (this.codec.socket.destroyed) {
      this.clientGone();
      return true;
    }
    const ok = this.codec.encodeHeaders(headers.status, headers.headers, endStream);
    if (ok && endStream) this.done = true;
    return ok;
  }

  encodeData(chunk: Buffer, endStream: boolean): void {
    const codec = this.codec;
    if (codec.socket.destroyed) {
      this.clientGone();
      return;
    }
    const ok = codec.encodeData(chunk, endStream);
    if (endStream) this.done = true;
    else if (!ok && !this.aboveHighWatermark) {
      const cb = this.callbacks;
      if (cb?.onAboveWriteBufferHighWatermark === undefined) return;
      this.aboveHighWatermark = true;
      codec.socket.once('drain', onSocketDrain);
      cb.onAboveWriteBufferHighWatermark();
    }
  }

  encodeTrailers(_trailers: HeaderList): void {
    this.encodeData(EMPTY, true);
  }

  switchToTunnel(headers: ResponseHeaderMap): DownstreamTunnel | undefined {
    const codec = this.codec;
    if (codec.socket.destroyed) {
      this.clientGone();
      return undefined;
    }
    if (!codec.writeTunnelHead(headers.status, headers.headers)) return undefined;
    // The stream's bytes are the tunnel's from now on: no more encoder calls.
    this.done = true;
    this.callbacks = undefined;
    return { socket: codec.socket, head: codec.detachForUpgrade() };
  }

  onDrain(): void {
    if (!this.aboveHighWatermark) return;
    this.aboveHighWatermark = false;
    if (!this.done) this.callbacks?.onBelowWriteBufferLowWatermark?.();
  }

  /** HTTP/1 cannot reset one message: the connection closes. */
  resetStream(reason: StreamResetReason): void {
    this.runResetCallbacks(reason);
    this.codec.close(true);
  }

  readDisable(disable: boolean): void {
    if (!this.done) this.reader.readDisable(disable);
  }

  /** The connection closed under the request in progress (a no-op once it completed). */
  connectionClosed(): void {
    this.runResetCallbacks('connection_termination');
  }

  private clientGone(): void {
    this.runResetCallbacks('connection_termination');
  }

  private runResetCallbacks(reason: StreamResetReason): void {
    if (this.done) return;
    this.done = true;
    const cb = this.callbacks;
    this.callbacks = undefined;
    cb?.onResetStream(reason, '');
  }
}
