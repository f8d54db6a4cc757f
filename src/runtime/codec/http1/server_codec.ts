/**
 * The downstream HTTP/1.1 codec (Envoy's Http1::ServerConnectionImpl) over Node's own native
 * llhttp parser (request_parser.ts) and a raw `net.Socket`. Chosen by measurement over
 * node:http's server: a proxy on this codec costs about half the CPU per request (no
 * IncomingMessage/ServerResponse streams, no per-request event listeners, the response head
 * built as one string).
 *
 * Contract:
 * - Requests are delivered one at a time, as Envoy's HTTP/1 codec does: `onRequestHeaders`, then
 *   `onRequestBody`* and `onRequestComplete`. Pipelined requests that arrive while a response is
 *   in progress are parsed and queued (socket reading is paused meanwhile) and delivered, in
 *   order, after `encodeHeaders`/`encodeData` finished the current response.
 * - A parse error is reported through `onCodecError` when it is reached in order: with the request
 *   in progress (`inRequest` true: a bad body) or in place of the next request.
 * - The response is written by `encodeHeaders` + `encodeData` (response_writer.ts): framing
 *   (content-length, chunked, close-delimited for HTTP/1.0), `date`, `connection` and keep-alive
 *   are decided there, and the head is held until the first body chunk of the same tick (or the
 *   next tick). Whether the connection goes on after the response is decided here.
 * - Request heads are built by the parser (request_parser.ts, request_head.ts: headers joined as
 *   Envoy's header map does, lowercase names). What Envoy's codec refuses after parsing a head
 *   (headers with underscores, Transfer-Encoding, Connection-nominated headers, the request
 *   target) is delivered with its `rejection` set, and a method Envoy does not accept is a parse
 *   error (HPE_INVALID_METHOD). After a refused request, an upgrade or a parse error nothing more
 *   of the connection is parsed into requests (Envoy closes it; an upgrade's bytes are never
 *   requests).
 * Its callbacks and settings are in server_codec_callbacks.ts; reading (the native parser
 * consuming the socket) is request_reader.ts; requests waiting behind a response in progress,
 * pipelined_requests.ts.
 * Not re-entrant: callbacks must not call back into the parser (they may write responses).
 */
import type { Socket } from 'node:net';
import type { HeaderObject } from '../headers.js';
import type { RequestHead } from './request_head.js';
import type { ServerCodecCallbacks, ServerCodecOptions } from './server_codec_callbacks.js';
import { Http1ResponseWriter } from './response_writer.js';
import type { Http1RequestReader } from './request_reader.js';
import { Http1RequestParser, type RequestParserCallbacks } from './request_parser.js';
import { PipelinedRequests } from './pipelined_requests.js';

export type { RequestHead } from './request_head.js';
export type { ServerCodecCallbacks, ServerCodecOptions } from './server_codec_callbacks.js';
export { CodecErrorCodes } from './parser_rules.js';

function dispatchLater(codec: Http1ServerCodec): void {
  codec.dispatchQueued();
}

export class Http1ServerCodec implements RequestParserCallbacks {
  /** llhttp and what its events mean for requests (request_parser.ts). */
  private readonly parser: Http1RequestParser;
  /** Feeds the parser from the socket; pauses and resumes reading (request_reader.ts). */
  private readonly reader: Http1RequestReader;
  /** Writes the responses (response_writer.ts). */
  private readonly response: Http1ResponseWriter;
  /** A delivered request's response is not complete yet. */
  private streamActive = false;
  /** The message the parser is in belongs to the delivered request (else to a queued one). */
  private parsingDelivered = false;
  /** The delivered request was received completely. */
  private deliveredComplete = true;
  private deliveredHasBody = false;
  /** dispatchQueued is running: a response completing inside it does not recurse. */
  private delivering = false;
  private dispatchScheduled = false;
  /** Requests parsed behind the response in progress (pipelined_requests.ts). */
  private readonly queue = new PipelinedRequests();
  private closing = false;
  /** Draining (drainAfterResponse): the response in progress closes the connection. */
  private draining = false;
  /** llhttp reported an error: nothing more is parsed. */
  private parseFailed = false;

  // The request being answered (ResponseRequestInfo for the response writer).
  isHeadRequest = false;
  http10 = false;
  private keepAlive = true;

  /** The response must close the connection (client asked, or the codec is closing). */
  get mustClose(): boolean {
    return !this.keepAlive || this.closing || this.draining;
  }

  constructor(
    readonly socket: Socket,
    private readonly callbacks: ServerCodecCallbacks,
    options: ServerCodecOptions,
  ) {
    this.parser = new Http1RequestParser(this, options);
    this.response = new Http1ResponseWriter(socket);
    this.reader = this.parser.readerFor(socket);
  }

  /** A request head began and is not complete yet. */
  get headPending(): boolean {
    return this.parser.headPending;
  }

  // ---- upgrades -------------------------------------------------------------------------------

