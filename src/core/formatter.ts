/**
 * Header value formatter: the `%COMMAND%` substitutions Envoy allows in `request_headers_to_add`
 * and `response_headers_to_add` values (Envoy's substitution formatter as used by
 * Router::HeaderParser). Parsed once at config compile time; `format()` does no parsing.
 *
 * Pure: the start time, addresses and headers come in through FormatterContext (core has no
 * clock). Unknown commands are config errors, as in Envoy ("Not supported field in StreamInfo").
 */

/** Header values readable by %REQ(...)% / %RESP(...)%. */
export type FormatterHeaders = Readonly<Record<string, string | string[] | number | undefined>>;

/** What a formatter can read. Every field is optional; a missing one formats as "" (Envoy's `-` is for access logs only). */
export interface FormatterContext {
  requestHeaders?: FormatterHeaders;
  responseHeaders?: FormatterHeaders;
  /** Pseudo-headers, for %REQ(:AUTHORITY)% and friends. */
  authority?: string;
  path?: string;
  method?: string;
  scheme?: string;
  /** Downstream remote address without port, and its port. */
  remoteAddress?: string;
  remotePort?: number;
  /** Downstream directly connected peer (before XFF); defaults to remoteAddress. */
  directRemoteAddress?: string;
  directRemotePort?: number;
  localAddress?: string;
  localPort?: number;
  /** `HTTP/1.1`, `HTTP/2`... */
  protocol?: string;
  /** Epoch ms of the request start, for %START_TIME%. */
  startTime?: number;
  routeName?: string;
  virtualClusterName?: string;
  upstreamCluster?: string;
  /** `ip:port` of the upstream host. */
  upstreamHost?: string;
  upstreamLocalAddress?: string;
  hostname?: string;
  requestedServerName?: string;
  requestId?: string;
  /** Dynamic metadata (namespace -> struct) for %DYNAMIC_METADATA(ns:key)%. */
  dynamicMetadata?: Readonly<Record<string, unknown>>;
  /** Upstream host metadata (namespace -> struct) for %UPSTREAM_METADATA(["ns","key"])%. */
  upstreamMetadata?: Readonly<Record<string, unknown>>;
  /** Process environment for %ENVIRONMENT(X)%, passed in because core never reads the environment itself. */
  environment?: Readonly<Record<string, string | undefined>>;
  responseCode?: number;
}

type Part = string | ((ctx: FormatterContext) => string);

/** A compiled header value. */
export class HeaderFormatter {
  /** True when the value has no `%COMMAND%` (format returns the literal). */
  readonly isLiteral: boolean;
  constructor(
    readonly source: string,
    private readonly parts: readonly Part[],
  ) {
    this.isLiteral = parts.every((p) => typeof p === 'string');
    if (this.isLiteral) this.literal = parts.join('');
  }
  private readonly literal: string | undefined;

  format(ctx: FormatterContext): string {
    if (this.literal !== undefined) return this.literal;
    let out = '';
    for (const p of this.parts) out += typeof p === 'string' ? p : p(ctx);
    return out;
  }
}

/** Result of parsing a header value. */
export type FormatterParse =
  | {
      ok: true;
      formatter: HeaderFormatter;
      /** Valid Envoy commands that tsproxy does not evaluate (they format as ""). */
      unsupported: string[];
    }
  | { ok: false; error: string };

/**
 * Envoy substitution-formatter commands that are valid in header values but that the core
 * cannot evaluate (TLS peer details, byte counts, durations...): accepted, formatted as "",
 * reported as a warning so lint does not flag a valid Envoy config as broken.
 */
