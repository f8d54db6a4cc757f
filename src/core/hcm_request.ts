/**
 * What the HTTP connection manager does to a request head before routing, as ONE pure function
 * that `serve` (runtime/http/header_sanitizer.ts) and `match`/`explain` (analysis/explain) both call. Envoy's
 * order (ConnectionManagerImpl::ActiveStream::decodeHeaders, after the codec's checks):
 *
 *   1. :authority valid (HeaderUtility::authorityIsValid, the HTTP/1 codec)
 *                                     -> 400 `http.invalid_authority`, protocol error (DPE, close)
 *   2. :authority present             -> 400 `missing_host_header`
 *   3. :path relative                 -> 404 `absolute_path` (`downstream_rq_non_relative_path`)
 *   4. maybeNormalizePath (path_normalization.ts)
 *                                     -> 400 `path_normalization_failed`
 *                                        (`downstream_rq_failed_path_normalization`), or
 *                                        307 to the normalised path, same details
 *                                        (`downstream_rq_redirected_with_normalized_path`;
 *                                        a gRPC request gets the 400 instead)
 *   5. maybeNormalizeHost (hcm_host.ts: strip_trailing_host_dot, strip_*_host_port)
 *   6. mutateRequestHeaders (request_mutation.ts: XFF, x-forwarded-proto, :scheme, internal vs
 *      external, x-envoy-* sanitising, via, x-request-id)
 * Then the route table sees the request (and the upstream gets it) as this function left it.
 */
import { hasGrpcContentType } from './grpc.js';
import type { HttpConnectionManager, RouteConfiguration } from '../config/types.js';
import type { RuntimeValues } from './route_types.js';
import {
  DEFAULT_GENERATE_REQUEST_ID,
  DEFAULT_MERGE_SLASHES,
  DEFAULT_SERVER_NAME,
  DEFAULT_USE_REMOTE_ADDRESS,
  DEFAULT_XFF_NUM_TRUSTED_HOPS,
} from '../config/defaults.js';
import { authorityIsValid, firstInvalidAuthorityChar, INVALID_AUTHORITY_DETAILS } from './authority.js';
import { normalizeHost } from './hcm_host.js';
import { compileXfccConfig } from './xfcc.js';
import { compileInternalAddressConfig } from './internal_address.js';
import {
  maybeNormalizePath,
  type EscapedSlashesAction,
  type PathNormalizationConfig,
  type PathNormalizationStep,
} from './path_normalization.js';
import {
  mutateRequestHeaders,
  type DownstreamPeer,
  type MutableRequest,
  type RequestIdSource,
  type RequestMutationConfig,
  type RequestTrust,
  type ResponseMutationConfig,
} from './request_mutation.js';

/** An HCM's request handling, compiled once per config (immutable). */
export interface HcmRequestConfig {
  /** undefined: normalize_path, merge_slashes off and escaped slashes KEEP_UNCHANGED (Envoy's defaults). */
  readonly pathNormalization: PathNormalizationConfig | undefined;
  /** strip_trailing_host_dot / strip_any_host_port / strip_matching_host_port, when any is set. */
  readonly hostNormalization: Pick<HttpConnectionManager, 'strip_any_host_port' | 'strip_matching_host_port' | 'strip_trailing_host_dot'> | undefined;
  readonly mutation: RequestMutationConfig;
  readonly response: ResponseMutationConfig;
}

/** What compiling needs besides the HCM. */
export interface HcmRequestCompileOptions {
  /** The config's runtime (`http_connection_manager.normalize_path`, `...path_with_escaped_slashes_action`). */
  readonly runtime?: RuntimeValues;
  /** Envoy's own address (appended to XFF for a loopback peer); see RequestMutationConfig. */
  readonly serverAddress: string;
  /**
   * The random value Envoy's featureEnabled("http_connection_manager.normalize_path", 0) draws
   * once at config load; called only when that runtime key is set (0 when not given).
   */
  readonly random?: () => number;
  /**
   * The route configuration in use, for its `internal_only_headers` (an RDS-provided one);
   * default: the HCM's inline `route_config`.
   */
  readonly routeConfiguration?: RouteConfiguration;
}

function runtimeNumber(runtime: RuntimeValues | undefined, key: string): number | undefined {
  const v = runtime?.[key];
  if (v === undefined || v === null) return undefined;
  const n = typeof v === 'number' ? v : typeof v === 'object' && v !== null && 'numerator' in v ? Number((v as { numerator: unknown }).numerator) : Number(v);
  return Number.isFinite(n) ? n : undefined;
}