  /** Writes a tunnel's response head (101 or a CONNECT's 2xx); false, writing nothing, when a header is invalid. */
  writeTunnelHead(status: number, headers: HeaderObject): boolean {
    return this.response.writeTunnelHead(status, headers);
  }

  /**
   * Hands the connection over to a tunnel (an upgrade's 101, a CONNECT's 200 were written):
   * the parser lets go of the socket, this codec removes its listeners and parses nothing more.
   * Returns the bytes the client sent after the request head (already read). The socket is left
   * paused with no data listener; the tunnel attaches its own and resumes it.
   */
  detachForUpgrade(): Buffer {
    this.closing = true;
    this.response.flushHead();
    return this.reader.detach();
  }

  // ---- the parser's events (request_parser.ts) ------------------------------------------------

  /** A read ended inside a request head: tell the connection manager unless a response is in progress. */
  onHeadPending(): void {
    if (!this.closing && !this.parseFailed && !this.streamActive && this.queue.length === 0) this.callbacks.onRequestHeadPending?.();
  }

  /** A callback into the connection manager threw: reset the connection, never crash. */
  private callbackFailed(): void {
    this.closing = true;
    this.parseFailed = true;
    this.socket.destroy();
  }

  /** The bytes after a delivered upgrade's head: kept for the tunnel (request_reader.ts). */
  onTunnelBytes(rest: Buffer): void {
    this.reader.keepForTunnel(rest);
  }

  /**
   * The client sent FIN. Envoy does not keep half-closed HTTP/1 connections (half-close is off
   * for the HTTP connection manager): the FIN closes the connection, so a request in progress
   * (being received, answered, or queued behind one) is reset; the connection manager sees the
   * close (DC). An idle connection just closes, after what was written is flushed.
   */
  onEnd(): void {
    if (this.closing || this.parseFailed) return;
    this.close(this.streamActive || this.queue.length > 0 || this.headPending);
  }

  /** Whether a head that completes now still becomes a request. */
  parsesRequests(): boolean {
    return !this.closing && !this.parseFailed;
  }

  /**
   * A request head the parser built: delivered, or queued behind the response in progress.
   * True when it is the last request of the connection (refused, or an upgrade): no body follows.
   */
  onHeadersComplete(head: RequestHead): boolean {
    const rejection = head.rejection;
    const upgrade = head.upgrade;
    if (rejection !== undefined || upgrade) {
      // Envoy closes the connection after a refused request and hands an upgrade's bytes to the
      // upgrade: either way nothing after this head is parsed into requests.
      this.parseFailed = true;
    }
    if (!this.streamActive && this.queue.length === 0) {
      if (upgrade && rejection === undefined) this.parser.keepRestForTunnel();
      try {
        this.deliver(head, false);
      } catch {
        this.callbackFailed();
      }
    } else {
      this.queue.add(head);
      this.parsingDelivered = false;
      this.pauseReading();
    }
    return rejection !== undefined || upgrade;
  }

  /** A body chunk: the delivered request's, or a queued one's. */
  onBody(chunk: Buffer): void {
    if (this.parsingDelivered) {
      try {
        this.callbacks.onRequestBody(chunk);
      } catch {
        this.callbackFailed();
      }
    } else this.queue.onBody(chunk);
  }

  /** The end of a message: the delivered request's, or a queued one's. */
  onMessageComplete(): void {
    if (this.parsingDelivered) {
      this.parsingDelivered = false;
      this.deliveredComplete = true;
      try {
        this.callbacks.onRequestComplete();
      } catch {
        this.callbackFailed();
      }
    } else this.queue.onMessageComplete();
  }

  private deliver(head: RequestHead, complete: boolean): void {
    this.streamActive = true;
    this.parsingDelivered = !complete;
    this.deliveredComplete = complete;
    this.deliveredHasBody = head.hasBody;
    this.isHeadRequest = head.method === 'HEAD';
    this.http10 = head.versionMajor === 1 && head.versionMinor === 0;
    this.keepAlive = head.keepAlive;
    this.callbacks.onRequestHeaders(head);
  }

  /** A parse error: reported now, or in order behind the requests still being answered. */
  onParseError(code: string): void {
    // Nothing more is parsed on this connection.
    this.parseFailed = true;
    this.pauseReading();
    if (this.parsingDelivered && !this.deliveredComplete) {
      this.parsingDelivered = false;
      this.callbacks.onCodecError(code, true);
    } else if (this.streamActive || this.queue.length > 0) {
      // Behind requests still being answered: reported in order.
      this.queue.onParseError(code);
    } else {
      this.callbacks.onCodecError(code, false);
    }
  }

  private pauseReading(): void {
    this.reader.pause();
  }

  /** Reads again if paused, unless the connection parses nothing more. */
  private resumeReading(): void {
    if (this.reader.isPaused && !this.closing && !this.parseFailed) this.reader.resume();
  }

