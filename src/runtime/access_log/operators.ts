/**
 * Access log command operators (Envoy's substitution formatter "command operators"): each
 * `%NAME(arg):maxlen%` compiles once, at config time, to an extractor reading a StreamInfo.
 *
 * An extractor returns a string, a number, or `undefined` for "no value"; the text formatter
 * prints `undefined` as `-` (Envoy's unset marker) and the JSON formatter as `null`. Numbers stay
 * numbers so `json_format` emits typed values as Envoy does (`"status": 200`).
 *
 * Pure (no node:*, no clock, no randomness: those come in through OperatorContext), so the
 * parser can move below runtime for `lint` to validate formats without running them.
 *
 * Unknown operators are a config error in Envoy (`Not supported field in StreamInfo: X`);
 * operators Envoy has but tsproxy cannot fill yet (upstream TLS peer data, metadata, filter state) compile
 * to "no value" with a warning, so a real config still loads.
 */
import type { StreamInfo } from '../stream_info.js';
import { compileStartTime } from './start_time.js';
import { responseFlagsLong, responseFlagsShort } from './response_flags.js';

export type FieldValue = string | number | undefined;
export type FieldExtractor = (info: StreamInfo) => FieldValue;

/** Things the extractors may need besides the StreamInfo (injected for tests). */
export interface OperatorContext {
  /** Monotonic ms now, for %DURATION% of a stream that has not finished. */
  monotonicNow(): number;
  /** %HOSTNAME%. */
  hostname?: string;
  /** %UNIQUE_ID%. */
  uuid?(): string;
  /** %ENVIRONMENT(X)%: read at config time, as Envoy does. Absent: every variable is unset. */
  env?: Readonly<Record<string, string | undefined>>;
}

export type CompiledOperator =
  | { ok: true; extract: FieldExtractor; warning?: string }
  | { ok: false; error: string };

type HeaderBag = Readonly<Record<string, string | string[] | number | undefined>> | undefined;

function firstValue(v: string | string[] | number | undefined): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  if (Array.isArray(v)) return v.length ? v[0] : undefined;
  // undefined, or a member plain objects inherit (`constructor`): no such header.
  return undefined;
}

/** A request header (or pseudo-header) as the access log sees it. */
function requestHeader(info: StreamInfo, name: string): string | undefined {
  switch (name) {
    case ':path':
      return info.path ?? firstValue(info.requestHeaders?.[':path']);
    case ':method':
      return info.method ?? firstValue(info.requestHeaders?.[':method']);
    case ':authority':
      return info.authority ?? firstValue(info.requestHeaders?.[':authority']) ?? firstValue(info.requestHeaders?.['host']);
    case 'x-envoy-original-path': {
      // The router sets x-envoy-original-path when it rewrote the path; StreamInfo may carry
      // the original path instead of the header.
      const h = firstValue(info.requestHeaders?.['x-envoy-original-path']);
      if (h !== undefined) return h;
      return info.originalPath !== undefined && info.originalPath !== info.path ? info.originalPath : undefined;
    }
    default:
      return firstValue(info.requestHeaders?.[name]);
  }
}

function headerFrom(bag: HeaderBag, name: string): string | undefined {
  return bag ? firstValue(bag[name]) : undefined;
}

/** Parses `X?Y` into [main, alternative], lowercased (header names are case-insensitive). */
function parseHeaderArg(op: string, arg: string | undefined): [string, string | undefined] | string {
  if (arg === undefined || arg === '') return `${op} requires a header name, e.g. %${op}(USER-AGENT)%`;
  const parts = arg.split('?');
  if (parts.length > 2) return `more than 1 alternative header specified in token: ${arg}`;
  const main = parts[0]!.trim().toLowerCase();
  const alt = parts[1]?.trim().toLowerCase();
  if (!main || alt === '') return `invalid header configuration: ${arg}`;
  return [main, alt];
}

function ms(from: number | undefined, to: number | undefined): number | undefined {
  if (from === undefined || to === undefined) return undefined;
  return Math.max(0, Math.floor(to - from));
}

