/**
 * Access log formats turned around: a format string (Envoy's SubstitutionFormatString
 * `text_format`, `%COMMAND(ARG):LENGTH%` operators, `%%` a literal percent) compiled ONCE into a
 * parser that reads one log line back into the request fields the format carries. The writer
 * side is src/runtime/access_log (and core/formatter.ts for header values); the grammar is the
 * same: `%` NAME of [A-Z0-9_], an optional `(ARG)` without `)`, an optional `:N`, `%`.
 *
 * Splitting a line: the literal text between two operators ends the first one's value. A header
 * value may contain that literal (a User-Agent with `" "` in it), so the operators whose values
 * are free text (request headers other than pseudo-headers, details strings) are located last:
 * the fields before the first free-text operator are read from the left, the fields after the
 * last one from the right, and the free-text ones get what is in between. Text Envoy printed as
 * `-` (an unset value) reads back as absent. Two operators with no literal between them are
 * split only before a path (`%REQ(:AUTHORITY)%%REQ(:PATH)%`: at the first `/`); otherwise the
 * first takes nothing. Pure.
 */

/** Envoy's default access log format (REFERENCE.md); the runtime writes the same string. */
export const ENVOY_DEFAULT_FORMAT =
  '[%START_TIME%] "%REQ(:METHOD)% %REQ(X-ENVOY-ORIGINAL-PATH?:PATH)% %PROTOCOL%" ' +
  '%RESPONSE_CODE% %RESPONSE_FLAGS% %BYTES_RECEIVED% %BYTES_SENT% %DURATION% ' +
  '%RESP(X-ENVOY-UPSTREAM-SERVICE-TIME)% "%REQ(X-FORWARDED-FOR)%" "%REQ(USER-AGENT)%" ' +
  '"%REQ(X-REQUEST-ID)%" "%REQ(:AUTHORITY)%" "%UPSTREAM_HOST%"\n';

/** Istio's default proxy access log format (meshConfig accessLogFormat unset, TEXT encoding). */
export const ISTIO_DEFAULT_FORMAT =
  '[%START_TIME%] "%REQ(:METHOD)% %REQ(X-ENVOY-ORIGINAL-PATH?:PATH)% %PROTOCOL%" ' +
  '%RESPONSE_CODE% %RESPONSE_FLAGS% %RESPONSE_CODE_DETAILS% %CONNECTION_TERMINATION_DETAILS% ' +
  '"%UPSTREAM_TRANSPORT_FAILURE_REASON%" %BYTES_RECEIVED% %BYTES_SENT% %DURATION% ' +
  '%RESP(X-ENVOY-UPSTREAM-SERVICE-TIME)% "%REQ(X-FORWARDED-FOR)%" "%REQ(USER-AGENT)%" ' +
  '"%REQ(X-REQUEST-ID)%" "%REQ(:AUTHORITY)%" "%UPSTREAM_HOST%" %UPSTREAM_CLUSTER_RAW% ' +
  '%UPSTREAM_LOCAL_ADDRESS% %DOWNSTREAM_LOCAL_ADDRESS% %DOWNSTREAM_REMOTE_ADDRESS% ' +
  '%REQUESTED_SERVER_NAME% %ROUTE_NAME%\n';

/** Named formats `--format` accepts besides a format string. */
export const FORMAT_PRESETS: Readonly<Record<string, string>> = { envoy: ENVOY_DEFAULT_FORMAT, istio: ISTIO_DEFAULT_FORMAT };

/**
 * What a log line says about its request, as far as the format carries it. Absent fields were
 * not in the format or were logged as `-`.
 */
