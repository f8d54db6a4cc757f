/**
 * The offline side of the connection manager's request handling: runs the core's
 * decodeRequestHeaders (core/hcm_request.ts, the very function `serve` runs on every request)
 * on the request match/explain replay, for the chosen listener's HCM, and describes what it did:
 * the path before and after normalisation, the headers it changed, internal vs external, or the
 * local reply (400 / 404 / 307) that stops the request before routing. Pure.
 */
import type { HttpConnectionManager, LoadedConfig, RouteConfiguration } from '../../config/types.js';
import {
  compileHcmRequestConfig,
  decodeRequestHeaders,
  type HcmLocalReply,
  type HcmRequestConfig,
  type HcmTrace,
} from '../../core/hcm_request.js';
import type { RouteRequest } from '../../core/route_types.js';
import type { HeaderChangeJson, OutcomeJson, RequestHandlingJson } from './report_types.js';

/** The peer address match/explain assume when none is given: an external client (TEST-NET-3). */
export const DEFAULT_REMOTE_ADDRESS = '203.0.113.1';

/** The x-request-id a generated id is shown as offline (serve draws a random UUID). */
export const OFFLINE_REQUEST_ID = '00000000-0000-4000-8000-000000000000';

/** The request-id source the offline commands use (a fixed id: serve draws a random UUID). */
export const OFFLINE_IDS = { uuid: (): string => OFFLINE_REQUEST_ID };

/** Header text as the codec would hold it (repeats joined with `,`). */
function text(v: string | string[] | undefined): string | undefined {
  return v === undefined ? undefined : typeof v === 'string' ? v : v.join(',');
}

/** Before -> after for every header the connection manager set, changed or removed. */
function headerChanges(before: RouteRequest['headers'], after: RouteRequest['headers']): HeaderChangeJson[] {
  const out: HeaderChangeJson[] = [];
  for (const name of Object.keys(after)) {
    const a = text(after[name]);
    const b = text(before[name]);
    if (a !== b) out.push({ name, before: b ?? null, after: a ?? null });
  }
  for (const name of Object.keys(before)) {
    if (after[name] === undefined && before[name] !== undefined) out.push({ name, before: text(before[name]) ?? null, after: null });
  }
  return out;
}

/** What `internal_address_config` amounts to, in words for the report. */
function internalAddressesOf(hcm: HttpConnectionManager): RequestHandlingJson['settings']['internal_address_config'] {
  const c = hcm.internal_address_config;
  if (c === undefined) return 'none';
  return (c.cidr_ranges ?? []).length > 0 ? 'cidr_ranges' : 'classic_ranges';
}

/** The result of applying the HCM to the replayed request. */
export interface ConnectionManagerRun {
  readonly handling: RequestHandlingJson;
  /** Set when the connection manager answers locally instead of routing. */
  readonly localReply: HcmLocalReply | undefined;
  readonly config: HcmRequestConfig;
}

/**
 * Applies `hcm` to `request` in place (as serve does to a live request). `remoteAddress` is the
 * downstream peer, `tls` whether the connection is TLS (`--scheme https`), `listenerPort` the
 * port it arrived on, `serverAddress` Envoy's own address (appended to XFF for a loopback peer).
 */
export function applyConnectionManager(
  hcm: HttpConnectionManager,
  request: RouteRequest,
  options: {
    remoteAddress: string;
    tls: boolean;
    listenerPort: number | undefined;
    serverAddress: string;
    config: LoadedConfig;
    randomValue: number;
    /** The route configuration in use (inline or from RDS): its internal_only_headers. */
    routeConfiguration: RouteConfiguration;
  },
): ConnectionManagerRun {
  const config = compileHcmRequestConfig(hcm, {
    runtime: options.config.runtime,
    serverAddress: options.serverAddress,
    random: () => options.randomValue,
    routeConfiguration: options.routeConfiguration,
  });
  const originalPath = request.path;
  const originalAuthority = request.authority ?? null;
  const before = { ...request.headers };
  const trace: HcmTrace = { pathSteps: [] };
  const out = decodeRequestHeaders(request, { remoteAddress: options.remoteAddress, localPort: options.listenerPort }, options.tls, config, OFFLINE_IDS, trace);
  const p = config.pathNormalization;
  const handling: RequestHandlingJson = {
    remote_address: options.remoteAddress,
    tls: options.tls,
    settings: {
      normalize_path: p?.normalizePath ?? false,
      merge_slashes: p?.mergeSlashes ?? false,
      path_with_escaped_slashes_action: p?.escapedSlashesAction ?? 'KEEP_UNCHANGED',
      use_remote_address: config.mutation.useRemoteAddress,
      xff_num_trusted_hops: config.mutation.xffNumTrustedHops,
      skip_xff_append: config.mutation.skipXffAppend,
      internal_address_config: internalAddressesOf(hcm),
      via: config.mutation.via === '' ? null : config.mutation.via,
    },
    original_path: originalPath,
    path: request.path,
    path_steps: trace.pathSteps.map((s) => ({ op: s.op, before: s.before, after: s.after })),
    original_authority: originalAuthority,
    authority: request.authority ?? null,
    header_changes: headerChanges(before, request.headers),
    internal: out.kind === 'continue' ? out.internal : null,
    edge: out.kind === 'continue' ? out.edge : null,
    local_reply:
      out.kind === 'local_reply'
        ? { status: out.status, details: out.details, stat: out.stat ?? null, location: out.location ?? null, protocol_error: out.protocolError }
        : null,
  };
  return { handling, localReply: out.kind === 'local_reply' ? out : undefined, config };
}

/** The outcome of a request the connection manager answers itself. */
export function localReplyOutcome(reply: HcmLocalReply, statPrefix: string): OutcomeJson {
  const stats = reply.stat === undefined ? [] : [`http.${statPrefix}.${reply.stat}`];
  return {
    status: reply.status,
    response_flag: reply.protocolError ? 'DPE' : '-',
    details: reply.details,
    stats,
    summary: reply.summary,
  };
}

/** One line about who the request is from, for notes and text output. */
export function trustSentence(h: RequestHandlingJson): string {
  const who = `the request comes from ${h.remote_address}`;
  if (h.internal === null) return who;
  if (h.internal) return `${who} and is internal (x-envoy-internal: true; its x-envoy-* control headers are honoured)`;
  const why = h.settings.internal_address_config === 'none'
    ? 'no internal_address_config: Envoy treats no address as internal'
    : h.settings.use_remote_address
      ? 'with use_remote_address it is internal only when its address is internal and it sent no x-forwarded-for'
      : 'without use_remote_address it is internal only when x-forwarded-for holds one internal address';
  return `${who} and is external${h.edge ? ' (an edge request: Envoy is its first hop)' : ''} (${why}); x-envoy-* control headers are removed`;
}