const KNOWN_UNEVALUATED = new Set([
  'RESPONSE_FLAGS', 'RESPONSE_FLAGS_LONG', 'RESPONSE_CODE_DETAILS', 'CONNECTION_TERMINATION_DETAILS',
  'BYTES_RECEIVED', 'BYTES_SENT', 'DURATION', 'REQUEST_DURATION', 'REQUEST_TX_DURATION', 'RESPONSE_DURATION',
  'RESPONSE_TX_DURATION', 'DOWNSTREAM_HANDSHAKE_DURATION', 'ROUNDTRIP_DURATION', 'UPSTREAM_TRANSPORT_FAILURE_REASON',
  'UPSTREAM_REQUEST_ATTEMPT_COUNT', 'UPSTREAM_LOCAL_ADDRESS_WITHOUT_PORT', 'UPSTREAM_LOCAL_PORT',
  'UPSTREAM_REMOTE_ADDRESS_WITHOUT_PORT', 'UPSTREAM_REMOTE_PORT', 'UPSTREAM_WIRE_BYTES_SENT', 'UPSTREAM_WIRE_BYTES_RECEIVED',
  'UPSTREAM_HEADER_BYTES_SENT', 'UPSTREAM_HEADER_BYTES_RECEIVED', 'DOWNSTREAM_WIRE_BYTES_SENT', 'DOWNSTREAM_WIRE_BYTES_RECEIVED',
  'DOWNSTREAM_HEADER_BYTES_SENT', 'DOWNSTREAM_HEADER_BYTES_RECEIVED', 'REQUEST_HEADERS_BYTES', 'RESPONSE_HEADERS_BYTES',
  'RESPONSE_TRAILERS_BYTES', 'DOWNSTREAM_PEER_URI_SAN', 'DOWNSTREAM_LOCAL_URI_SAN', 'DOWNSTREAM_PEER_DNS_SAN',
  'DOWNSTREAM_LOCAL_DNS_SAN', 'DOWNSTREAM_PEER_IP_SAN', 'DOWNSTREAM_LOCAL_IP_SAN', 'DOWNSTREAM_PEER_EMAIL_SAN',
  'DOWNSTREAM_LOCAL_EMAIL_SAN', 'DOWNSTREAM_PEER_OTHERNAME_SAN', 'DOWNSTREAM_LOCAL_OTHERNAME_SAN',
  'DOWNSTREAM_PEER_SUBJECT', 'DOWNSTREAM_LOCAL_SUBJECT', 'DOWNSTREAM_PEER_ISSUER', 'DOWNSTREAM_TLS_SESSION_ID',
  'DOWNSTREAM_TLS_CIPHER', 'DOWNSTREAM_TLS_VERSION', 'DOWNSTREAM_PEER_FINGERPRINT_256', 'DOWNSTREAM_PEER_FINGERPRINT_1',
  'DOWNSTREAM_PEER_SERIAL', 'DOWNSTREAM_PEER_CERT', 'DOWNSTREAM_PEER_CERT_V_START', 'DOWNSTREAM_PEER_CERT_V_END',
  'DOWNSTREAM_PEER_CHAIN_FINGERPRINTS_256', 'DOWNSTREAM_PEER_CHAIN_FINGERPRINTS_1', 'DOWNSTREAM_PEER_CHAIN_SERIALS',
  'DOWNSTREAM_TRANSPORT_FAILURE_REASON', 'UPSTREAM_PEER_URI_SAN', 'UPSTREAM_PEER_SUBJECT', 'UPSTREAM_PEER_ISSUER',
  'UPSTREAM_TLS_SESSION_ID', 'UPSTREAM_TLS_CIPHER', 'UPSTREAM_TLS_VERSION', 'UPSTREAM_PEER_CERT', 'UPSTREAM_LOCAL_URI_SAN',
  'UPSTREAM_LOCAL_SUBJECT', 'UPSTREAM_PEER_CERT_V_START', 'UPSTREAM_PEER_CERT_V_END', 'CONNECTION_ID',
  'UPSTREAM_CONNECTION_ID', 'UNIQUE_ID', 'TRACE_ID', 'ACCESS_LOG_TYPE', 'CUSTOM_FLAGS', 'UPSTREAM_CLUSTER_RAW',
  'DOWNSTREAM_REMOTE_ADDRESS_ENDPOINT_ID', 'UPSTREAM_PROTOCOL', 'LOCAL_REPLY_BODY', 'VIRTUAL_HOST_NAME',
]);