export interface LogRecord {
  method?: string;
  /** The path as the client sent it (X-ENVOY-ORIGINAL-PATH when the route rewrote it), query included. */
  path?: string;
  authority?: string;
  scheme?: string;
  /** `HTTP/1.1`, `HTTP/2`... */
  protocol?: string;
  /** Request headers the format carries, `[lowercase name, value]` in format order, pseudo-headers excluded. */
  headers: [string, string][];
  /** What Envoy answered when the line was written. */
  status?: number;
  responseFlags?: string;
  responseCodeDetails?: string;
  routeName?: string;
  upstreamCluster?: string;
  upstreamHost?: string;
  startTime?: string;
  /** Downstream peer address (without port), for filter-chain matching. */
  remoteAddress?: string;
  /** The local port the request came in on: the listener. */
  localPort?: number;
  localAddress?: string;
  requestedServerName?: string;
}

/** A record with every field present (one hidden class for all records: they are made per line). */
export function emptyRecord(): LogRecord {
  return {
    method: undefined, path: undefined, authority: undefined, scheme: undefined, protocol: undefined, headers: [],
    status: undefined, responseFlags: undefined, responseCodeDetails: undefined, routeName: undefined,
    upstreamCluster: undefined, upstreamHost: undefined, startTime: undefined, remoteAddress: undefined,
    localPort: undefined, localAddress: undefined, requestedServerName: undefined,
  };
}

/** Assigns an operator's text value to a record. */
type Setter = (rec: LogRecord, value: string) => void;

export interface Field {
  /** `%REQ(USER-AGENT)%` as written, for messages. */
  readonly token: string;
  readonly set: Setter | undefined;
  /** A value that may contain the literal after it: located last (see the file comment). */
  readonly freeText: boolean;
  /** Set for the path: it starts with `/`, which splits it from an operator written right before it. */
  readonly startsWithSlash: boolean;
}

/** A compiled format: `lits.length === fields.length + 1`. */
export interface LogFormat {
  readonly source: string;
  readonly lits: readonly string[];
  readonly fields: readonly Field[];
  /** Request facts the format carries (`method`, `path`, `authority`, `header x-foo`...), for the report. */
  readonly carries: readonly string[];
  /** First and last free-text field (-1 when none). */
  readonly firstFree: number;
  readonly lastFree: number;
}

export type LogFormatCompileResult = { ok: true; format: LogFormat } | { ok: false; error: string };

const COMMAND = /^%([A-Z0-9_]+)(?:\(([^)]*)\))?(?::(\d+))?%/;

function splitHostPort(addr: string): { host: string; port?: number } {
  // [v6]:port, v4:port, or a bare address.
  const m = /^\[([^\]]*)\](?::(\d+))?$/.exec(addr) ?? /^([^:]*)(?::(\d+))?$/.exec(addr);
  if (!m) return { host: addr };
  return m[2] !== undefined ? { host: m[1]!, port: Number(m[2]) } : { host: m[1]! };
}

/** The setter for a request header operator `%REQ(A?B)%`. */
function requestHeaderSetter(arg: string): { set: Setter; freeText: boolean; carries: string } {
  const [first, alt] = arg.split('?').map((s) => s.trim().toLowerCase()) as [string, string | undefined];
  // X-ENVOY-ORIGINAL-PATH?:PATH is the path the client sent, before any rewrite.
  if (first === 'x-envoy-original-path' || first === ':path' || (first !== undefined && alt === ':path')) {
    return { set: (r, v) => (r.path = v), freeText: false, carries: 'path' };
  }
  switch (first) {
    case ':method':
      return { set: (r, v) => (r.method = v), freeText: false, carries: 'method' };
    case ':authority':
    case 'host':
      return { set: (r, v) => (r.authority = v), freeText: false, carries: 'authority' };
    case ':scheme':
      return { set: (r, v) => (r.scheme = v), freeText: false, carries: 'scheme' };
  }
  const name = first ?? '';
  return { set: (r, v) => void r.headers.push([name, v]), freeText: true, carries: `header ${name}` };
}

