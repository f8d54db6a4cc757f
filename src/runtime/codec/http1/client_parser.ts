/**
 * The response parser of an upstream HTTP/1.1 connection (the decoding half of Envoy's
 * Http1::ClientConnectionImpl; client_codec.ts is the whole codec):
 * Node's own native llhttp parser (the HTTPParser binding node:http uses, from the public
 * `_http_common` module) fed with the socket's bytes. Chosen by measurement
 * (bench/upstream-codec.mjs): the pool on it costs about 20 % less client CPU per request than
 * on undici's Client (llhttp in wasm), most of what is left being the socket syscalls.
 * One parser per connection, reused for every response; its callbacks are bound once.
 *
 * Contract:
 * - Responses go to `owner.stream`, the stream in flight when the bytes are parsed:
 *   `onResponseHead` (1xx interim responses are dropped, as Envoy does when proxying HTTP/1),
 *   `onResponseBody`*, `onResponseComplete` (with the trailers of a chunked body, if any).
 * - A response that begins while no request was written (no stream, or its head not sent yet)
 *   is not delivered: `unsolicited` is set and the owner closes the connection.
 * - `execute`/`finish` return a `ParseError` for llhttp errors (`HPE_*`, including
 *   `HPE_HEADER_OVERFLOW` beyond `maxHeaderSize`) and for a 101 upgrade the stream did not ask
 *   for. An exception thrown by a sink callback propagates out of `execute`/`finish`, and the
 *   parser is unusable afterwards.
 * - A 101 to a stream that asked for an upgrade (`sink.upgradeRequest`) is not delivered: parsing
 *   stops at the end of its head and `upgraded` holds the head and the bytes that followed it in
 *   the same read (the new protocol's first bytes); the owner hands the socket over.
 * - `close()` must not be called from inside a callback (the native stack must unwind first).
 */
import type { HeaderList } from '../types.js';
import { lowerHeaderName } from '../../header_chars.js';
import { HTTPParser, newNativeParser, type NativeParseError, type NativeParser } from '../../llhttp.js';

/** A parse failure: llhttp's error code (`HPE_*`) and reason text. */
export interface ParseError {
  readonly code: string;
  readonly reason: string;
}

/** The stream a response is delivered to (Http1ClientStream). */
export interface ResponseSink {
  /** The request head was written: a response may arrive. */
  readonly requestSent: boolean;
  /** The response has no body whatever its headers say (the request was HEAD). */
  readonly bodyless: boolean;
  /** The request asked for an upgrade: a 101 hands the connection over instead of failing. */
  readonly upgradeRequest: boolean;
  /**
   * The final response head. `contentLength` is the body length when a single valid
   * content-length frames it, else -1; `keepAlive` is llhttp's verdict (false for
   * `connection: close`, HTTP/1.0 without keep-alive, a close-delimited body).
   */
  onResponseHead(status: number, headers: HeaderList, contentLength: number, keepAlive: boolean): void;
  onResponseBody(chunk: Buffer): void;
  /** The response ended; `trailers` of a chunked body, or null. */
  onResponseComplete(trailers: HeaderList | null): void;
}

/** Where the parser finds the stream in flight (Http1ClientConnection). */
export interface CodecOwner {
  readonly stream: ResponseSink | null;
}

/** A 101 to an upgrade request: its head and the bytes after it (the new protocol's). */
export interface UpgradedResponse {
  readonly status: number;
  readonly headers: HeaderList;
  readonly rest: Buffer;
}

/** What `execute` reports for a 101 response to a request that did not ask for an upgrade. */
const UPGRADE_ERROR: ParseError = { code: 'HPE_UNEXPECTED_UPGRADE', reason: 'Unexpected upgrade' };

/** A header list from llhttp's flat [name, value, ...] array (names lowercased). */
function headerList(raw: readonly string[]): HeaderList {
  const n = raw.length >> 1;
  const list: HeaderList = new Array(n);
  for (let i = 0, j = 0; j < n; i += 2, j++) list[j] = [lowerHeaderName(raw[i]!), raw[i + 1]!];
  return list;
}

const DIGITS = /^\d{1,15}$/;

/** The end of a message head. */
const HEAD_END = Buffer.from('\r\n\r\n', 'latin1');

