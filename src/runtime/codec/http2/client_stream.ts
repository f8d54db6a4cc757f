/**
 * One upstream HTTP/2 stream (Envoy's Http2::ClientStreamImpl): the RequestEncoder and Stream the
 * router writes a request to, over a node:http2 ClientHttp2Stream opened at `encodeHeaders`.
 * Response: `decode1xxHeaders` for interim heads, `decodeHeaders` (END_STREAM on the HEADERS
 * frame: a headers-only or trailers-only response), `decodeData`*, and the end as
 * `decodeData(empty, true)` or `decodeTrailers`. Resets: `remote_refused_stream_reset` for
 * REFUSED_STREAM and for streams a GOAWAY left out (retriable: the upstream never processed
 * them), `protocol_error` for PROTOCOL_ERROR (UPE), `connection_termination` when the session
 * went away, else `remote_reset`. Like Envoy's codec, resets carry no transport failure text
 * (the router's details read `upstream_reset_before_response_started{remote_reset}`).
 */
import type { ClientHttp2Session, ClientHttp2Stream } from 'node:http2';
import type { HeaderList, RequestEncoder, ResponseDecoder, Stream, StreamCallbacks, StreamResetReason } from '../types.js';
import { headerListFromRaw, requestHeadersForNode, statusFromRaw } from './headers.js';
import { EMPTY, H2Error, H2StreamIo } from './stream_io.js';
import type { Http2CodecStats } from './stats.js';

/** What a stream needs from its connection (client_codec.ts). */
export interface ClientStreamOwner {
  readonly stats: Http2CodecStats;
  readonly session: ClientHttp2Session;
  /** `:scheme` of requests (`http` on h2c). */
  readonly scheme: string;
  /** The session is going away: a stream closing now was terminated with the connection. */
  readonly terminating: boolean;
  /** The peer's GOAWAY last stream id, or -1 when none arrived. */
  readonly goAwayLastStreamId: number;
  onStreamDone(stream: Http2ClientStream): void;
  /** A response byte arrived (connection_idle_interval bookkeeping). */
  onActivity(): void;
}

const kStream = Symbol('tsproxy.h2ClientStream');
type Tagged = ClientHttp2Stream & { [kStream]?: Http2ClientStream };

function onResponse(this: Tagged, _h: unknown, flags: number, raw: string[]): void {
  this[kStream]!.onResponse(flags, raw);
}
function onInfo(this: Tagged, _h: unknown, _flags: number, raw: string[]): void {
  this[kStream]!.onInfo(raw);
}
function onData(this: Tagged, chunk: Buffer): void {
  this[kStream]!.onData(chunk);
}
function onTrailers(this: Tagged, _h: unknown, _flags: number, raw: string[]): void {
  this[kStream]!.onTrailers(raw);
}
function onEnd(this: Tagged): void {
  this[kStream]!.onEnd();
}
function onClose(this: Tagged): void {
  this[kStream]!.onClose();
}
function onError(): void {
  // 'close' follows and reports the reset.
}

const END_STREAM = 0x1;

export class Http2ClientStream implements RequestEncoder, Stream {
  readonly io: H2StreamIo;
  private h2: ClientHttp2Stream | undefined;
  private responseStarted = false;
  private remoteEnded = false;

  constructor(
    private readonly owner: ClientStreamOwner,
    private readonly decoder: ResponseDecoder,
  ) {
    this.io = new H2StreamIo(owner.stats);
  }

  get stream(): Stream {
    return this;
  }

  get bufferLimit(): number {
    return this.io.bufferLimit;
  }

  /** The HTTP/2 stream id once the request went out, else undefined. */
  get id(): number | undefined {
    return this.h2?.id;
  }

