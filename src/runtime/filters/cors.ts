/**
 * The CORS filter (`envoy.extensions.filters.http.cors.v3.Cors`; its typed_config has no fields).
 * Policies come from `typed_per_filter_config` (`envoy.extensions.filters.http.cors.v3.CorsPolicy`,
 * the most specific level) and from the deprecated route/virtual-host `cors` fields; each
 * setting is taken from the first policy that sets it (route before virtual host), as Envoy's
 * CorsFilter does across its policy list.
 *
 * Per request (Envoy's CorsFilter::decodeHeaders):
 *  - no policy, `filter_enabled` off (and `shadow_enabled` off), or no `Origin`: nothing to do;
 *  - origin checked against `allow_origin_string_match` (a matcher that matches `*` allows any
 *    origin): `cors.origin_valid` / `cors.origin_invalid`;
 *  - a valid preflight (OPTIONS with `Access-Control-Request-Method`) is answered here with 200 and
 *    `access-control-allow-origin/-credentials/-methods/-headers/-max-age` (and
 *    `-allow-private-network` when asked and allowed); it does not reach the upstream;
 *  - an invalid preflight is forwarded, unless `forward_not_matching_preflights: false`, then it
 *    gets a 200 without CORS headers;
 *  - on the response to a valid CORS request: `access-control-allow-origin` (the request's
 *    origin), `-allow-credentials`, `-expose-headers`.
 *  `shadow_enabled` without `filter_enabled` only counts stats.
 */
import type { Any, CorsPolicy, RuntimeFractionalPercent } from '../../config/types.js';
import { unwrapPerFilterConfig } from '../../config/filters.js';
import { fractionalPercentDenominator } from '../../config/defaults.js';
import type { RuntimeValues } from '../../core/route_types.js';
import type { CompileContext } from '../../core/compile_context.js';
import { compileStringMatcher, type CompiledStringMatcher } from '../../core/string_matcher.js';
import type {
  FilterDataStatus,
  FilterFactoryCb,
  FilterHeadersStatus,
  RequestHeaderMap,
  ResponseHeaderMap,
  StreamDecoderFilterCallbacks,
  StreamEncoderFilterCallbacks,
  StreamFilter,
} from '../http/filter.js';
import type { Counter, StatsScope } from '../stats/store.js';
import type { FilterFactoryContext, HttpFilterRegistration } from './filter_registration.js';

export const CORS_TYPE_URL = 'type.googleapis.com/envoy.extensions.filters.http.cors.v3.Cors';
export const CORS_POLICY_TYPE_URL = 'type.googleapis.com/envoy.extensions.filters.http.cors.v3.CorsPolicy';
export const CORS_FILTER_NAME = 'envoy.filters.http.cors';
/** Response code details of a preflight answered by the filter. */
export const CORS_RESPONSE_DETAILS = 'cors_response';