const CLOSE_TOKEN = /(?:^|,)[ \t]*close[ \t]*(?:,|$)/i;
const KEEP_ALIVE_TOKEN = /(?:^|,)[ \t]*keep-alive[ \t]*(?:,|$)/i;

/** Keep-alive verdict of a response without a body: HTTP/1.1 unless `close`, 1.0 if `keep-alive`. */
function keepAliveWithoutBody(major: number, minor: number, connection: string | undefined): boolean {
  if (major === 1 && minor >= 1) return connection === undefined || !CLOSE_TOKEN.test(connection);
  return connection !== undefined && KEEP_ALIVE_TOKEN.test(connection) && !CLOSE_TOKEN.test(connection);
}

function toParseError(e: NativeParseError): ParseError {
  return { code: e.code ?? 'HPE_UNKNOWN', reason: e.reason ?? e.message };
}

/** The response parser of one upstream connection (see the module contract). */
export class Http1ResponseParser {
  /** A response began with no request written: the connection must close. */
  unsolicited = false;
  /** Set when an upgrade request got its 101: parsing stopped, the socket is the caller's. */
  upgraded: UpgradedResponse | undefined;
  /** The 101 head of an upgrade request, between onHeadersComplete and the end of execute. */
  private upgradeHead: { status: number; headers: HeaderList } | undefined;
  private readonly parser: NativeParser;
  /** Header pairs llhttp flushed before headers-complete, or trailers after a chunked body. */
  private partial: string[] = [];
  /** The message being parsed is not delivered (1xx, unsolicited, upgrade). */
  private skip = false;
  /** A 101 (or llhttp's upgrade) was parsed: asked for (upgradeHead set) or not (an error). */
  private upgradeSeen = false;
  private closed = false;
  /** llhttp is between messages: the next bytes start a response head. */
  private atMessageStart = true;
  /** The piece being executed began at a message boundary and ends at the first CRLFCRLF after
   * it, i.e. exactly where the head that began in it ends. */
  private pieceEndsAtHead = false;
  /** Body bytes of a content-length framed response still to come: read here, not by llhttp. */
  private ownBody = 0;
  /** llhttp was told the head has no body (we read it): its message-complete is not the end. */
  private ownBodyHead = false;

  constructor(
    private readonly owner: CodecOwner,
    maxHeaderSize: number,
  ) {
    this.parser = newNativeParser(HTTPParser.RESPONSE, maxHeaderSize, {
      onMessageBegin: this.onMessageBegin,
      onHeaders: this.onHeaders,
      onHeadersComplete: this.onHeadersComplete,
      onBody: this.onBody,
      onMessageComplete: this.onMessageComplete,
    });
  }

  /**
   * Parses bytes from the socket; null when fine. May throw what a sink callback threw.
   *
   * llhttp copies every body chunk into a new Buffer (about a microsecond each), so the body of
   * a response framed by one content-length is read here instead, as views of the socket's
   * chunk: llhttp is fed up to the end of each head (a head that starts at a message boundary
   * ends at the first CRLFCRLF) and told the message has no body; the next `ownBody` bytes are
   * delivered from here. Chunked and close-delimited bodies still go through llhttp.
   */
  execute(chunk: Buffer): ParseError | null {
    const len = chunk.length;
    let off = 0;
    while (off < len && !this.closed) {
      if (this.ownBody > 0) {
        const take = Math.min(this.ownBody, len - off);
        const body = off === 0 && take === len ? chunk : chunk.subarray(off, off + take);
        off += take;
        this.ownBody -= take;
        const s = this.owner.stream;
        if (s !== null) s.onResponseBody(body);
        if (this.ownBody === 0) this.owner.stream?.onResponseComplete(null);
        continue;
      }
      let end = len;
      let headEnd = false;
      if (this.atMessageStart) {
        const e = chunk.indexOf(HEAD_END, off);
        if (e >= 0) {
          end = e + 4;
          headEnd = true;
        }
      }
      this.pieceEndsAtHead = headEnd;
      const r = this.parser.execute(off === 0 && end === len ? chunk : chunk.subarray(off, end));
      this.pieceEndsAtHead = false;
      if (typeof r !== 'number') return toParseError(r);
      if (this.upgradeSeen) {
        const head = this.upgradeHead;
        if (head === undefined) return UPGRADE_ERROR;
        // llhttp stopped at the end of the 101's head: what follows is the new protocol's.
        this.upgraded = { status: head.status, headers: head.headers, rest: chunk.subarray(off + r) };
        this.upgradeHead = undefined;
        return null;
      }
      off = end;
    }
    return null;
  }