  encodeHeaders(method: string, path: string, authority: string, headers: HeaderList, endStream: boolean): void {
    if (this.io.done || this.h2 !== undefined) return;
    let h2: ClientHttp2Stream;
    try {
      h2 = this.owner.session.request(requestHeadersForNode(method, path, authority, this.owner.scheme, headers), endStream ? { endStream: true } : { endStream: false, waitForTrailers: true });
    } catch (e) {
      const code = (e as { code?: string }).code;
      // The session got a GOAWAY or closed since the pool chose it: nothing was sent.
      const refused = code === 'ERR_HTTP2_GOAWAY_SESSION' || code === 'ERR_HTTP2_INVALID_SESSION' || code === 'ERR_HTTP2_OUT_OF_STREAMS';
      this.io.runReset(refused ? 'remote_refused_stream_reset' : 'local_reset', code ?? 'invalid request head');
      this.owner.onStreamDone(this);
      return;
    }
    this.h2 = h2;
    this.io.attach(h2);
    (h2 as Tagged)[kStream] = this;
    if (endStream) this.io.localEnded = true;
    else this.io.expectTrailers();
    h2.on('response', onResponse);
    h2.on('headers', onInfo);
    h2.on('data', onData);
    h2.on('trailers', onTrailers);
    h2.on('end', onEnd);
    h2.on('close', onClose);
    h2.on('error', onError);
  }

  encodeData(chunk: Buffer, endStream: boolean): void {
    this.io.write(chunk, endStream);
  }

  encodeTrailers(trailers: HeaderList): void {
    this.io.sendTrailers(trailers);
  }

  // ---- response -------------------------------------------------------------------------------

  onInfo(raw: string[]): void {
    this.owner.onActivity();
    const status = statusFromRaw(raw);
    if (!this.io.done && status !== 101) this.decoder.decode1xxHeaders?.(status, headerListFromRaw(raw));
  }

  onResponse(flags: number, raw: string[]): void {
    this.owner.onActivity();
    if (this.io.done) return;
    this.responseStarted = true;
    const endStream = (flags & END_STREAM) !== 0;
    if (endStream) this.remoteEnded = true;
    this.decoder.decodeHeaders(statusFromRaw(raw), headerListFromRaw(raw), endStream);
  }

  onData(chunk: Buffer): void {
    this.owner.onActivity();
    if (!this.io.done) this.decoder.decodeData(chunk, false);
  }

  onTrailers(raw: string[]): void {
    // (`http2.trailers` counts request trailers on server connections only, as Envoy.)
    if (this.io.done || this.remoteEnded) return;
    this.remoteEnded = true;
    this.decoder.decodeTrailers(headerListFromRaw(raw));
  }

  onEnd(): void {
    if (this.io.done || this.remoteEnded || !this.responseStarted) return;
    this.remoteEnded = true;
    this.decoder.decodeData(EMPTY, true);
  }

  // ---- Stream ---------------------------------------------------------------------------------

  addCallbacks(callbacks: StreamCallbacks): void {
    this.io.addCallbacks(callbacks);
  }

  removeCallbacks(callbacks: StreamCallbacks): void {
    this.io.removeCallbacks(callbacks);
  }

  readDisable(disable: boolean): void {
    this.io.readDisable(disable);
  }

  resetStream(reason: StreamResetReason): void {
    if (this.io.done) return;
    this.io.sendReset(reason);
    this.io.runReset(reason, '');
    this.owner.onStreamDone(this);
  }

  /** The connection went away under the stream. */
  terminate(): void {
    if (this.io.done) return;
    const id = this.h2?.id;
    const last = this.owner.goAwayLastStreamId;
    // Above a GOAWAY's last stream id (or never sent): the upstream never processed it.
    const refused = id === undefined || (last >= 0 && id > last);
    this.io.runReset(refused ? 'remote_refused_stream_reset' : 'connection_termination', '');
    this.owner.onStreamDone(this);
  }

  onClose(): void {
    const io = this.io;
    if (io.done) return;
    const code = this.h2!.rstCode ?? H2Error.NO_ERROR;
    if (code === H2Error.NO_ERROR && this.remoteEnded) {
      // The response is complete (a request body still being sent is cut, as Envoy does).
      io.complete();
      this.owner.onStreamDone(this);
      return;
    }
    const last = this.owner.goAwayLastStreamId;
    const id = this.h2!.id;
    if (code === H2Error.REFUSED_STREAM || (last >= 0 && id !== undefined && id > last)) {
      if (code === H2Error.REFUSED_STREAM) this.owner.stats.rx_reset.inc();
      io.runReset('remote_refused_stream_reset', '');
    } else if (this.owner.terminating) {
      io.runReset('connection_termination', '');
    } else {
      this.owner.stats.rx_reset.inc();
      io.runReset(code === H2Error.PROTOCOL_ERROR ? 'protocol_error' : 'remote_reset', '');
    }
    this.owner.onStreamDone(this);
  }
}