/** Known commands with an argument that the core does not evaluate. */
const KNOWN_UNEVALUATED_WITH_ARG = new Set([
  'FILTER_STATE', 'UPSTREAM_FILTER_STATE', 'CLUSTER_METADATA', 'ROUTE_METADATA', 'UPSTREAM_HOST_METADATA',
  'CEL', 'METADATA', 'TRAILER', 'PER_REQUEST_STATE', 'REQUESTED_SERVER_NAME', 'COMMON_DURATION', 'QUERY_PARAM', 'PATH',
]);

function joinAddr(addr: string | undefined, port: number | undefined): string {
  if (addr === undefined) return '';
  if (port === undefined) return addr;
  return addr.includes(':') ? `[${addr}]:${port}` : `${addr}:${port}`;
}

function headerValue(h: FormatterHeaders | undefined, name: string): string | undefined {
  if (h === undefined) return undefined;
  const v = h[name];
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return v.length > 0 ? v[0] : undefined;
  if (typeof v === 'number') return String(v);
  // undefined, or a member plain objects inherit (`constructor`): no such header.
  return undefined;
}

function requestHeader(ctx: FormatterContext, name: string): string | undefined {
  switch (name) {
    case ':authority':
      return ctx.authority ?? headerValue(ctx.requestHeaders, ':authority') ?? headerValue(ctx.requestHeaders, 'host');
    case ':path':
      return ctx.path ?? headerValue(ctx.requestHeaders, ':path');
    case ':method':
      return ctx.method ?? headerValue(ctx.requestHeaders, ':method');
    case ':scheme':
      return ctx.scheme ?? headerValue(ctx.requestHeaders, ':scheme');
    default:
      return headerValue(ctx.requestHeaders, name);
  }
}

