/**
 * Node's own native llhttp parser, the `HTTPParser` binding node:http itself uses (exported by
 * Node's public `_http_common` module, present in Node 20 and later), typed as far as tsproxy's
 * HTTP/1 codecs use it. One parser per connection; callbacks are set by index (`kOn*`).
 */
import { createRequire } from 'node:module';

/** A parse failure as llhttp reports it: `code` is `HPE_*`, `reason` its text. */
export type NativeParseError = Error & { code?: string; reason?: string; bytesParsed?: number };

/** The socket's libuv stream handle (`socket._handle`), as far as the codecs use it. */
export interface NativeStreamHandle {
  readonly isStreamBase?: boolean;
  _consumed?: boolean;
  readStart(): number;
  readStop(): number;
}

/** One native parser. */
export interface NativeParser {
  initialize(type: number, resource: object, maxHeaderSize: number, lenient: number): void;
  /** Parses bytes; the number parsed, or the error. Callbacks run inside. */
  execute(data: Buffer): number | NativeParseError;
  /** End of input: completes a close-delimited message, or reports the message cut short. */
  finish(): undefined | NativeParseError;
  /** Frees the native parser. Never from inside one of its callbacks. */
  close(): void;
  /** Reads straight from a libuv stream (node:http's server does this); `kOnExecute` reports. */
  consume(handle: NativeStreamHandle): void;
  unconsume(): void;
  /** The buffer of the read being parsed (inside `kOnExecute`, for a consumed stream). */
  getCurrentBuffer(): Buffer | undefined;
  [callback: number]: unknown;
}

interface NativeParserModule {
  HTTPParser: {
    new (): NativeParser;
    REQUEST: number;
    RESPONSE: number;
    kOnMessageBegin: number;
    kOnHeaders: number;
    kOnHeadersComplete: number;
    kOnBody: number;
    kOnMessageComplete: number;
    kOnExecute: number;
  };
}

const binding = createRequire(import.meta.url)('_http_common') as NativeParserModule;

export const HTTPParser = binding.HTTPParser;

/**
 * Method names by llhttp's method number (its `llhttp_method` enum). Not `_http_common`'s own
 * `methods` list: that one is dense (it skips PRI and the RTSP methods), so indexing it with the
 * number llhttp reports names QUERY (46) wrongly. RTSP methods come only with an `RTSP/` version.
 */
export const methods: readonly string[] = [
  'DELETE', 'GET', 'HEAD', 'POST', 'PUT', 'CONNECT', 'OPTIONS', 'TRACE', 'COPY', 'LOCK', 'MKCOL', 'MOVE',
  'PROPFIND', 'PROPPATCH', 'SEARCH', 'UNLOCK', 'BIND', 'REBIND', 'UNBIND', 'ACL', 'REPORT', 'MKACTIVITY',
  'CHECKOUT', 'MERGE', 'M-SEARCH', 'NOTIFY', 'SUBSCRIBE', 'UNSUBSCRIBE', 'PATCH', 'PURGE', 'MKCALENDAR',
  'LINK', 'UNLINK', 'SOURCE', 'PRI', 'DESCRIBE', 'ANNOUNCE', 'SETUP', 'PLAY', 'PAUSE', 'TEARDOWN',
  'GET_PARAMETER', 'SET_PARAMETER', 'REDIRECT', 'RECORD', 'FLUSH', 'QUERY',
];
export const kOnMessageBegin = HTTPParser.kOnMessageBegin | 0;
export const kOnHeaders = HTTPParser.kOnHeaders | 0;
export const kOnHeadersComplete = HTTPParser.kOnHeadersComplete | 0;
export const kOnBody = HTTPParser.kOnBody | 0;
export const kOnMessageComplete = HTTPParser.kOnMessageComplete | 0;
export const kOnExecute = HTTPParser.kOnExecute | 0;

/** The async resource llhttp wants; node:http passes one per request, the codecs share one. */
export const PARSER_RESOURCE = {};

/** The events one native parser reports, set once by their kOn* index (newNativeParser). */
export interface NativeParserEvents {
  readonly onMessageBegin: () => unknown;
  readonly onHeaders: (headers: string[], url: string) => void;
  /** llhttp's head: its arguments as the codec that owns the parser reads them. */
  readonly onHeadersComplete: (...args: never[]) => unknown;
  readonly onBody: (chunk: Buffer) => void;
  readonly onMessageComplete: () => void;
}

/**
 * A native parser of `type` (HTTPParser.REQUEST or .RESPONSE) that refuses heads over
 * `maxHeaderSize` bytes and reports to `events`: the set-up both HTTP/1 codecs' parsers share.
 */
export function newNativeParser(type: number, maxHeaderSize: number, events: NativeParserEvents): NativeParser {
  const p = new HTTPParser();
  p.initialize(type, PARSER_RESOURCE, maxHeaderSize, 0);
  p[kOnMessageBegin] = events.onMessageBegin;
  p[kOnHeaders] = events.onHeaders;
  p[kOnHeadersComplete] = events.onHeadersComplete;
  p[kOnBody] = events.onBody;
  p[kOnMessageComplete] = events.onMessageComplete;
  return p;
}
