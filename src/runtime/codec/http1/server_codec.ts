/**
 * The downstream HTTP/1.1 codec (Envoy's Http1::ServerConnectionImpl) over Node's own native
 * llhttp parser (the HTTPParser binding node:http itself uses, from the public `_http_common`
 * module) and a raw `net.Socket`. Chosen by measurement over node:http's server: a proxy on this
 * codec costs about half the CPU per request (no IncomingMessage/ServerResponse streams, no
 * per-request event listeners, the response head built as one string).
 *
 * Contract:
 * - Requests are delivered one at a time, as Envoy's HTTP/1 codec does: `onRequestHeaders`, then
 *   `onRequestBody`* and `onRequestComplete`. Pipelined requests that arrive while a response is
 *   in progress are parsed and queued (socket reading is paused meanwhile) and delivered, in
 *   order, after `encodeHeaders`/`encodeData` finished the current response.
 * - A parse error is reported through `onCodecError` when it is reached in order: with the request
 *   in progress (`inRequest` true: a bad body) or in place of the next request.
 * - The response is written by `encodeHeaders` + `encodeData`; framing (content-length, chunked,
 *   close-delimited for HTTP/1.0), `date`, `connection` and keep-alive are decided here. The head
 *   is held until the first body chunk of the same tick (or the next tick): a small response
 *   leaves in one write of one string, a large chunk in one writev with its head.
 * - Repeated request headers are joined with "," (`cookie` with "; "), as Envoy's header map
 *   does; the header object has lowercase names.
 * - What Envoy's codec refuses after parsing a head (request_head.ts: headers with underscores,
 *   Transfer-Encoding, Connection-nominated headers, the request target) is delivered with its
 *   `rejection` set, and a method Envoy does not accept is a parse error (HPE_INVALID_METHOD).
 *   After a refused request, an upgrade or a parse error nothing more of the connection is
 *   parsed into requests (Envoy closes it; an upgrade's bytes are never requests).
 * Not re-entrant: callbacks must not call back into the parser (they may write responses).
 */
import type { Socket } from 'node:net';
import type { HeaderObject } from '../headers.js';
import type { Http1CodecStats } from './codec_stats.js';
import { buildRequestHead, CodecRejections, type RequestHead, type RequestHeadOptions } from './request_head.js';
import {
  HTTPParser,
  kOnBody,
  kOnExecute,
  kOnHeaders,
  kOnHeadersComplete,
  kOnMessageBegin,
  kOnMessageComplete,
  PARSER_RESOURCE,
  type NativeParseError,
  type NativeParser,
  type NativeStreamHandle,
} from '../../llhttp.js';
import { encodeResponseHead, encodeTunnelHead, writeBody, type ResponseFraming } from './response_encoder.js';
import { ENVOY_METHODS, refineParseError } from './parser_rules.js';

export type { RequestHead } from './request_head.js';
export { CodecErrorCodes } from './parser_rules.js';

/** What the connection manager implements. */
export interface ServerCodecCallbacks {
  onRequestHeaders(head: RequestHead): void;
  onRequestBody(chunk: Buffer): void;
  onRequestComplete(): void;
  /**
   * A request that does not parse (llhttp error code, `HPE_*`, or one of CodecErrorCodes). `inRequest`: the delivered
   * request is incomplete.
   */
  onCodecError(code: string, inRequest: boolean): void;
  /**
   * A request head began and was still incomplete at the end of a read, with no response in
   * progress: the connection manager times it (stream_idle_timeout, request_headers_timeout).
   * Called after every such read until the head completes (`onRequestHeaders`).
   */
  onRequestHeadPending?(): void;
}

/** Codec limits and settings (Envoy's HCM settings). */
export interface ServerCodecOptions extends RequestHeadOptions {
  /** max_request_headers_kb * 1024. */
  readonly maxHeaderSize: number;
  /** The `http1.*` stats (http1CodecStats). */
  readonly stats: Http1CodecStats;
}