function pad(n: number, w: number): string {
  return String(n).padStart(w, '0');
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/**
 * strftime subset in UTC plus Envoy's `%E<n>S` (seconds with n fractional digits), `%f`
 * (fractional seconds, 9 digits) and `%s` (epoch seconds).
 */
export function formatStartTime(epochMs: number, fmt: string | undefined): string {
  const d = new Date(epochMs);
  if (fmt === undefined || fmt === '') {
    // Envoy's default: %Y-%m-%dT%H:%M:%E3SZ
    return d.toISOString();
  }
  let out = '';
  for (let i = 0; i < fmt.length; i++) {
    const c = fmt[i];
    if (c !== '%' || i + 1 >= fmt.length) {
      out += c;
      continue;
    }
    const n = fmt[++i];
    const frac = (digits: number): string => {
      const nanos = String(d.getUTCMilliseconds() * 1_000_000).padStart(9, '0');
      return nanos.slice(0, digits);
    };
    switch (n) {
      case 'Y': out += pad(d.getUTCFullYear(), 4); break;
      case 'm': out += pad(d.getUTCMonth() + 1, 2); break;
      case 'd': out += pad(d.getUTCDate(), 2); break;
      case 'H': out += pad(d.getUTCHours(), 2); break;
      case 'M': out += pad(d.getUTCMinutes(), 2); break;
      case 'S': out += pad(d.getUTCSeconds(), 2); break;
      case 'y': out += pad(d.getUTCFullYear() % 100, 2); break;
      case 'j': {
        const start = Date.UTC(d.getUTCFullYear(), 0, 1);
        out += pad(Math.floor((epochMs - start) / 86_400_000) + 1, 3);
        break;
      }
      case 'b': out += MONTHS[d.getUTCMonth()]; break;
      case 'a': out += DAYS[d.getUTCDay()]; break;
      case 'z': out += '+0000'; break;
      case 'Z': out += 'UTC'; break;
      case 's': out += String(Math.floor(epochMs / 1000)); break;
      case 'f': out += frac(9); break;
      case '%': out += '%'; break;
      case 'E': {
        // %E<digits>S or %E*S
        const m = /^(\d+|\*)S/.exec(fmt.slice(i + 1));
        if (m) {
          const digits = m[1] === '*' ? 9 : Math.min(9, Number(m[1]));
          out += pad(d.getUTCSeconds(), 2) + (digits > 0 ? '.' + frac(digits) : '');
          i += m[0].length;
        } else out += '%E';
        break;
      }
      default: {
        // %<n>f: fractional seconds with n digits.
        const m = /^(\d)f/.exec(fmt.slice(i));
        if (m) {
          out += frac(Number(m[1]));
          i += 1;
        } else out += '%' + n;
      }
    }
  }
  return out;
}

function lookupPath(root: unknown, path: readonly string[]): unknown {
  let cur = root;
  for (const k of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[k];
  }
  return cur;
}

function metadataString(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v;
  return JSON.stringify(v);
}

function truncate(f: (ctx: FormatterContext) => string, max: number | undefined): (ctx: FormatterContext) => string {
  if (max === undefined) return f;
  return (ctx) => f(ctx).slice(0, max);
}

/** Commands without arguments. */
const SIMPLE: Readonly<Record<string, (ctx: FormatterContext) => string>> = {
  DOWNSTREAM_REMOTE_ADDRESS: (c) => joinAddr(c.remoteAddress, c.remotePort),
  DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT: (c) => c.remoteAddress ?? '',
  DOWNSTREAM_REMOTE_PORT: (c) => (c.remotePort === undefined ? '' : String(c.remotePort)),
  DOWNSTREAM_DIRECT_REMOTE_ADDRESS: (c) =>
    joinAddr(c.directRemoteAddress ?? c.remoteAddress, c.directRemoteAddress !== undefined ? c.directRemotePort : c.remotePort),
  DOWNSTREAM_DIRECT_REMOTE_ADDRESS_WITHOUT_PORT: (c) => c.directRemoteAddress ?? c.remoteAddress ?? '',
  DOWNSTREAM_DIRECT_REMOTE_PORT: (c) => {
    const p = c.directRemoteAddress !== undefined ? c.directRemotePort : c.remotePort;
    return p === undefined ? '' : String(p);
  },
  DOWNSTREAM_LOCAL_ADDRESS: (c) => joinAddr(c.localAddress, c.localPort),
  DOWNSTREAM_LOCAL_ADDRESS_WITHOUT_PORT: (c) => c.localAddress ?? '',
  DOWNSTREAM_LOCAL_PORT: (c) => (c.localPort === undefined ? '' : String(c.localPort)),
  PROTOCOL: (c) => c.protocol ?? '',
  REQUESTED_SERVER_NAME: (c) => c.requestedServerName ?? '',
  ROUTE_NAME: (c) => c.routeName ?? '',
  VIRTUAL_CLUSTER_NAME: (c) => c.virtualClusterName ?? '',
  UPSTREAM_CLUSTER: (c) => c.upstreamCluster ?? '',
  UPSTREAM_HOST: (c) => c.upstreamHost ?? '',
  UPSTREAM_REMOTE_ADDRESS: (c) => c.upstreamHost ?? '',
  UPSTREAM_LOCAL_ADDRESS: (c) => c.upstreamLocalAddress ?? '',
  HOSTNAME: (c) => c.hostname ?? '',
  STREAM_ID: (c) => c.requestId ?? '',
  RESPONSE_CODE: (c) => (c.responseCode === undefined ? '' : String(c.responseCode)),
};

/** Commands whose argument is required: REQ(...), RESP(...), ... */
function withArg(cmd: string, arg: string, max: number | undefined): ((ctx: FormatterContext) => string) | string {
  switch (cmd) {
    case 'REQ':
    case 'RESP': {
      // REQ(X?Y): X, else Y.
      const [main, alt] = arg.split('?', 2).map((s) => s.trim().toLowerCase());
      if (main === '') return 'Invalid header configuration. Empty header name';
      if (cmd === 'REQ') {
        return truncate((c) => requestHeader(c, main) ?? (alt !== undefined ? requestHeader(c, alt) : undefined) ?? '', max);
      }
      return truncate(
        (c) => headerValue(c.responseHeaders, main) ?? (alt !== undefined ? headerValue(c.responseHeaders, alt) : undefined) ?? '',
        max,
      );
    }
    case 'START_TIME':
      return (c) => (c.startTime === undefined ? '' : formatStartTime(c.startTime, arg));
    case 'DYNAMIC_METADATA': {
      const [ns, ...path] = arg.split(':');
      return truncate((c) => metadataString(lookupPath(c.dynamicMetadata?.[ns], path)), max);
    }
    case 'UPSTREAM_METADATA': {
      // Legacy JSON-array syntax: ["namespace", "key", ...]
      let keys: unknown;
      try {
        keys = JSON.parse(arg);
      } catch {
        keys = undefined;
      }
      if (!Array.isArray(keys) || keys.length < 2 || !keys.every((k) => typeof k === 'string')) {
        return `Invalid header configuration. Expected format UPSTREAM_METADATA(["namespace", "k", ...]), actual format UPSTREAM_METADATA(${arg})`;
      }
      const [ns, ...path] = keys as string[];
      return (c) => metadataString(lookupPath(c.upstreamMetadata?.[ns], path));
    }
    case 'ENVIRONMENT':
      return truncate((c) => c.environment?.[arg] ?? '', max);
    default:
      return `Not supported field in StreamInfo: ${cmd}`;
  }
}

const START_TIME_NO_ARG = (c: FormatterContext): string => (c.startTime === undefined ? '' : formatStartTime(c.startTime, undefined));

// %COMMAND%, %COMMAND(arg)%, %COMMAND(arg):N%
const COMMAND = /^%([A-Z0-9_]+)(\(([^)]*)\))?(:([0-9]+))?%/;