/** A CorsPolicy, compiled once per policy object. Undefined fields are "not set here". */
export interface CompiledCorsPolicy {
  readonly allowOrigins: readonly CompiledStringMatcher[] | undefined;
  readonly allowMethods: string | undefined;
  readonly allowHeaders: string | undefined;
  readonly exposeHeaders: string | undefined;
  readonly maxAge: string | undefined;
  readonly allowCredentials: boolean | undefined;
  readonly allowPrivateNetworkAccess: boolean | undefined;
  readonly forwardNotMatchingPreflights: boolean | undefined;
  readonly filterEnabled: RuntimeFractionalPercent | undefined;
  readonly shadowEnabled: RuntimeFractionalPercent | undefined;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function bool(v: unknown): boolean | undefined {
  return typeof v === 'boolean' ? v : undefined;
}

/**
 * Compiles a CorsPolicy as the config layer decodes it (the per-route
 * `envoy.extensions.filters.http.cors.v3.CorsPolicy` or the deprecated route/virtual-host
 * `cors` field: snake_case, whichever spelling the user wrote). Throws on an invalid matcher.
 */
export function compileCorsPolicy(p: CorsPolicy, runtime: RuntimeValues = {}): CompiledCorsPolicy {
  const origins = p.allow_origin_string_match;
  let allowOrigins: CompiledStringMatcher[] | undefined;
  if (origins && origins.length) {
    const ctx: CompileContext = { runtime, diagnostics: [], file: '' };
    allowOrigins = origins.map((o, i) => compileStringMatcher(o, ctx, `$.allow_origin_string_match[${i}]`));
    const errors = ctx.diagnostics.filter((d) => d.severity === 'error');
    if (errors.length) throw new Error(`CorsPolicy.allow_origin_string_match: ${errors.map((d) => d.message).join('; ')}`);
  }
  return {
    allowOrigins,
    allowMethods: str(p.allow_methods),
    allowHeaders: str(p.allow_headers),
    exposeHeaders: str(p.expose_headers),
    maxAge: str(p.max_age),
    allowCredentials: bool(p.allow_credentials),
    allowPrivateNetworkAccess: bool(p.allow_private_network_access),
    forwardNotMatchingPreflights: bool(p.forward_not_matching_preflights),
    filterEnabled: p.filter_enabled,
    shadowEnabled: p.shadow_enabled,
  };
}

function headerValue(h: RequestHeaderMap, name: string): string | undefined {
  const v = h.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

class CorsStats {
  readonly originValid: Counter;
  readonly originInvalid: Counter;
  constructor(scope: StatsScope) {
    this.originValid = scope.counter('origin_valid');
    this.originInvalid = scope.counter('origin_invalid');
  }
}

/** State shared by all streams of one filter config. */
class CorsShared {
  private readonly compiled = new WeakMap<object, CompiledCorsPolicy | null>();
  constructor(
    readonly filterNames: readonly string[],
    readonly stats: CorsStats,
    readonly runtime: RuntimeValues,
  ) {}

  private compile(policy: CorsPolicy): CompiledCorsPolicy | null {
    let c = this.compiled.get(policy);
    if (c === undefined) {
      try {
        c = compileCorsPolicy(policy, this.runtime);
      } catch {
        c = null;
      }
      this.compiled.set(policy, c);
    }
    return c;
  }

  /** Policies for this stream, most specific first. */
  policies(callbacks: StreamDecoderFilterCallbacks): CompiledCorsPolicy[] {
    const out: CompiledCorsPolicy[] = [];
    for (const name of this.filterNames) {
      const entry = callbacks.perFilterConfig(name);
      if (entry === undefined) continue;
      const { config, disabled } = unwrapPerFilterConfig(entry);
      if (disabled) return [];
      if (!config) continue;
      const c = this.compile(config as CorsPolicy);
      if (c) out.push(c);
      break;
    }
    // Deprecated route/virtual-host `cors` fields (route first).
    const r = callbacks.route();
    if (r.kind !== 'no_route') {
      const routeCors = r.route?.action?.cors;
      if (routeCors) {
        const c = this.compile(routeCors);
        if (c) out.push(c);
      }
      const vhCors = r.virtualHost.config.cors;
      if (vhCors) {
        const c = this.compile(vhCors);
        if (c) out.push(c);
      }
    }
    return out;
  }
}

function first<K extends keyof CompiledCorsPolicy>(policies: readonly CompiledCorsPolicy[], key: K): CompiledCorsPolicy[K] | undefined {
  for (const p of policies) if (p[key] !== undefined) return p[key];
  return undefined;
}

/** Per-stream CORS filter (decoder and encoder). */
export class CorsFilter implements StreamFilter {
  private decoderCallbacks!: StreamDecoderFilterCallbacks;
  private policies: CompiledCorsPolicy[] = [];
  /** The request's Origin when it was allowed and the filter is enforcing. */
  private allowedOrigin: string | undefined;

  constructor(private readonly shared: CorsShared) {}

  setDecoderFilterCallbacks(callbacks: StreamDecoderFilterCallbacks): void {
    this.decoderCallbacks = callbacks;
  }

  setEncoderFilterCallbacks(_callbacks: StreamEncoderFilterCallbacks): void {}

  decodeHeaders(headers: RequestHeaderMap, _endStream: boolean): FilterHeadersStatus {
    const policies = this.shared.policies(this.decoderCallbacks);
    if (policies.length === 0) return 'Continue';
    this.policies = policies;
    // filter_enabled defaults to 100 %, shadow_enabled to 0 %.
    const enabled = this.featureEnabled(first(policies, 'filterEnabled'), true);
    const shadow = this.featureEnabled(first(policies, 'shadowEnabled'), false);
    if (!enabled && !shadow) return 'Continue';
    const origin = headerValue(headers, 'origin');
    if (origin === undefined || origin === '') return 'Continue';
    const preflight = headers.method === 'OPTIONS' && !!headerValue(headers, 'access-control-request-method');
    if (!this.isOriginAllowed(origin)) {
      this.shared.stats.originInvalid.inc();
      if (enabled && preflight && first(policies, 'forwardNotMatchingPreflights') === false) {
        this.decoderCallbacks.streamInfo.responseCodeDetails = CORS_RESPONSE_DETAILS;
        this.decoderCallbacks.encodeHeaders({ status: 200, headers: { 'content-length': 0 } }, true);
        return 'StopIteration';
      }
      return 'Continue';
    }
    this.shared.stats.originValid.inc();
    if (!enabled) return 'Continue';
    this.allowedOrigin = origin;
    if (!preflight) return 'Continue';

    const response: ResponseHeaderMap = { status: 200, headers: { 'access-control-allow-origin': origin } };
    const h = response.headers;
    if (first(policies, 'allowCredentials') === true) h['access-control-allow-credentials'] = 'true';
    const methods = first(policies, 'allowMethods');
    if (methods) h['access-control-allow-methods'] = methods;
    const allowHeaders = first(policies, 'allowHeaders');
    if (allowHeaders) h['access-control-allow-headers'] = allowHeaders;
    const maxAge = first(policies, 'maxAge');
    if (maxAge) h['access-control-max-age'] = maxAge;
    if (
      first(policies, 'allowPrivateNetworkAccess') === true &&
      headerValue(headers, 'access-control-request-private-network') === 'true'
    ) {
      h['access-control-allow-private-network'] = 'true';
    }
    h['content-length'] = 0;
    // The preflight's response is not a CORS-decorated upstream response.
    this.allowedOrigin = undefined;
    // Envoy answers the preflight with encodeHeaders(..., "cors_response"), not a local reply.
    this.decoderCallbacks.streamInfo.responseCodeDetails = CORS_RESPONSE_DETAILS;
    this.decoderCallbacks.encodeHeaders(response, true);
    return 'StopIteration';
  }

  decodeData(_chunk: Buffer, _endStream: boolean): FilterDataStatus {
    return 'Continue';
  }

  encodeHeaders(headers: ResponseHeaderMap, _endStream: boolean): FilterHeadersStatus {
    const origin = this.allowedOrigin;
    if (origin === undefined) return 'Continue';
    headers.headers['access-control-allow-origin'] = origin;
    if (first(this.policies, 'allowCredentials') === true) headers.headers['access-control-allow-credentials'] = 'true';
    const expose = first(this.policies, 'exposeHeaders');
    if (expose) headers.headers['access-control-expose-headers'] = expose;
    return 'Continue';
  }

  encodeData(_chunk: Buffer, _endStream: boolean): FilterDataStatus {
    return 'Continue';
  }

  onDestroy(): void {}

  private isOriginAllowed(origin: string): boolean {
    const matchers = first(this.policies, 'allowOrigins');
    if (!matchers) return false;
    // Envoy: an allow-origin matcher that matches "*" allows every origin.
    for (const m of matchers) if (m.match(origin) || m.match('*')) return true;
    return false;
  }

  /** Envoy's featureEnabled(runtime_key, default FractionalPercent) with the stream's random. */
  private featureEnabled(p: RuntimeFractionalPercent | undefined, absent: boolean): boolean {
    if (!p) return absent;
    const d = p.default_value ?? {};
    const denominator = fractionalPercentDenominator(d.denominator);
    let numerator = Number(d.numerator ?? 0);
    if (p.runtime_key !== undefined) {
      const v = this.shared.runtime[p.runtime_key];
      if (typeof v === 'number') numerator = v;
    }
    if (numerator <= 0) return false;
    if (numerator >= denominator) return true;
    return this.decoderCallbacks.random.random() % denominator < numerator;
  }
}

/** Runtime factory: one CorsShared per HCM filter entry. */
export function createCorsFilterFactory(typedConfig: Any | undefined, context: FilterFactoryContext): FilterFactoryCb {
  const own = context.hcm.http_filters?.find((f) => f.typed_config === typedConfig)?.name;
  const names = [...new Set([own, CORS_FILTER_NAME, 'envoy.cors'].filter((n): n is string => !!n))];
  const shared = new CorsShared(names, new CorsStats(context.stats.scope('cors.')), context.runtime);
  return () => {
    const f = new CorsFilter(shared);
    return { decoder: f, encoder: f };
  };
}

/** Registry entry (src/runtime/filters/registry.ts). */
export const CORS_FILTER: HttpFilterRegistration = {
  typeUrl: CORS_TYPE_URL,
  names: [CORS_FILTER_NAME, 'envoy.cors'],
  terminal: false,
  createFilterFactory: createCorsFilterFactory,
};