/** What an operator feeds into the record (undefined: the value is read and ignored). */
function fieldFor(name: string, arg: string | undefined): { set?: Setter; freeText: boolean; carries?: string } {
  switch (name) {
    case 'REQ':
    case 'REQUEST_HEADER':
    case 'REQ_WITHOUT_QUERY':
      return arg ? requestHeaderSetter(arg) : { freeText: true };
    case 'METHOD':
      return { set: (r, v) => (r.method = v), freeText: false, carries: 'method' };
    case 'PATH':
      return { set: (r, v) => (r.path = v), freeText: false, carries: 'path' };
    case 'PROTOCOL':
      return { set: (r, v) => (r.protocol = v), freeText: false };
    case 'RESPONSE_CODE':
      return { set: (r, v) => { const n = Number(v); if (Number.isInteger(n)) r.status = n; }, freeText: false };
    case 'RESPONSE_FLAGS':
      return { set: (r, v) => (r.responseFlags = v), freeText: false };
    case 'RESPONSE_CODE_DETAILS':
    case 'CONNECTION_TERMINATION_DETAILS':
      return name === 'RESPONSE_CODE_DETAILS' ? { set: (r, v) => (r.responseCodeDetails = v), freeText: true } : { freeText: true };
    case 'ROUTE_NAME':
      return { set: (r, v) => (r.routeName = v), freeText: false };
    case 'UPSTREAM_CLUSTER':
    case 'UPSTREAM_CLUSTER_RAW':
      return { set: (r, v) => (r.upstreamCluster = v), freeText: false };
    case 'UPSTREAM_HOST':
      return { set: (r, v) => (r.upstreamHost = v), freeText: false };
    case 'START_TIME':
      return { set: (r, v) => (r.startTime = v), freeText: false };
    case 'DOWNSTREAM_REMOTE_ADDRESS':
    case 'DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT':
    case 'DOWNSTREAM_DIRECT_REMOTE_ADDRESS':
    case 'DOWNSTREAM_DIRECT_REMOTE_ADDRESS_WITHOUT_PORT':
      return { set: (r, v) => (r.remoteAddress = splitHostPort(v).host), freeText: false, carries: 'source address' };
    case 'DOWNSTREAM_LOCAL_ADDRESS':
    case 'DOWNSTREAM_LOCAL_ADDRESS_WITHOUT_PORT':
      return {
        set: (r, v) => {
          const hp = splitHostPort(v);
          r.localAddress = hp.host;
          if (hp.port !== undefined) r.localPort = hp.port;
        },
        freeText: false,
        carries: 'listener address',
      };
    case 'DOWNSTREAM_LOCAL_PORT':
      return { set: (r, v) => { const n = Number(v); if (Number.isInteger(n)) r.localPort = n; }, freeText: false, carries: 'listener port' };
    case 'REQUESTED_SERVER_NAME':
      return { set: (r, v) => (r.requestedServerName = v), freeText: false, carries: 'SNI' };
    case 'RESP':
    case 'RESPONSE_HEADER':
    case 'TRAILER':
    case 'RESPONSE_TRAILER':
    case 'UPSTREAM_TRANSPORT_FAILURE_REASON':
    case 'DYNAMIC_METADATA':
    case 'FILTER_STATE':
    case 'CEL':
    case 'METADATA':
      return { freeText: true };
    default:
      return { freeText: false };
  }
}

/**
 * Compiles a format string (a preset name `envoy` / `istio`, or `%...%` text) into a parser.
 * A trailing newline in the format is the line end, not part of the line.
 */
export function compileLogFormat(source: string): LogFormatCompileResult {
  const fmt = FORMAT_PRESETS[source] ?? source;
  const r = compileTemplate(fmt.endsWith('\n') ? fmt.slice(0, -1) : fmt);
  if (!r.ok) return r;
  if (r.format.fields.length === 0) return { ok: false, error: 'format: it has no %COMMAND% operator, so a log line says nothing about its request' };
  if (!r.format.carries.includes('path')) return { ok: false, error: 'format: it does not log the path (%REQ(:PATH)% or %REQ(X-ENVOY-ORIGINAL-PATH?:PATH)%), so requests cannot be replayed' };
  return r;
}