/**
 * Parses a header value with `%COMMAND%` substitutions. `%%` is a literal `%`. Errors use
 * Envoy's wording so lint output matches what Envoy would reject.
 */
export function parseHeaderFormatter(value: string): FormatterParse {
  if (!value.includes('%')) return { ok: true, formatter: new HeaderFormatter(value, [value]), unsupported: [] };
  const parts: Part[] = [];
  const unsupported: string[] = [];
  let lit = '';
  let i = 0;
  while (i < value.length) {
    const c = value[i];
    if (c !== '%') {
      lit += c;
      i++;
      continue;
    }
    if (value[i + 1] === '%') {
      lit += '%';
      i += 2;
      continue;
    }
    const m = COMMAND.exec(value.slice(i));
    if (m === null) {
      return { ok: false, error: `Incorrect configuration: ${value}. Couldn't find valid command at position ${i}` };
    }
    const cmd = m[1];
    const arg = m[3];
    const max = m[5] !== undefined ? Number(m[5]) : undefined;
    let part: Part;
    if (arg === undefined) {
      if (cmd === 'START_TIME') part = START_TIME_NO_ARG;
      else if (KNOWN_UNEVALUATED.has(cmd)) {
        unsupported.push(cmd);
        part = '';
      }
      else if (SIMPLE[cmd] !== undefined) part = truncate(SIMPLE[cmd], max);
      else if (cmd === 'REQ' || cmd === 'RESP' || cmd === 'DYNAMIC_METADATA' || cmd === 'UPSTREAM_METADATA' || cmd === 'ENVIRONMENT') {
        return { ok: false, error: `${cmd} requires an argument: %${cmd}(...)%` };
      } else return { ok: false, error: `Not supported field in StreamInfo: ${cmd}` };
    } else {
      if (SIMPLE[cmd] !== undefined) return { ok: false, error: `${cmd} does not take an argument` };
      if (cmd === 'REQ_WITHOUT_QUERY') {
        const name = arg.split('?', 1)[0].trim().toLowerCase();
        part = truncate((c) => {
          const v = requestHeader(c, name) ?? '';
          const q = v.indexOf('?');
          return q >= 0 ? v.slice(0, q) : v;
        }, max);
        if (lit !== '') parts.push(lit);
        lit = '';
        parts.push(part);
        i += m[0].length;
        continue;
      }
      if (KNOWN_UNEVALUATED_WITH_ARG.has(cmd)) {
        unsupported.push(cmd);
        i += m[0].length;
        continue;
      }
      const r = withArg(cmd, arg, max);
      if (typeof r === 'string') return { ok: false, error: r };
      part = r;
    }
    if (lit !== '') parts.push(lit);
    lit = '';
    parts.push(part);
    i += m[0].length;
  }
  if (lit !== '') parts.push(lit);
  return { ok: true, formatter: new HeaderFormatter(value, parts), unsupported };
}