  /**
   * The upstream closed its side: a close-delimited body completes here. An error means the
   * message in progress was incomplete (a connection termination, not a protocol error).
   */
  finish(): ParseError | null {
    const r = this.parser.finish();
    return r instanceof Error ? toParseError(r) : null;
  }

  /** Frees the native parser. Idempotent; never from inside a callback. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.parser.close();
  }

  // ---- llhttp callbacks (bound once per connection) ------------------------------------------

  private readonly onMessageBegin = (): number => {
    this.atMessageStart = false;
    const s = this.owner.stream;
    this.skip = false;
    if (s === null || !s.requestSent) {
      this.unsolicited = true;
      this.skip = true;
    }
    return 0;
  };

  private readonly onHeaders = (headers: string[], _url: string): void => {
    const partial = this.partial;
    for (let i = 0; i < headers.length; i++) partial.push(headers[i]!);
  };

  private readonly onHeadersComplete = (
    versionMajor: number,
    versionMinor: number,
    headers: string[] | undefined,
    _method: unknown,
    _url: unknown,
    statusCode: number,
    _statusMessage: unknown,
    upgrade: boolean,
    shouldKeepAlive: boolean,
  ): number => {
    let raw = headers;
    if (raw === undefined) {
      raw = this.partial;
      this.partial = [];
    }
    if (this.skip) return 1;
    const s = this.owner.stream;
    if (s === null) {
      this.unsolicited = true;
      this.skip = true;
      return 1;
    }
    if (upgrade || statusCode === 101) {
      this.skip = true;
      this.upgradeSeen = true;
      if (statusCode === 101 && s.upgradeRequest) this.upgradeHead = { status: statusCode, headers: headerList(raw) };
      return 1;
    }
    if (statusCode < 200) {
      // 100, 102, 103: interim, dropped; the final response follows on the same connection.
      this.skip = true;
      return 1;
    }
    let contentLength = -1;
    let lengths = 0;
    let chunked = false;
    let connection: string | undefined;
    const list = headerList(raw);
    for (let i = 0; i < list.length; i++) {
      const h = list[i]!;
      const name = h[0];
      if (name === 'content-length') {
        lengths++;
        contentLength = DIGITS.test(h[1]) ? Number(h[1]) : -1;
      } else if (name === 'transfer-encoding') {
        chunked = true;
      } else if (name === 'connection') {
        connection = connection === undefined ? h[1] : connection + ',' + h[1];
      }
    }
    if (chunked || lengths !== 1) contentLength = -1;
    const bodyless = s.bodyless;
    let keepAlive = shouldKeepAlive;
    if (!keepAlive && bodyless && !chunked && lengths === 0) {
      // llhttp judged the body close-delimited before it knew there is none (HEAD): only the
      // version and `connection` decide.
      keepAlive = keepAliveWithoutBody(versionMajor, versionMinor, connection);
    }
    // The head began at a message boundary of this piece and the piece ends at the first
    // CRLFCRLF after it: the piece ends exactly at this head, so the body is ours to read.
    const own = !bodyless && contentLength > 0 && this.pieceEndsAtHead && statusCode !== 204 && statusCode !== 304;
    s.onResponseHead(statusCode, list, contentLength, keepAlive);
    if (own) {
      this.ownBody = contentLength;
      this.ownBodyHead = true;
      return 1;
    }
    return bodyless ? 1 : 0;
  };

  private readonly onBody = (chunk: Buffer): void => {
    if (this.skip) return;
    this.owner.stream?.onResponseBody(chunk);
  };

  private readonly onMessageComplete = (): void => {
    this.atMessageStart = true;
    if (this.ownBodyHead) {
      // llhttp's view of a head we read the body of: the response ends with its last byte.
      this.ownBodyHead = false;
      return;
    }
    let trailers: HeaderList | null = null;
    if (this.partial.length > 0) {
      if (!this.skip) trailers = headerList(this.partial);
      this.partial = [];
    }
    if (this.skip) {
      this.skip = false;
      return;
    }
    this.owner.stream?.onResponseComplete(trailers);
  };
}