/** A request parsed while an earlier response was still in progress. */
interface QueuedRequest {
  head: RequestHead | undefined;
  body: Buffer[] | undefined;
  complete: boolean;
  /** A parse error in place of (or inside) this request. */
  error: string | undefined;
}

function dispatchLater(codec: Http1ServerCodec): void {
  codec.dispatchQueued();
}

const CONTINUE = 'HTTP/1.1 100 Continue\r\n\r\n';
const EMPTY = Buffer.alloc(0);

/** A reply to a request that never became one (it did not parse): closes, has a body. */
const CODEC_ERROR_REPLY = { isHeadRequest: false, http10: false, mustClose: true } as const;

/** Codecs holding a response head until the next tick; one tick flushes them all. */
const heldHeads: Http1ServerCodec[] = [];
let heldFlushScheduled = false;

function flushHeldHeads(): void {
  heldFlushScheduled = false;
  for (let i = 0; i < heldHeads.length; i++) heldHeads[i]!.flushHead();
  heldHeads.length = 0;
}

function onSocketData(this: Socket & { [kCodec]?: Http1ServerCodec }, chunk: Buffer): void {
  this[kCodec]!.onData(chunk);
}
function onSocketEnd(this: Socket & { [kCodec]?: Http1ServerCodec }): void {
  this[kCodec]!.onEnd();
}
const kCodec = Symbol('tsproxy.http1ServerCodec');

export class Http1ServerCodec {
  private readonly parser: NativeParser;
  /** The stream handle the parser consumes, or undefined (reads arrive as 'data' events). */
  private handle: NativeStreamHandle | undefined;
  /** Headers delivered by kOnHeaders before kOnHeadersComplete (a head over several reads). */
  private partialHeaders: string[] | undefined;
  private partialUrl = '';
  /** A delivered request's response is not complete yet. */
  private streamActive = false;
  /** The message the parser is in belongs to the delivered request (else to `parsing`). */
  private parsingDelivered = false;
  /** The delivered request was received completely. */
  private deliveredComplete = true;
  private deliveredHasBody = false;
  /** dispatchQueued is running: a response completing inside it does not recurse. */
  private delivering = false;
  private dispatchScheduled = false;
  private parsing: QueuedRequest | undefined;
  private readonly queue: QueuedRequest[] = [];
  private readPaused = false;
  private closing = false;
  /** Draining (drainAfterResponse): the response in progress closes the connection. */
  private draining = false;
  /** llhttp reported an error: nothing more is parsed. */
  private parseFailed = false;
  /** A request head began and is not complete yet. */
  headPending = false;
  /** The delivered request is an upgrade: the bytes after its head are kept for the tunnel. */
  private upgradeCapture = false;
  /** Bytes that followed an upgrade request's head in its read (the tunnel's first bytes). */
  private upgradeBytes: Buffer | undefined;