/**
 * IMPLEMENTATION_SPECIFIC_DEFAULT (or unset): the runtime key
 * `http_connection_manager.path_with_escaped_slashes_action` (2 REJECT_REQUEST,
 * 3 UNESCAPE_AND_REDIRECT, 4 UNESCAPE_AND_FORWARD), else KEEP_UNCHANGED.
 */
export function resolveEscapedSlashesAction(configured: string | undefined, runtime: RuntimeValues | undefined): EscapedSlashesAction {
  if (configured === 'KEEP_UNCHANGED' || configured === 'REJECT_REQUEST' || configured === 'UNESCAPE_AND_REDIRECT' || configured === 'UNESCAPE_AND_FORWARD') {
    return configured;
  }
  switch (runtimeNumber(runtime, 'http_connection_manager.path_with_escaped_slashes_action')) {
    case 2:
      return 'REJECT_REQUEST';
    case 3:
      return 'UNESCAPE_AND_REDIRECT';
    case 4:
      return 'UNESCAPE_AND_FORWARD';
    default:
      return 'KEEP_UNCHANGED';
  }
}

/** Compiles an HCM's request handling with Envoy's defaults. */
export function compileHcmRequestConfig(hcm: HttpConnectionManager, options: HcmRequestCompileOptions): HcmRequestConfig {
  const runtime = options.runtime;
  // normalize_path unset: runtime featureEnabled("http_connection_manager.normalize_path", 0),
  // i.e. DEFAULT_NORMALIZE_PATH (false) unless the runtime key says otherwise.
  let normalizePath = hcm.normalize_path;
  if (normalizePath === undefined) {
    const pct = runtimeNumber(runtime, 'http_connection_manager.normalize_path');
    normalizePath = pct !== undefined && (options.random?.() ?? 0) % 100 < pct;
  }
  const mergeSlashes = hcm.merge_slashes ?? DEFAULT_MERGE_SLASHES;
  const escapedSlashesAction = resolveEscapedSlashesAction(hcm.path_with_escaped_slashes_action, runtime);
  const pathOn = normalizePath || mergeSlashes || escapedSlashesAction !== 'KEEP_UNCHANGED';
  const via = hcm.via ?? '';
  const scheme = hcm.scheme_header_transformation?.scheme_to_overwrite;
  return {
    pathNormalization: pathOn ? { normalizePath, mergeSlashes, escapedSlashesAction } : undefined,
    hostNormalization: hcm.strip_any_host_port || hcm.strip_matching_host_port || hcm.strip_trailing_host_dot ? hcm : undefined,
    mutation: {
      useRemoteAddress: hcm.use_remote_address ?? DEFAULT_USE_REMOTE_ADDRESS,
      xffNumTrustedHops: hcm.xff_num_trusted_hops ?? DEFAULT_XFF_NUM_TRUSTED_HOPS,
      skipXffAppend: hcm.skip_xff_append === true,
      internalAddresses: compileInternalAddressConfig(hcm),
      via,
      generateRequestId: hcm.generate_request_id ?? DEFAULT_GENERATE_REQUEST_ID,
      preserveExternalRequestId: hcm.preserve_external_request_id === true,
      schemeToOverwrite: scheme === 'http' || scheme === 'https' ? scheme : undefined,
      internalOnlyHeaders: ((options.routeConfiguration ?? hcm.route_config)?.internal_only_headers ?? []).map((h) => h.toLowerCase()),
      appendXForwardedPort: (hcm as { append_x_forwarded_port?: boolean }).append_x_forwarded_port === true,
      serverAddress: options.serverAddress,
      xfcc: compileXfccConfig(hcm.forward_client_cert_details, hcm.set_current_client_cert_details),
    },
    response: {
      serverName: hcm.server_name ?? DEFAULT_SERVER_NAME,
      serverHeaderTransformation: hcm.server_header_transformation ?? 'OVERWRITE',
      alwaysSetRequestIdInResponse: hcm.always_set_request_id_in_response === true,
      via,
    },
  };
}

/** The request head the connection manager works on (RouteRequest and RequestHeaderMap fit). */
export interface HcmRequest extends MutableRequest {
  authority: string | undefined;
  path: string;
  /** The method: a CONNECT without a path (authority-form) skips the path checks, as Envoy. */
  method?: string;
}

/** A local reply instead of routing. */
export interface HcmLocalReply {
  readonly kind: 'local_reply';
  readonly status: number;
  /** %RESPONSE_CODE_DETAILS%. */
  readonly details: string;
  /** The `http.<stat_prefix>.` counter that moves (besides downstream_rq_<N>xx). */
  readonly stat: string | undefined;
  /** A codec protocol error: response flag DPE, body `Bad Request`, the connection closes. */
  readonly protocolError: boolean;
  /** `location` of a 307 redirect to the normalised path. */
  readonly location: string | undefined;
  /** One sentence for explain. */
  readonly summary: string;
}

