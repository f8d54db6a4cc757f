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
 * Not re-entrant: callbacks must not call back into the parser (they may write responses).
 */
import { createRequire } from 'node:module';
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { statusText } from './local_reply.js';
import type { HeaderObject } from './headers.js';
import { isHeaderValue, isToken, lowerHeaderName } from '../header_chars.js';

/** The native llhttp parser binding (node's internal `HTTPParser`), as far as we use it. */
interface NativeParser {
  initialize(type: number, resource: object, maxHeaderSize: number, lenient: number): void;
  execute(data: Buffer): number | (Error & { code?: string; bytesParsed?: number });
  finish(): undefined | (Error & { code?: string });
  close(): void;
  /** Reads straight from a libuv stream (node:http's server does this). */
  consume(handle: NativeStreamHandle): void;
  unconsume(): void;
  [callback: number]: unknown;
}
interface NativeParserModule {
  HTTPParser: {
    new (): NativeParser;
    REQUEST: number;
    kOnMessageBegin: number;
    kOnHeaders: number;
    kOnHeadersComplete: number;
    kOnBody: number;
    kOnMessageComplete: number;
    kOnExecute: number;
  };
  methods: readonly string[];
}

/** The socket's libuv stream handle (`socket._handle`), as far as we use it. */
interface NativeStreamHandle {
  readonly isStreamBase?: boolean;
  _consumed?: boolean;
  readStart(): number;
  readStop(): number;
}

const { HTTPParser, methods } = createRequire(import.meta.url)('_http_common') as NativeParserModule;
const kOnMessageBegin = HTTPParser.kOnMessageBegin | 0;
const kOnHeaders = HTTPParser.kOnHeaders | 0;
const kOnHeadersComplete = HTTPParser.kOnHeadersComplete | 0;
const kOnBody = HTTPParser.kOnBody | 0;
const kOnMessageComplete = HTTPParser.kOnMessageComplete | 0;
const kOnExecute = HTTPParser.kOnExecute | 0;

/** One parsed request head. */
export interface RequestHead {
  readonly method: string;
  /**
   * The request target: as received in origin form (`/path?query`); an absolute-form target
   * (`http://host/path`) is reduced to its path here and its authority set in `absoluteAuthority`.
   */
  readonly url: string;
  /** The authority of an absolute-form target, which replaces Host (RFC 9112 section 3.2.2). */
  readonly absoluteAuthority: string | undefined;
  readonly versionMajor: number;
  readonly versionMinor: number;
  /** Lowercase names; repeated headers joined with "," (`cookie` with "; "). */
  readonly headers: Record<string, string>;
  /** Header lines received (for max_headers_count). */
  readonly headerCount: number;
  /** More than one Host header (RFC 9112 section 3.2: answered with 400). */
  readonly duplicateHost: boolean;
  /** An Upgrade or CONNECT request. */
  readonly upgrade: boolean;
  /** llhttp's keep-alive verdict (false for `connection: close`, HTTP/1.0 without keep-alive). */
  readonly keepAlive: boolean;
  /** A body follows (content-length > 0 or transfer-encoding). */
  readonly hasBody: boolean;
}

/** What the connection manager implements. */
export interface ServerCodecCallbacks {
  onRequestHeaders(head: RequestHead): void;
  onRequestBody(chunk: Buffer): void;
  onRequestComplete(): void;
  /**
   * A request that does not parse (llhttp error code, `HPE_*`), or `ERR_HTTP_REQUEST_TIMEOUT`
   * when request_headers_timeout expired. `inRequest`: the delivered request is incomplete.
   */
  onCodecError(code: string, inRequest: boolean): void;
}

/** Codec limits (Envoy's HCM settings). */
export interface ServerCodecOptions {
  /** max_request_headers_kb * 1024. */
  readonly maxHeaderSize: number;
  /** request_headers_timeout in ms (0: off): the sweep calls checkHeadersTimeout. */
  readonly requestHeadersTimeoutMs: number;
}

/** A request parsed while an earlier response was still in progress. */
interface QueuedRequest {
  head: RequestHead | undefined;
  body: Buffer[] | undefined;
  complete: boolean;
  /** A parse error in place of (or inside) this request. */
  error: string | undefined;
}