  // The response in progress.
  private readonly framing: ResponseFraming = { chunked: false, noBody: false, close: false };
  /** A response head not written yet (see encodeHeaders). */
  private pendingHead: string | undefined;
  private flushScheduled = false;
  // The request being answered (ResponseRequestInfo for the encoder).
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
    private readonly options: ServerCodecOptions,
  ) {
    const p = new HTTPParser();
    p.initialize(HTTPParser.REQUEST, PARSER_RESOURCE, options.maxHeaderSize, 0);
    p[kOnHeaders] = this.onHeaders;
    p[kOnHeadersComplete] = this.onHeadersComplete;
    p[kOnBody] = this.onBody;
    p[kOnMessageComplete] = this.onMessageComplete;
    p[kOnMessageBegin] = this.onMessageBegin;
    this.parser = p;
    (socket as Socket & { [kCodec]?: Http1ServerCodec })[kCodec] = this;
    // The parser reads straight from the socket's libuv stream, as node:http's server does: no
    // Buffer, no Readable push and no 'data' event per read. Without a stream handle (a test
    // double), the 'data' listener below feeds it instead.
    const handle = (socket as Socket & { _handle?: NativeStreamHandle | null })._handle;
    if (handle && handle.isStreamBase === true && !handle._consumed) {
      handle._consumed = true;
      p[kOnExecute] = this.onExecute;
      p.consume(handle);
      this.handle = handle;
    }
    socket.on('data', onSocketData);
    socket.on('end', onSocketEnd);
  }

  // ---- parsing --------------------------------------------------------------------------------

  /** After each read the native parser consumed: a number of bytes parsed, or the parse error. */
  private readonly onExecute = (ret: number | NativeParseError): void => {
    if (this.upgradeCapture && typeof ret === 'number') {
      const buf = this.parser.getCurrentBuffer();
      this.captureUpgrade(buf === undefined ? EMPTY : buf.subarray(ret));
      return;
    }
    if (typeof ret !== 'number' && !this.closing && !this.parseFailed) this.onParseError(refineParseError(ret.code ?? 'HPE_UNKNOWN', ret.reason));
    else if (this.headPending) this.headPendingAfterRead();
  };

  /** An upgrade head was parsed: what followed it is tunnel data; reading stops until the tunnel takes over. */
  private captureUpgrade(rest: Buffer): void {
    this.upgradeCapture = false;
    this.upgradeBytes = rest.length > 0 ? Buffer.from(rest) : EMPTY;
    this.pauseReading();
  }

  /** Writes a tunnel's response head (101 or a CONNECT's 2xx); false, writing nothing, when a header is invalid. */
  writeTunnelHead(status: number, headers: HeaderObject): boolean {
    const head = encodeTunnelHead(status, headers);
    if (head === null) return false;
    this.pendingHead = undefined;
    this.socket.write(head, 'latin1');
    return true;
  }

  /**
   * Hands the connection over to a tunnel (an upgrade's 101, a CONNECT's 200 were written):
   * the parser lets go of the socket, this codec removes its listeners and parses nothing more.
   * Returns the bytes the client sent after the request head (already read). The socket is left
   * paused with no data listener; the tunnel attaches its own and resumes it.
   */
  detachForUpgrade(): Buffer {
    this.closing = true;
    this.flushHead();
    const handle = this.handle;
    if (handle !== undefined) {
      this.handle = undefined;
      try {
        this.parser.unconsume();
      } catch {
        // The stream is gone already.
      }
      // Reading was stopped on the handle itself (pauseReading), behind the JS stream's back:
      // start it again so the bytes reach the socket's own stream (paused: they wait there).
      if (this.readPaused && !this.socket.destroyed) handle.readStart();
    }
    this.readPaused = false;
    const socket = this.socket;
    socket.pause();
    socket.removeListener('data', onSocketData);
    socket.removeListener('end', onSocketEnd);
    const bytes = this.upgradeBytes ?? EMPTY;
    this.upgradeBytes = undefined;
    return bytes;
  }

  /** A read ended inside a request head: tell the connection manager unless a response is in progress. */
  private headPendingAfterRead(): void {
    if (!this.closing && !this.parseFailed && !this.streamActive && this.queue.length === 0) this.callbacks.onRequestHeadPending?.();
  }

  /** A callback into the connection manager threw: reset the connection, never crash. */
  private callbackFailed(): void {
    this.closing = true;
    this.parseFailed = true;
    this.socket.destroy();
  }

  /** Bytes from the socket (only when the parser does not consume the stream itself). */
  onData(chunk: Buffer): void {
    if (this.closing || this.parseFailed) return;
    const r = this.parser.execute(chunk);
    if (this.upgradeCapture && typeof r === 'number') {
      this.captureUpgrade(chunk.subarray(r));
      return;
    }
    if (typeof r !== 'number') this.onParseError(refineParseError(r.code ?? 'HPE_UNKNOWN', r.reason));
    else if (this.headPending) this.headPendingAfterRead();
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

  private readonly onMessageBegin = (): void => {
    this.headPending = true;
  };

  private readonly onHeaders = (headers: string[], url: string): void => {
    this.partialHeaders = this.partialHeaders === undefined ? headers : this.partialHeaders.concat(headers);
    this.partialUrl += url;
  };

  private readonly onHeadersComplete = (
    versionMajor: number,
    versionMinor: number,
    rawHeaders: string[] | undefined,
    method: number,
    url: string | undefined,
    _statusCode: unknown,
    _statusMessage: unknown,
    upgrade: boolean,
    shouldKeepAlive: boolean,
  ): number => {
    this.headPending = false;
    let raw = rawHeaders;
    if (raw === undefined) {
      raw = this.partialHeaders ?? [];
      url = this.partialUrl + (url ?? '');
    }
    this.partialHeaders = undefined;
    this.partialUrl = '';
    // Bytes after a refused request, an upgrade or a parse error are never requests: 2 tells
    // llhttp that nothing follows this head.
    if (this.closing || this.parseFailed) return 2;
    const methodName = ENVOY_METHODS[method];
    if (methodName === undefined) {
      this.onParseError('HPE_INVALID_METHOD');
      return 2;
    }
    const head = buildRequestHead(versionMajor, versionMinor, raw, methodName, url ?? '/', upgrade, shouldKeepAlive, this.options);
    // Headers DROP_HEADER removed (they do not count in headerCount).
    const dropped = (raw.length >> 1) - head.headerCount;
    if (dropped > 0) this.options.stats.dropped_headers_with_underscores.inc(dropped);
    const rejection = head.rejection;
    if (rejection !== undefined || upgrade) {
      // Envoy closes the connection after a refused request and hands an upgrade's bytes to the
      // upgrade: either way nothing after this head is parsed into requests.
      this.parseFailed = true;
      if (rejection === CodecRejections.UnexpectedUnderscore) this.options.stats.requests_rejected_with_underscores_in_headers.inc();
    }
    if (!this.streamActive && this.queue.length === 0) {
      if (upgrade && rejection === undefined) this.upgradeCapture = true;
      try {
        this.deliver(head, false);
      } catch {
        this.callbackFailed();
      }
    } else {
      const q: QueuedRequest = { head, body: undefined, complete: false, error: undefined };
      this.queue.push(q);
      this.parsing = q;
      this.parsingDelivered = false;
      this.pauseReading();
    }
    // An upgrade is answered (403) and a refused request too, and the connection closed: tell
    // llhttp no body follows (a refused body, chunked or not, is never parsed nor forwarded).
    return rejection !== undefined || upgrade ? 2 : 0;
  };

  private readonly onBody = (chunk: Buffer): void => {
    if (this.parsingDelivered) {
      try {
        this.callbacks.onRequestBody(chunk);
      } catch {
        this.callbackFailed();
      }
    } else if (this.parsing !== undefined) (this.parsing.body ??= []).push(chunk);
  };

  private readonly onMessageComplete = (): void => {
    if (this.parsingDelivered) {
      this.parsingDelivered = false;
      this.deliveredComplete = true;
      try {
        this.callbacks.onRequestComplete();
      } catch {
        this.callbackFailed();
      }
    } else if (this.parsing !== undefined) {
      this.parsing.complete = true;
      this.parsing = undefined;
    }
  };

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

  private onParseError(code: string): void {
    // Nothing more is parsed on this connection.
    this.parseFailed = true;
    this.pauseReading();
    if (this.parsingDelivered && !this.deliveredComplete) {
      this.parsingDelivered = false;
      this.callbacks.onCodecError(code, true);
    } else if (this.streamActive || this.queue.length > 0) {
      // Behind requests still being answered: reported in order.
      const q = this.parsing;
      if (q !== undefined && !q.complete) q.error = code;
      else this.queue.push({ head: undefined, body: undefined, complete: true, error: code });
    } else {
      this.callbacks.onCodecError(code, false);
    }
  }

  private pauseReading(): void {
    if (!this.readPaused) {
      this.readPaused = true;
      if (this.handle !== undefined) this.handle.readStop();
      else this.socket.pause();
    }
  }

  private resumeReading(): void {
    if (this.handle !== undefined) this.handle.readStart();
    else this.socket.resume();
  }

  /** Stops (true) or resumes (false) reading the request (Envoy's readDisable). */
  readDisable(disable: boolean): void {
    if (disable) this.pauseReading();
    else if (this.readPaused && this.queue.length === 0 && !this.closing && !this.parseFailed) {
      this.readPaused = false;
      this.resumeReading();
    }
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
    const framing = this.framing;
    const head = encodeResponseHead(status, headers, endStream, this, framing);
    if (head === null) return false;
    if (endStream) {
      this.socket.write(head, 'latin1');
      this.responseComplete();
      return true;
    }
    // Held until the body's first chunk (the same tick, usually) or the next tick: a small
    // response then leaves in one write of one string.
    this.pendingHead = head;
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      heldHeads.push(this);
      if (!heldFlushScheduled) {
        heldFlushScheduled = true;
        process.nextTick(flushHeldHeads);
      }
    }
    return true;
  }

  /** The interim `100 Continue` for a request that expects it (before its final response). */
  encode100Continue(): void {
    if (!this.socket.destroyed && this.pendingHead === undefined) this.socket.write(CONTINUE, 'latin1');
  }

  /** Writes a body chunk; returns false when the socket buffer is over its high watermark. */
  encodeData(chunk: Buffer, endStream: boolean): boolean {
    const head = this.pendingHead;
    this.pendingHead = undefined;
    const ok = writeBody(this.socket, head, chunk, endStream, this.framing);
    if (endStream) this.responseComplete();
    return ok;
  }

  /** Writes a head still held by encodeHeaders (no body came in the same tick). */
  flushHead(): void {
    this.flushScheduled = false;
    const head = this.pendingHead;
    if (head === undefined) return;
    this.pendingHead = undefined;
    if (!this.socket.destroyed) this.socket.write(head, 'latin1');
  }

  /** The response is on the wire: close, or go on with the next queued request. */
  private responseComplete(): void {
    this.streamActive = false;
    if (this.framing.close || this.draining || (!this.deliveredComplete && this.deliveredHasBody)) {
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
    if (this.readPaused && !this.closing && !this.parseFailed) {
      this.readPaused = false;
      this.resumeReading();
    }
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
        if (q === this.parsing) this.parsing = undefined;
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
    if (this.streamActive || this.closing) return;
    if (this.readPaused && !this.parseFailed) {
      this.readPaused = false;
      this.resumeReading();
    }
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
    this.pendingHead = undefined;
    if (this.socket.destroyed) return;
    const head = encodeResponseHead(status, headers, body.length === 0, CODEC_ERROR_REPLY, this.framing);
    if (head === null) this.socket.destroy();
    else this.socket.end(head + body, 'latin1');
  }

  /**
   * Closes the connection: at once (`abort`, or a reset), else after the written data is
   * flushed. Nothing more is parsed.
   */
  close(abort: boolean): void {
    this.closing = true;
    this.queue.length = 0;
    if (!abort) this.flushHead();
    const s = this.socket;
    if (s.destroyed) return;
    if (abort) s.destroy();
    else s.end();
  }

  /** Frees the native parser (the socket closed). */
  destroy(): void {
    this.closing = true;
    this.queue.length = 0;
    if (this.handle !== undefined) {
      this.handle = undefined;
      try {
        this.parser.unconsume();
      } catch {
        // The stream is gone already.
      }
    }
    this.parser.close();
  }
}
