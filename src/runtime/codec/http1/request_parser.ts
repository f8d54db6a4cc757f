/**
 * The request parser of a downstream HTTP/1.1 connection (the decoding half of Envoy's
 * Http1::ServerConnectionImpl; server_codec.ts is the whole codec, client_parser.ts the upstream
 * side's response parser): Node's own native llhttp parser (the HTTPParser binding node:http
 * itself uses, from the public `_http_common` module), fed by the request reader
 * (request_reader.ts), whose reports it receives. One parser per connection, reused for every
 * request; its callbacks are bound once. It turns llhttp's events and results into the codec's:
 * - a request head: the header pairs llhttp flushed before the head completed (a head over
 *   several reads) joined with the rest; a method Envoy does not accept is a parse error
 *   (HPE_INVALID_METHOD, parser_rules.ts); else the RequestHead (request_head.ts: lowercase
 *   names, repeated headers joined with "," and `cookie` with "; ", and what Envoy's codec
 *   refuses in `rejection`), with `http1.dropped_headers_with_underscores` and
 *   `requests_rejected_with_underscores_in_headers` counted;
 * - body chunks and the end of each message, passed on;
 * - the result of each read: a parse error (llhttp's code, refined where Envoy tells cases
 *   apart: parser_rules.ts), a read that ended inside a request head (`headPending`), or, when
 *   the codec asked for it (an upgrade it delivered), the bytes after the head, for the tunnel;
 * - the client's FIN, passed on.
 * Once the codec parses nothing more into requests (after a refused request, an upgrade, a parse
 * error, or once it closes) a head that completes is not delivered, and llhttp is told that
 * nothing follows it. Not re-entrant: the codec's callbacks must not call back into the parser.
 */
import type { Socket } from 'node:net';
import { HTTPParser, newNativeParser, type NativeParseError, type NativeParser } from '../../llhttp.js';
import { ENVOY_METHODS, refineParseError } from './parser_rules.js';
import { buildRequestHead, CodecRejections, type RequestHead } from './request_head.js';
import { Http1RequestReader, type RequestReaderTarget } from './request_reader.js';
import type { ServerCodecOptions } from './server_codec_callbacks.js';

/** What the parser hands its codec (Http1ServerCodec), in llhttp's order. */
export interface RequestParserCallbacks {
  /** Whether a head that completes now still becomes a request. */
  parsesRequests(): boolean;
  /**
   * A complete request head. Returns true when no body follows it for llhttp to parse: the
   * request was refused or is an upgrade, and nothing after it becomes a request.
   */
  onHeadersComplete(head: RequestHead): boolean;
  onBody(chunk: Buffer): void;
  onMessageComplete(): void;
  /** A request that does not parse: `HPE_*` or one of CodecErrorCodes (parser_rules.ts). */
  onParseError(code: string): void;
  /** A read ended inside a request head. */
  onHeadPending(): void;
  /** The bytes the client sent after an upgrade's head (see keepRestForTunnel), already read. */
  onTunnelBytes(rest: Buffer): void;
  /** The client sent FIN. */
  onEnd(): void;
}

const EMPTY = Buffer.alloc(0);

function parseErrorCode(e: NativeParseError): string {
  return refineParseError(e.code ?? 'HPE_UNKNOWN', e.reason);
}

/** The request parser of one downstream connection (see the module contract). */
export class Http1RequestParser implements RequestReaderTarget {
  private readonly parser: NativeParser;
  /** Headers delivered by kOnHeaders before kOnHeadersComplete (a head over several reads). */
  private partialHeaders: string[] | undefined;
  private partialUrl = '';
  private pending = false;
  /** The bytes after the head just parsed go to the tunnel (keepRestForTunnel). */
  private tunnelCapture = false;