function withPort(address: string | undefined, port: number | undefined): string | undefined {
  if (address === undefined) return undefined;
  if (port === undefined) return address;
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

/** Operators without an argument: name -> extractor factory. */
function simpleOperators(ctx: OperatorContext): Record<string, FieldExtractor> {
  const host = ctx.hostname;
  return {
    PROTOCOL: (i) => i.protocol || undefined,
    RESPONSE_CODE: (i) => i.responseCode,
    RESPONSE_CODE_DETAILS: (i) => i.responseCodeDetails || undefined,
    CONNECTION_TERMINATION_DETAILS: (i) => i.connectionTerminationDetails || undefined,
    RESPONSE_FLAGS: (i) => responseFlagsShort(i.responseFlags),
    RESPONSE_FLAGS_LONG: (i) => responseFlagsLong(i.responseFlags),
    BYTES_RECEIVED: (i) => i.bytesReceived,
    BYTES_SENT: (i) => i.bytesSent,
    // DURATION: start to last downstream byte sent; while the stream is still running, Envoy
    // reports the time elapsed so far (StreamInfo::currentDuration()).
    DURATION: (i) => ms(i.startMonotonic, i.lastDownstreamTxByteSent ?? ctx.monotonicNow()),
    REQUEST_DURATION: (i) => ms(i.startMonotonic, i.lastDownstreamRxByteReceived),
    REQUEST_TX_DURATION: (i) => ms(i.startMonotonic, i.lastUpstreamTxByteSent),
    RESPONSE_DURATION: (i) => ms(i.startMonotonic, i.firstUpstreamRxByteReceived),
    RESPONSE_TX_DURATION: (i) => ms(i.firstUpstreamRxByteReceived, i.lastDownstreamTxByteSent),
    ROUTE_NAME: (i) => i.routeName || undefined,
    VIRTUAL_CLUSTER_NAME: (i) => i.virtualClusterName || undefined,
    UPSTREAM_CLUSTER: (i) => i.upstreamCluster || undefined,
    UPSTREAM_CLUSTER_RAW: (i) => i.upstreamCluster || undefined,
    UPSTREAM_HOST: (i) => i.upstreamHost?.addressString,
    UPSTREAM_HOST_NAME: (i) => i.upstreamHost?.hostname || i.upstreamHost?.addressString,
    UPSTREAM_REMOTE_ADDRESS: (i) => i.upstreamHost?.addressString,
    UPSTREAM_REMOTE_ADDRESS_WITHOUT_PORT: (i) => i.upstreamHost?.address,
    UPSTREAM_REMOTE_PORT: (i) => i.upstreamHost?.port,
    UPSTREAM_LOCAL_ADDRESS: (i) => withPort(i.upstreamLocalAddress, i.upstreamLocalPort),
    UPSTREAM_LOCAL_ADDRESS_WITHOUT_PORT: (i) => i.upstreamLocalAddress,
    UPSTREAM_LOCAL_PORT: (i) => i.upstreamLocalPort,
    UPSTREAM_TRANSPORT_FAILURE_REASON: (i) => i.upstreamTransportFailureReason || undefined,
    UPSTREAM_REQUEST_ATTEMPT_COUNT: (i) => i.attemptCount,
    DOWNSTREAM_REMOTE_ADDRESS: (i) => withPort(i.downstreamRemoteAddress, i.downstreamRemotePort),
    DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT: (i) => i.downstreamRemoteAddress,
    DOWNSTREAM_REMOTE_PORT: (i) => i.downstreamRemotePort,
    DOWNSTREAM_DIRECT_REMOTE_ADDRESS: (i) => withPort(i.downstreamRemoteAddress, i.downstreamRemotePort),
    DOWNSTREAM_DIRECT_REMOTE_ADDRESS_WITHOUT_PORT: (i) => i.downstreamRemoteAddress,
    DOWNSTREAM_DIRECT_REMOTE_PORT: (i) => i.downstreamRemotePort,
    DOWNSTREAM_LOCAL_ADDRESS: (i) => withPort(i.downstreamLocalAddress, i.downstreamLocalPort),
    DOWNSTREAM_LOCAL_ADDRESS_WITHOUT_PORT: (i) => i.downstreamLocalAddress,
    DOWNSTREAM_LOCAL_PORT: (i) => i.downstreamLocalPort,
    // The socket's own address, also when the original destination replaced the local address.
    DOWNSTREAM_DIRECT_LOCAL_ADDRESS: (i) => withPort(i.downstreamDirectLocalAddress ?? i.downstreamLocalAddress, i.downstreamDirectLocalPort ?? i.downstreamLocalPort),
    DOWNSTREAM_DIRECT_LOCAL_ADDRESS_WITHOUT_PORT: (i) => i.downstreamDirectLocalAddress ?? i.downstreamLocalAddress,
    DOWNSTREAM_DIRECT_LOCAL_PORT: (i) => i.downstreamDirectLocalPort ?? i.downstreamLocalPort,
    CONNECTION_ID: (i) => i.connectionId,
    // Envoy's stream id is the x-request-id when the request-id extension set one.
    STREAM_ID: (i) => i.requestId,
    REQUESTED_SERVER_NAME: (i) => i.requestedServerName || undefined,
    // Downstream TLS (the connection's DownstreamTransportInfo; `-` on plaintext or without a peer certificate).
    DOWNSTREAM_TLS_VERSION: (i) => i.downstreamTransport?.tlsVersion || undefined,
    DOWNSTREAM_TLS_CIPHER: (i) => i.downstreamTransport?.cipher || undefined,
    DOWNSTREAM_PEER_SUBJECT: (i) => i.downstreamTransport?.peerSubject || undefined,
    DOWNSTREAM_PEER_ISSUER: (i) => i.downstreamTransport?.peerIssuer || undefined,
    DOWNSTREAM_PEER_URI_SAN: (i) => joined(i.downstreamTransport?.peerUriSans),
    DOWNSTREAM_PEER_DNS_SAN: (i) => joined(i.downstreamTransport?.peerDnsSans),
    DOWNSTREAM_PEER_FINGERPRINT_256: (i) => i.downstreamTransport?.peerCertificateSha256 || undefined,
    DOWNSTREAM_PEER_SERIAL: (i) => i.downstreamTransport?.peerSerial || undefined,
    DOWNSTREAM_PEER_CERT: (i) => i.downstreamTransport?.peerCertificatePem || undefined,
    DOWNSTREAM_LOCAL_URI_SAN: (i) => joined(i.downstreamTransport?.localUriSans),
    DOWNSTREAM_LOCAL_SUBJECT: (i) => i.downstreamTransport?.localSubject || undefined,
    // Upstream TLS (the upstream connection's UpstreamTlsInfo; `-` for raw TCP).
    UPSTREAM_TLS_VERSION: (i) => i.upstreamTls?.tlsVersion || undefined,
    UPSTREAM_TLS_CIPHER: (i) => i.upstreamTls?.cipher || undefined,
    UPSTREAM_PEER_SUBJECT: (i) => i.upstreamTls?.peerSubject || undefined,
    UPSTREAM_PEER_ISSUER: (i) => i.upstreamTls?.peerIssuer || undefined,
    UPSTREAM_PEER_URI_SAN: (i) => joined(i.upstreamTls?.peerUriSans),
    UPSTREAM_PEER_DNS_SAN: (i) => joined(i.upstreamTls?.peerDnsSans),
    LOCAL_REPLY_BODY: (i) => i.localReplyBody,
    HOSTNAME: () => host,
    UNIQUE_ID: () => ctx.uuid?.(),
    // tsproxy logs at stream end only (Envoy's DownstreamEnd).
    ACCESS_LOG_TYPE: () => 'DownstreamEnd',
  };
}

/**
 * Operators Envoy has that tsproxy cannot fill yet; they print `-` (JSON null) and warn once at
 * config time.
 */
const KNOWN_UNSUPPORTED = new Set<string>([
  'START_TIME_LOCAL', 'EMIT_TIME', 'SYSTEM_TIME',
  'DYNAMIC_METADATA', 'CLUSTER_METADATA', 'UPSTREAM_METADATA', 'METADATA', 'FILTER_STATE',
  'UPSTREAM_FILTER_STATE', 'CEL', 'TRACE_ID', 'UPSTREAM_PROTOCOL', 'UPSTREAM_CONNECTION_ID',
  'DOWNSTREAM_HANDSHAKE_DURATION', 'ROUNDTRIP_DURATION', 'UPSTREAM_CONNECTION_POOL_READY_DURATION',
  'DOWNSTREAM_PEER_IP_SAN',
  'DOWNSTREAM_LOCAL_DNS_SAN', 'DOWNSTREAM_LOCAL_IP_SAN',
  'DOWNSTREAM_TLS_SESSION_ID',
  'DOWNSTREAM_PEER_FINGERPRINT_1',
  'DOWNSTREAM_PEER_CERT_V_START', 'DOWNSTREAM_PEER_CERT_V_END',
  'DOWNSTREAM_TRANSPORT_FAILURE_REASON',
  'UPSTREAM_TLS_SESSION_ID', 'UPSTREAM_PEER_CERT',
  'UPSTREAM_PEER_IP_SAN', 'UPSTREAM_LOCAL_URI_SAN',
  'UPSTREAM_LOCAL_DNS_SAN', 'UPSTREAM_LOCAL_IP_SAN',
  'REQUEST_HEADERS_BYTES', 'RESPONSE_HEADERS_BYTES', 'RESPONSE_TRAILERS_BYTES',
  'UPSTREAM_WIRE_BYTES_SENT', 'UPSTREAM_WIRE_BYTES_RECEIVED', 'UPSTREAM_HEADER_BYTES_SENT',
  'UPSTREAM_HEADER_BYTES_RECEIVED', 'DOWNSTREAM_WIRE_BYTES_SENT', 'DOWNSTREAM_WIRE_BYTES_RECEIVED',
  'DOWNSTREAM_HEADER_BYTES_SENT', 'DOWNSTREAM_HEADER_BYTES_RECEIVED', 'GRPC_STATUS', 'GRPC_STATUS_NUMBER',
  'VIRTUAL_CLUSTER_NAME_RAW', 'UPSTREAM_REQUEST_ATTEMPT_COUNT_RAW', 'QUERY_PARAM', 'PATH',
  'CUSTOM_FLAGS', 'COMMON_DURATION', 'UPSTREAM_HOST_NAME_WITHOUT_PORT', 'DOWNSTREAM_DETECTED_CLOSE_TYPE',
]);

/** SANs joined as Envoy prints a list (`,`); undefined when there are none. */
function joined(list: readonly string[] | undefined): string | undefined {
  return list !== undefined && list.length > 0 ? list.join(',') : undefined;
}

function truncate(extract: FieldExtractor, maxLen: number | undefined): FieldExtractor {
  if (maxLen === undefined) return extract;
  return (info) => {
    const v = extract(info);
    return typeof v === 'string' && v.length > maxLen ? v.slice(0, maxLen) : v;
  };
}

/** Caches the simple-operator table per context (it closes over the context). */
const simpleCache = new WeakMap<OperatorContext, Record<string, FieldExtractor>>();

/**
 * Compiles one command operator. `name` is the part between `%` and `(`; `arg` the text inside
 * the parentheses (undefined when there are none); `maxLen` the `:N` suffix.
 */
export function compileOperator(
  name: string,
  arg: string | undefined,
  maxLen: number | undefined,
  ctx: OperatorContext,
): CompiledOperator {
  switch (name) {
    case 'REQ':
    case 'REQUEST_HEADER':
    case 'REQ_WITHOUT_QUERY': {
      const parsed = parseHeaderArg(name, arg);
      if (typeof parsed === 'string') return { ok: false, error: parsed };
      const [main, alt] = parsed;
      let get: FieldExtractor =
        alt === undefined
          ? (i) => requestHeader(i, main)
          : (i) => requestHeader(i, main) ?? requestHeader(i, alt);
      if (name === 'REQ_WITHOUT_QUERY') {
        const inner = get;
        get = (i) => {
          const v = inner(i);
          if (typeof v !== 'string') return v;
          const q = v.indexOf('?');
          return q < 0 ? v : v.slice(0, q);
        };
      }
      return { ok: true, extract: truncate(get, maxLen) };
    }
    case 'RESP':
    case 'RESPONSE_HEADER':
    case 'TRAILER':
    case 'RESPONSE_TRAILER': {
      const parsed = parseHeaderArg(name, arg);
      if (typeof parsed === 'string') return { ok: false, error: parsed };
      const [main, alt] = parsed;
      const trailers = name === 'TRAILER' || name === 'RESPONSE_TRAILER';
      const get: FieldExtractor = trailers
        ? (i) => headerFrom(i.responseTrailers, main) ?? (alt === undefined ? undefined : headerFrom(i.responseTrailers, alt))
        : (i) => headerFrom(i.responseHeaders, main) ?? (alt === undefined ? undefined : headerFrom(i.responseHeaders, alt));
      return { ok: true, extract: truncate(get, maxLen) };
    }
    case 'GRPC_STATUS':
    case 'GRPC_STATUS_NUMBER': {
      const style = name === 'GRPC_STATUS_NUMBER' ? 'NUMBER' : (arg ?? 'CAMEL_STRING');
      if (style !== 'CAMEL_STRING' && style !== 'SNAKE_STRING' && style !== 'NUMBER') return { ok: false, error: `GRPC_STATUS: unknown format "${style}" (CAMEL_STRING, SNAKE_STRING or NUMBER)` };
      return { ok: true, extract: truncate((i) => grpcStatusOf(i, style), maxLen) };
    }
    case 'START_TIME': {
      const f = compileStartTime(arg);
      return { ok: true, extract: truncate((i) => f.format(i.startTime), maxLen) };
    }
    case 'ENVIRONMENT': {
      if (!arg) return { ok: false, error: 'ENVIRONMENT requires a variable name, e.g. %ENVIRONMENT(HOME)%' };
      const value = ctx.env?.[arg];
      return { ok: true, extract: truncate(() => value, maxLen) };
    }
    default:
      break;
  }
  let table = simpleCache.get(ctx);
  if (!table) {
    table = simpleOperators(ctx);
    simpleCache.set(ctx, table);
  }
  const simple = table[name];
  if (simple) {
    if (arg !== undefined) return { ok: false, error: `operator ${name} takes no argument, got (${arg})` };
    return { ok: true, extract: truncate(simple, maxLen) };
  }
  if (KNOWN_UNSUPPORTED.has(name)) {
    return {
      ok: true,
      extract: () => undefined,
      warning: `access log operator %${name}% is not implemented by tsproxy yet; it prints "-"`,
    };
  }
  return { ok: false, error: `Not supported field in StreamInfo: ${name}` };
}


const GRPC_CAMEL = ['OK', 'Canceled', 'Unknown', 'InvalidArgument', 'DeadlineExceeded', 'NotFound', 'AlreadyExists', 'PermissionDenied', 'ResourceExhausted', 'FailedPrecondition', 'Aborted', 'OutOfRange', 'Unimplemented', 'Internal', 'Unavailable', 'DataLoss', 'Unauthenticated'];
const GRPC_SNAKE = ['OK', 'CANCELLED', 'UNKNOWN', 'INVALID_ARGUMENT', 'DEADLINE_EXCEEDED', 'NOT_FOUND', 'ALREADY_EXISTS', 'PERMISSION_DENIED', 'RESOURCE_EXHAUSTED', 'FAILED_PRECONDITION', 'ABORTED', 'OUT_OF_RANGE', 'UNIMPLEMENTED', 'INTERNAL', 'UNAVAILABLE', 'DATA_LOSS', 'UNAUTHENTICATED'];

/**
 * %GRPC_STATUS(X)% (Envoy's GrpcStatusFormatter): `grpc-status` of the response trailers, else of
 * a trailers-only response's headers; `-` when the response carried none. A number beyond the
 * well-known codes prints as the number.
 */
function grpcStatusOf(i: StreamInfo, style: 'CAMEL_STRING' | 'SNAKE_STRING' | 'NUMBER'): string | undefined {
  const raw = headerFrom(i.responseTrailers, 'grpc-status') ?? headerFrom(i.responseHeaders, 'grpc-status');
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) return undefined;
  if (style === 'NUMBER') return String(n);
  return (style === 'CAMEL_STRING' ? GRPC_CAMEL : GRPC_SNAKE)[n] ?? String(n);
}