  /** Stops (true) or resumes (false) reading the request (Envoy's readDisable). */
  readDisable(disable: boolean): void {
    if (disable) this.pauseReading();
    else if (this.queue.length === 0) this.resumeReading();
  }

  /** Whether no response is in progress (an idle keep-alive connection). */
  get idle(): boolean {
    return !this.streamActive && this.queue.length === 0;
  }

  // ---- response -------------------------------------------------------------------------------

  /**
   * Writes the response head. `headers` must not carry hop-by-hop framing headers other than
   * `connection: close` and `content-length`. Returns false, writing nothing, when a header
   * cannot be written (invalid name or value): the caller resets the stream.
   */
  encodeHeaders(status: number, headers: HeaderObject, endStream: boolean): boolean {
    // Without endStream the head is held until the body's first chunk (the same tick, usually)
    // or the next tick: a small response then leaves in one write of one string.
    if (!this.response.writeHead(status, headers, endStream, this)) return false;
    if (endStream) this.responseComplete();
    return true;
  }

  /** The interim `100 Continue` for a request that expects it (before its final response). */
  encode100Continue(): void {
    this.response.write100Continue();
  }

  /** Writes a body chunk; returns false when the socket buffer is over its high watermark. */
  encodeData(chunk: Buffer, endStream: boolean): boolean {
    const ok = this.response.writeData(chunk, endStream);
    if (endStream) this.responseComplete();
    return ok;
  }

  /** The response is on the wire: close, or go on with the next queued request. */
  private responseComplete(): void {
    this.streamActive = false;
    if (this.response.closesConnection || this.draining || (!this.deliveredComplete && this.deliveredHasBody)) {
      // A response before the whole request body arrived cannot keep the connection (HTTP/1).
      this.parsingDelivered = false;
      this.close(false);
      return;
    }
    if (this.delivering) return;
    if (this.queue.length > 0) {
      // Next tick: the finishing stream completes (stats, access log) before the next starts.
      if (!this.dispatchScheduled) {
        this.dispatchScheduled = true;
        process.nextTick(dispatchLater, this);
      }
      return;
    }
    this.resumeReading();
  }

  /** Delivers queued requests until one is in progress; then resumes reading when idle. */
  dispatchQueued(): void {
    try {
      this.dispatchQueuedUnsafe();
    } catch {
      this.delivering = false;
      this.callbackFailed();
    }
  }

  private dispatchQueuedUnsafe(): void {
    this.dispatchScheduled = false;
    this.delivering = true;
    try {
      while (!this.streamActive && !this.closing && this.queue.length > 0) {
        const q = this.queue.shift()!;
        if (q.head === undefined) {
          this.callbacks.onCodecError(q.error!, false);
          return;
        }
        const complete = q.complete && q.error === undefined;
        this.deliver(q.head, complete && !q.head.hasBody);
        const body = q.body;
        if (body !== undefined) {
          for (let i = 0; i < body.length && this.streamActive; i++) this.callbacks.onRequestBody(body[i]!);
        }
        if (!this.streamActive) continue;
        if (q.error !== undefined) {
          this.parsingDelivered = false;
          this.callbacks.onCodecError(q.error, true);
          return;
        }
        if (complete) {
          if (!this.deliveredComplete) {
            this.parsingDelivered = false;
            this.deliveredComplete = true;
            this.callbacks.onRequestComplete();
          }
        } else {
          // Still being parsed: the rest of its body goes straight to the callbacks.
          this.parsingDelivered = true;
        }
      }
    } finally {
      this.delivering = false;
    }
    if (!this.streamActive) this.resumeReading();
  }

  /**
   * HTTP/1's drain (it has no GOAWAY): the response in progress carries `connection: close`
   * (when its head is not written yet) and the connection closes after it; an idle connection
   * closes now unless `keepIdle` (a request head is arriving: its response will close).
   * Queued pipelined requests are dropped, as after any `connection: close`.
   */
  drainAfterResponse(keepIdle: boolean): void {
    this.draining = true;
    if (this.idle && !keepIdle) this.close(false);
  }

  /**
   * Answers outside any stream (a codec error reply) with a complete response, serialized like
   * every other one, and closes the connection after it.
   */
  endWith(status: number, headers: HeaderObject, body: string): void {
    this.closing = true;
    this.response.writeFinalReply(status, headers, body);
  }

  /**
   * Closes the connection: at once (`abort`, or a reset), else after the written data is
   * flushed. Nothing more is parsed.
   */
  close(abort: boolean): void {
    this.closing = true;
    this.queue.clear();
    if (!abort) this.response.flushHead();
    const s = this.socket;
    if (s.destroyed) return;
    if (abort) s.destroy();
    else s.end();
  }

  /** Frees the native parser (the socket closed). */
  destroy(): void {
    this.closing = true;
    this.queue.clear();
    this.reader.release();
    this.parser.close();
  }
}