  constructor(
    private readonly callbacks: RequestParserCallbacks,
    private readonly options: ServerCodecOptions,
  ) {
    this.parser = newNativeParser(HTTPParser.REQUEST, options.maxHeaderSize, {
      onMessageBegin: this.onMessageBegin,
      onHeaders: this.onHeaders,
      onHeadersComplete: this.onHeadersComplete,
      onBody: this.onBody,
      onMessageComplete: this.onMessageComplete,
    });
  }

  /** The reader that feeds this parser from `socket` and reports to it (request_reader.ts). */
  readerFor(socket: Socket): Http1RequestReader {
    return new Http1RequestReader(socket, this.parser, this);
  }

  /** A request head began and is not complete yet. */
  get headPending(): boolean {
    return this.pending;
  }

  /**
   * The head being completed is an upgrade the codec delivered: what follows it in the same
   * read is the tunnel's (onTunnelBytes), not parsed.
   */
  keepRestForTunnel(): void {
    this.tunnelCapture = true;
  }

  /** After each read the native parser consumed: a number of bytes parsed, or the parse error. */
  readonly onExecute = (ret: number | NativeParseError): void => {
    const callbacks = this.callbacks;
    if (this.tunnelCapture && typeof ret === 'number') {
      this.tunnelCapture = false;
      const buf = this.parser.getCurrentBuffer();
      callbacks.onTunnelBytes(buf === undefined ? EMPTY : buf.subarray(ret));
      return;
    }
    if (typeof ret !== 'number') {
      if (callbacks.parsesRequests()) callbacks.onParseError(parseErrorCode(ret));
    } else if (this.pending) callbacks.onHeadPending();
  };

  /** Bytes from the socket (only when the parser does not consume the stream itself). */
  onData(chunk: Buffer): void {
    const callbacks = this.callbacks;
    if (!callbacks.parsesRequests()) return;
    const r = this.parser.execute(chunk);
    if (this.tunnelCapture && typeof r === 'number') {
      this.tunnelCapture = false;
      callbacks.onTunnelBytes(chunk.subarray(r));
      return;
    }
    if (typeof r !== 'number') callbacks.onParseError(parseErrorCode(r));
    else if (this.pending) callbacks.onHeadPending();
  }

  /** The client sent FIN. */
  onEnd(): void {
    this.callbacks.onEnd();
  }

  /** Frees the native parser (the socket closed). */
  close(): void {
    this.parser.close();
  }

  private readonly onMessageBegin = (): void => {
    this.pending = true;
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
    this.pending = false;
    let raw = rawHeaders;
    if (raw === undefined) {
      raw = this.partialHeaders ?? [];
      url = this.partialUrl + (url ?? '');
    }
    this.partialHeaders = undefined;
    this.partialUrl = '';
    // Bytes after a refused request, an upgrade or a parse error are never requests: 2 tells
    // llhttp that nothing follows this head.
    const callbacks = this.callbacks;
    if (!callbacks.parsesRequests()) return 2;
    const methodName = ENVOY_METHODS[method];
    if (methodName === undefined) {
      callbacks.onParseError('HPE_INVALID_METHOD');
      return 2;
    }
    const head = buildRequestHead(versionMajor, versionMinor, raw, methodName, url ?? '/', upgrade, shouldKeepAlive, this.options);
    const stats = this.options.stats;
    // Headers DROP_HEADER removed (they do not count in headerCount).
    const dropped = (raw.length >> 1) - head.headerCount;
    if (dropped > 0) stats.dropped_headers_with_underscores.inc(dropped);
    if (head.rejection === CodecRejections.UnexpectedUnderscore) stats.requests_rejected_with_underscores_in_headers.inc();
    // An upgrade is answered (403) and a refused request too, and the connection closed: tell
    // llhttp no body follows (a refused body, chunked or not, is never parsed nor forwarded).
    return callbacks.onHeadersComplete(head) ? 2 : 0;
  };

  private readonly onBody = (chunk: Buffer): void => {
    this.callbacks.onBody(chunk);
  };

  private readonly onMessageComplete = (): void => {
    this.callbacks.onMessageComplete();
  };
}