/** An absolute-form request target: scheme, a non-empty authority, the rest. */
const ABSOLUTE_URL = /^https?:\/\/([^/?#]+)(.*)$/i;

/** `HTTP/1.1 <code> <reason>\r\n` for the codes a proxy sees most. */
const statusLines: string[] = [];
function statusLine(status: number): string {
  let l = statusLines[status];
  if (l === undefined) {
    l = `HTTP/1.1 ${status} ${statusText(status)}\r\n`;
    if (status >= 100 && status < 1000) statusLines[status] = l;
  }
  return l;
}

/** The `date` header line, rebuilt at most once a second. */
let dateSecond = -1;
let dateLine = '';
function currentDateLine(): string {
  const now = Date.now();
  const sec = Math.floor(now / 1000);
  if (sec !== dateSecond) {
    dateSecond = sec;
    dateLine = `date: ${new Date(sec * 1000).toUTCString()}\r\n`;
  }
  return dateLine;
}

const CRLF = '\r\n';
const LAST_CHUNK = '0\r\n\r\n';

function dispatchLater(codec: Http1ServerCodec): void {
  codec.dispatchQueued();
}

function flushHeadLater(codec: Http1ServerCodec): void {
  codec.flushHead();
}

/** Largest body chunk sent as a latin1 string together with the head and framing. */
const SINGLE_WRITE_MAX = 8192;

/** Buffer's own latin1 decoder, without toString()'s encoding lookup (public on Buffer.prototype). */
function latin1(b: Buffer): string {
  return (b as Buffer & { latin1Slice(start: number, end: number): string }).latin1Slice(0, b.length);
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
  /** The client half-closed: finish what is queued, then close. */
  private remoteEnded = false;
  private closing = false;
  /** llhttp reported an error: nothing more is parsed. */
  private parseFailed = false;
  /** Monotonic ms when the current request head started (request_headers_timeout), else 0. */
  headersStartedAt = 0;

  // The response in progress.
  private chunked = false;
  private noBody = false;
  private closeAfterResponse = false;
  /** A response head not written yet (see encodeHeaders). */
  private pendingHead: string | undefined;
  private flushScheduled = false;
  private isHeadRequest = false;
  private http10 = false;
  private keepAlive = true;

  constructor(
    readonly socket: Socket,
    private readonly callbacks: ServerCodecCallbacks,
    options: ServerCodecOptions,
  ) {
    const p = new HTTPParser();
    p.initialize(HTTPParser.REQUEST, {}, options.maxHeaderSize, 0);
    p[kOnHeaders] = this.onHeaders;
    p[kOnHeadersComplete] = this.onHeadersComplete;
    p[kOnBody] = this.onBody;
    p[kOnMessageComplete] = this.onMessageComplete;
    if (options.requestHeadersTimeoutMs > 0) p[kOnMessageBegin] = this.onMessageBegin;
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
  private readonly onExecute = (ret: number | (Error & { code?: string })): void => {
    if (typeof ret !== 'number' && !this.closing && !this.parseFailed) this.onParseError(ret.code ?? 'HPE_UNKNOWN');
  };

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
    if (typeof r !== 'number') this.onParseError(r.code ?? 'HPE_UNKNOWN');
  }

  /** The client half-closed its side. */
  onEnd(): void {
    if (this.closing || this.parseFailed) return;
    const r = this.parser.finish();
    if (r !== undefined && this.parsingDelivered) {
      // The client went away mid-request: a disconnect, not a protocol error.
      this.close(true);
      return;
    }
    this.remoteEnded = true;
    if (!this.streamActive && this.queue.length === 0) this.close(false);
  }

  private readonly onMessageBegin = (): void => {
    this.headersStartedAt = performance.now();
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
    this.headersStartedAt = 0;
    let raw = rawHeaders;
    if (raw === undefined) {
      raw = this.partialHeaders ?? [];
      url = this.partialUrl + (url ?? '');
    }
    this.partialHeaders = undefined;
    this.partialUrl = '';
    const headers: Record<string, string> = {};
    let duplicateHost = false;
    for (let i = 0; i < raw.length; i += 2) {
      const name = lowerHeaderName(raw[i]!);
      const value = raw[i + 1]!;
      const prev = headers[name];
      // typeof, not undefined: `constructor`, `toString`... are inherited from Object.prototype.
      if (typeof prev !== 'string') headers[name] = value;
      else if (name === 'host') duplicateHost = true;
      else headers[name] = prev + (name === 'cookie' ? '; ' : ',') + value;
    }
    const cl = headers['content-length'];
    let target = url ?? '/';
    let absoluteAuthority: string | undefined;
    if (target.charCodeAt(0) !== 47 /* / */ && target !== '*') {
      // Absolute form, as Envoy's HTTP/1 codec accepts it (allow_absolute_url, default true).
      const m = ABSOLUTE_URL.exec(target);
      if (m !== null) {
        absoluteAuthority = m[1]!;
        headers['host'] = absoluteAuthority;
        const rest = m[2]!;
        target = rest === '' ? '/' : rest.charCodeAt(0) === 47 ? rest : '/' + rest;
      }
    }
    const head: RequestHead = {
      method: methods[method] ?? 'GET',
      url: target,
      absoluteAuthority,
      versionMajor,
      versionMinor,
      headers,
      headerCount: raw.length >> 1,
      duplicateHost,
      upgrade,
      keepAlive: shouldKeepAlive,
      hasBody: headers['transfer-encoding'] !== undefined || (cl !== undefined && cl !== '0'),
    };
    if (!this.streamActive && this.queue.length === 0) {
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
    // An upgrade is answered (403) and the connection closed: tell llhttp no body follows.
    return upgrade ? 2 : 0;
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
    this.keepAlive = head.keepAlive && !this.remoteEnded;
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

  /** request_headers_timeout: true when a request head has been pending longer than `ms`. */
  headersTimedOut(now: number, ms: number): boolean {
    return this.headersStartedAt > 0 && !this.closing && !this.parseFailed && now - this.headersStartedAt >= ms;
  }

  /** Reports request_headers_timeout as a codec error (the sweep calls it). */
  onHeadersTimeout(): void {
    this.headersStartedAt = 0;
    this.closing = true;
    this.callbacks.onCodecError('ERR_HTTP_REQUEST_TIMEOUT', false);
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
    let head = statusLine(status);
    let hasLength = false;
    let hasDate = false;
    let close = !this.keepAlive || this.closing;
    for (const name in headers) {
      const v = headers[name];
      if (v === undefined) continue;
      switch (name) {
        case 'connection':
          if (v === 'close') close = true;
          continue;
        case 'transfer-encoding':
        case 'keep-alive':
        case 'proxy-connection':
        case 'upgrade':
          continue;
        case 'content-length':
          hasLength = true;
          break;
        case 'date':
          hasDate = true;
          break;
      }
      if (typeof v === 'string') {
        if (!isHeaderValue(v) || !isToken(name)) return false;
        head += name + ': ' + v + CRLF;
      } else if (typeof v === 'number') {
        head += name + ': ' + v + CRLF;
      } else {
        if (!isToken(name)) return false;
        for (let i = 0; i < v.length; i++) {
          const item = v[i]!;
          if (!isHeaderValue(item)) return false;
          head += name + ': ' + item + CRLF;
        }
      }
    }
    if (!hasDate) head += currentDateLine();
    const noBody = this.isHeadRequest || status === 204 || status === 304 || (status >= 100 && status < 200);
    this.noBody = noBody;
    this.chunked = false;
    if (!hasLength && !noBody) {
      if (endStream) head += 'content-length: 0\r\n';
      else if (this.http10) close = true;
      else {
        this.chunked = true;
        head += 'transfer-encoding: chunked\r\n';
      }
    }
    if (close) head += 'connection: close\r\n';
    else if (this.http10) head += 'connection: keep-alive\r\n';
    this.closeAfterResponse = close;
    head += CRLF;
    const socket = this.socket;
    if (endStream) {
      socket.write(head, 'latin1');
      this.responseComplete();
      return true;
    }
    // Held until the body's first chunk (the same tick, usually) or the next tick: a small
    // response then leaves in one write of one string.
    this.pendingHead = head;
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      process.nextTick(flushHeadLater, this);
    }
    return true;
  }

  /** Writes a body chunk; returns false when the socket buffer is over its high watermark. */
  encodeData(chunk: Buffer, endStream: boolean): boolean {
    const socket = this.socket;
    const head = this.pendingHead;
    this.pendingHead = undefined;
    const len = chunk.length;
    const chunked = this.chunked;
    let ok = true;
    if (this.noBody || len === 0) {
      const out = endStream && chunked && !this.noBody ? (head ?? '') + LAST_CHUNK : head;
      if (out !== undefined) ok = socket.write(out, 'latin1');
    } else if (len <= SINGLE_WRITE_MAX) {
      // Bytes as a latin1 string are preserved exactly; head, framing and body in one write.
      let out = head ?? '';
      if (chunked) out += len.toString(16) + CRLF + latin1(chunk) + (endStream ? CRLF + LAST_CHUNK : CRLF);
      else out += latin1(chunk);
      ok = socket.write(out, 'latin1');
    } else {
      // A large chunk is not copied: head and framing go with it in one writev.
      socket.cork();
      if (head !== undefined) socket.write(head, 'latin1');
      if (chunked) {
        socket.write(len.toString(16) + CRLF, 'latin1');
        socket.write(chunk);
        ok = socket.write(endStream ? CRLF + LAST_CHUNK : CRLF, 'latin1');
      } else ok = socket.write(chunk);
      socket.uncork();
    }
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
    if (this.closeAfterResponse || (!this.deliveredComplete && this.deliveredHasBody)) {
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
    if (this.remoteEnded) this.close(false);
    else if (this.readPaused && !this.closing && !this.parseFailed) {
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
    if (this.remoteEnded) this.close(false);
    else if (this.readPaused && !this.parseFailed) {
      this.readPaused = false;
      this.resumeReading();
    }
  }

  /** Writes a raw response (a codec error reply) and closes the connection after it. */
  endWith(raw: string): void {
    this.closing = true;
    this.pendingHead = undefined;
    if (!this.socket.destroyed) this.socket.end(raw, 'latin1');
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