/** Compiles one template (a text format, or one string value of a json_format), with no checks. */
export function compileTemplate(text: string): LogFormatCompileResult {
  const lits: string[] = [];
  const fields: Field[] = [];
  const carries = new Set<string>();
  let lit = '';
  for (let pos = 0; pos < text.length; pos++) {
    const c = text[pos]!;
    if (c !== '%') {
      lit += c;
      continue;
    }
    if (text[pos + 1] === '%') {
      lit += '%';
      pos++;
      continue;
    }
    const m = COMMAND.exec(text.slice(pos));
    if (!m) return { ok: false, error: `format: no valid %COMMAND% at position ${pos + 1} of ${JSON.stringify(text)}` };
    const [whole, name, arg] = m;
    const f = fieldFor(name!, arg);
    if (f.carries !== undefined) carries.add(f.carries);
    lits.push(lit);
    fields.push({ token: whole, set: f.set, freeText: f.freeText, startsWithSlash: f.carries === 'path' });
    lit = '';
    pos += whole.length - 1;
  }
  lits.push(lit);
  const firstFree = fields.findIndex((f) => f.freeText);
  const lastFree = fields.length - 1 - [...fields].reverse().findIndex((f) => f.freeText);
  return { ok: true, format: { source: text, lits, fields, carries: [...carries], firstFree, lastFree: firstFree < 0 ? -1 : lastFree } };
}

/** Applies one extracted value (`-` is Envoy's unset marker). */
export function assign(rec: LogRecord, f: Field, value: string): void {
  if (f.set !== undefined && value !== '-') f.set(rec, value);
}

/** Where a field followed directly by `next` (no literal between) ends. */
function emptyLiteralEnd(line: string, pos: number, next: Field): number {
  if (!next.startsWithSlash) return pos;
  const slash = line.indexOf('/', pos);
  return slash < 0 ? pos : slash;
}

/**
 * Reads one line (without its newline) with a compiled format. Returns undefined when the line
 * does not have the format's shape (a literal is missing).
 */
export function parseLogLine(format: LogFormat, line: string, into?: LogRecord): LogRecord | undefined {
  const { lits, fields, firstFree, lastFree } = format;
  const n = fields.length;
  const head = lits[0]!;
  const tail = lits[n]!;
  if (line.length < head.length + tail.length || !line.startsWith(head) || !line.endsWith(tail)) return undefined;
  const rec: LogRecord = into ?? emptyRecord();
  let pos = head.length;
  let end = line.length - tail.length;
  // Without free-text fields the whole line is read from the left.
  const a = lastFree < 0 ? n - 1 : firstFree;
  const b = lastFree < 0 ? n - 1 : lastFree;
  // Fields before the first free-text one, from the left.
  for (let i = 0; i < a; i++) {
    const lit = lits[i + 1]!;
    const e = lit === '' ? emptyLiteralEnd(line, pos, fields[i + 1]!) : line.indexOf(lit, pos);
    if (e < 0 || e > end) return undefined;
    assign(rec, fields[i]!, line.slice(pos, e));
    pos = e + lit.length;
  }
  // Fields after the last free-text one, from the right.
  for (let i = n - 1; i > b; i--) {
    const lit = lits[i]!;
    const s = lit === '' ? end : line.lastIndexOf(lit, end - lit.length);
    if (s < pos) return undefined;
    assign(rec, fields[i]!, line.slice(s + lit.length, end));
    end = s;
  }
  // The free-text stretch, from the left; its last field takes what is left.
  for (let i = a; i < b; i++) {
    const lit = lits[i + 1]!;
    const e = lit === '' ? emptyLiteralEnd(line, pos, fields[i + 1]!) : line.indexOf(lit, pos);
    if (e < 0 || e + lit.length > end) return undefined;
    assign(rec, fields[i]!, line.slice(pos, e));
    pos = e + lit.length;
  }
  if (end < pos) return undefined;
  assign(rec, fields[b]!, line.slice(pos, end));
  return rec;
}