/** The request goes on to routing. */
export interface HcmContinue extends RequestTrust {
  readonly kind: 'continue';
}

const CONTINUE_INTERNAL: HcmContinue = Object.freeze({ kind: 'continue', internal: true, edge: false });
const CONTINUE_EXTERNAL: HcmContinue = Object.freeze({ kind: 'continue', internal: false, edge: false });
const CONTINUE_EDGE: HcmContinue = Object.freeze({ kind: 'continue', internal: false, edge: true });

/** Explain's view of what happened (serve passes none and pays nothing). */
export interface HcmTrace {
  readonly pathSteps: PathNormalizationStep[];
}

function isGrpc(headers: MutableRequest['headers']): boolean {
  const ct = headers['content-type'];
  return hasGrpcContentType(typeof ct === 'string' ? ct : ct?.[0]);
}

function reply(status: number, details: string, stat: string | undefined, summary: string, protocolError = false, location?: string): HcmLocalReply {
  return { kind: 'local_reply', status, details, stat, protocolError, location, summary };
}

/**
 * Runs steps 1-6 on `request` (mutated in place: path, authority, scheme, headers). `peer` is
 * the downstream connection, `tls` its transport, `ids` the request-id source. Returns a local
 * reply, or `continue` with whether the request is internal / edge.
 */
export function decodeRequestHeaders(
  request: HcmRequest,
  peer: DownstreamPeer,
  tls: boolean,
  config: HcmRequestConfig,
  ids: RequestIdSource,
  trace?: HcmTrace,
): HcmContinue | HcmLocalReply {
  const authority = request.authority;
  if (authority !== undefined && !authorityIsValid(authority)) {
    return reply(400, INVALID_AUTHORITY_DETAILS, 'downstream_cx_protocol_error',
      `the Host ${JSON.stringify(authority)} holds ${JSON.stringify(firstInvalidAuthorityChar(authority))}, a character outside the authority grammar: the HTTP/1 codec refuses the request and closes the connection`, true);
  }
  if (authority === undefined) return reply(400, 'missing_host_header', undefined, 'the request has no Host (:authority): the connection manager requires one');
  const path = request.path;
  // A CONNECT carries its target in :authority and has no :path: nothing to check or normalise.
  if (path.length === 0 && request.method === 'CONNECT') return afterPath(request, authority, peer, tls, config, ids);
  if (path.length === 0) return reply(404, 'missing_path', undefined, 'the request has no :path');
  if (path.charCodeAt(0) !== 47 /* / */) {
    return reply(404, 'absolute_path', 'downstream_rq_non_relative_path', `the :path ${JSON.stringify(path)} is not a relative path: only relative paths are routed`);
  }
  const normalized = maybeNormalizePath(path, config.pathNormalization, trace?.pathSteps);
  if (typeof normalized !== 'string') {
    request.path = normalized.path;
    if (normalized.action === 'redirect' && !isGrpc(request.headers)) {
      return reply(307, 'path_normalization_failed', 'downstream_rq_redirected_with_normalized_path',
        `the path held escaped slashes (%2F or %5C): path_with_escaped_slashes_action UNESCAPE_AND_REDIRECT answers 307 to ${normalized.path}`, false, normalized.path);
    }
    const why = normalized.action === 'redirect'
      ? 'the path held escaped slashes and a gRPC client cannot follow the UNESCAPE_AND_REDIRECT redirect'
      : normalized.reason === 'fragment'
        ? 'the path holds a fragment (#): Envoy rejects it (http_reject_path_with_fragment)'
        : normalized.reason === 'escaped_slashes'
          ? 'the path holds escaped slashes (%2F or %5C): path_with_escaped_slashes_action REJECT_REQUEST'
          : 'normalize_path cannot canonicalise the path (a NUL or %00 in it)';
    return reply(400, 'path_normalization_failed', 'downstream_rq_failed_path_normalization', why);
  }
  request.path = normalized;
  return afterPath(request, authority, peer, tls, config, ids);
}

/** Host normalisation and the header mutations, once the path is settled. */
function afterPath(request: HcmRequest, authority: string, peer: DownstreamPeer, tls: boolean, config: HcmRequestConfig, ids: RequestIdSource): HcmContinue {
  if (config.hostNormalization !== undefined) request.authority = normalizeHost(authority, config.hostNormalization, peer.localPort);
  const trust = mutateRequestHeaders(request, peer, tls, config.mutation, ids);
  return trust.internal ? CONTINUE_INTERNAL : trust.edge ? CONTINUE_EDGE : CONTINUE_EXTERNAL;
}
