/**
 * An HttpConnectionManager config compiled for the data plane (Envoy's
 * HttpConnectionManagerConfig): Envoy's defaults applied, stats resolved once, the HTTP filter
 * chain built from the registry. Immutable once built; one per filter chain per config snapshot.
 */
import type { Diagnostic } from '../../config/diagnostic.js';
import { localInfoAddress } from '../local_info.js';
import type { HttpConnectionManager, HttpFilter } from '../../config/types.js';
import type { RuntimeValues } from '../../core/route_types.js';
import { positionOf } from '../../config/position.js';
import { compileHcmRequestConfig, type HcmRequestConfig } from '../../core/hcm_request.js';
import {
  DEFAULT_ACCEPT_HTTP_10,
  DEFAULT_HCM_IDLE_TIMEOUT_MS,
  DEFAULT_MAX_HEADERS_COUNT,
  DEFAULT_MAX_REQUEST_HEADERS_KB,
  DEFAULT_REQUEST_HEADERS_TIMEOUT_MS,
  DEFAULT_REQUEST_TIMEOUT_MS,
  DEFAULT_SERVER_NAME,
  DEFAULT_STREAM_IDLE_TIMEOUT_MS,
  DEFAULT_DRAIN_TIMEOUT_MS,
} from '../../config/defaults.js';
import { http2ProtocolOptions, type HeaderLimits, type Http2ProtocolOptions } from '../codec/http2/options.js';
import type { UpgradeConfigLike } from '../../core/upgrade.js';
import type { Counter, Gauge, Histogram, StatsScope, StatsStore } from '../stats/store.js';
import type { ClusterManager } from '../upstream/types.js';
import type { StreamInfo } from '../stream_info.js';
import type { FilterFactoryCb, RandomSource, TimeSource } from './filter.js';
import type { RouteProvider } from './route_provider.js';
import { lookupHttpFilter } from '../filters/registry.js';
import type { FilterFactoryContext } from '../filters/filter_registration.js';
import { httpFilterConfigParser } from '../../config/filters.js';
import type { HttpTracer } from '../tracing/http_tracer.js';
import type { TracerManager } from '../tracing/tracer_manager.js';

/** An access logger as src/runtime/access_log builds them. `log` must not throw. */
export interface AccessLogger {
  log(info: StreamInfo): void;
  close(): void | Promise<void>;
}

/** `http.<stat_prefix>.` stats, resolved once. */
export interface ConnectionManagerStats {
  readonly scope: StatsScope;
  readonly downstream_cx_total: Counter;
  readonly downstream_cx_active: Gauge;
  readonly downstream_cx_http1_total: Counter;
  readonly downstream_cx_http1_active: Gauge;
  readonly downstream_cx_http2_total: Counter;
  readonly downstream_cx_http2_active: Gauge;
  /** Connections over TLS (Envoy's conn_manager stats). */
  readonly downstream_cx_ssl_total: Counter;
  readonly downstream_cx_ssl_active: Gauge;
  readonly downstream_cx_protocol_error: Counter;
  readonly downstream_cx_destroy: Counter;
  readonly downstream_cx_destroy_local: Counter;
  readonly downstream_cx_destroy_remote: Counter;
  readonly downstream_cx_destroy_active_rq: Counter;
  readonly downstream_cx_destroy_local_active_rq: Counter;
  readonly downstream_cx_destroy_remote_active_rq: Counter;
  readonly downstream_cx_idle_timeout: Counter;
  readonly downstream_cx_length_ms: Histogram;
  readonly downstream_rq_total: Counter;
  readonly downstream_rq_http1_total: Counter;
  readonly downstream_rq_http2_total: Counter;
  readonly downstream_rq_active: Gauge;
  readonly downstream_rq_completed: Counter;
  /** Index 1..5: downstream_rq_1xx .. downstream_rq_5xx. */
  readonly downstream_rq_xx: readonly Counter[];
  readonly downstream_rq_time: Histogram;
  readonly downstream_rq_timeout: Counter;
  readonly downstream_rq_idle_timeout: Counter;
  readonly downstream_rq_header_timeout: Counter;
  readonly downstream_rq_max_duration_reached: Counter;
  readonly downstream_rq_rx_reset: Counter;
  readonly downstream_rq_failed_path_normalization: Counter;
  readonly downstream_rq_redirected_with_normalized_path: Counter;
  readonly downstream_rq_non_relative_path: Counter;
  readonly downstream_rq_tx_reset: Counter;
}

function resolveStats(scope: StatsScope): ConnectionManagerStats {
  const xx: Counter[] = [];
  for (let i = 0; i <= 5; i++) xx.push(scope.counter(`downstream_rq_${i === 0 ? 1 : i}xx`));
  return {
    scope,
    downstream_cx_total: scope.counter('downstream_cx_total'),
    downstream_cx_active: scope.gauge('downstream_cx_active'),
    downstream_cx_http1_total: scope.counter('downstream_cx_http1_total'),
    downstream_cx_http1_active: scope.gauge('downstream_cx_http1_active'),
    downstream_cx_http2_total: scope.counter('downstream_cx_http2_total'),
    downstream_cx_http2_active: scope.gauge('downstream_cx_http2_active'),
    downstream_cx_ssl_total: scope.counter('downstream_cx_ssl_total'),
    downstream_cx_ssl_active: scope.gauge('downstream_cx_ssl_active'),
    downstream_cx_protocol_error: scope.counter('downstream_cx_protocol_error'),
    downstream_cx_destroy: scope.counter('downstream_cx_destroy'),
    downstream_cx_destroy_local: scope.counter('downstream_cx_destroy_local'),
    downstream_cx_destroy_remote: scope.counter('downstream_cx_destroy_remote'),
    downstream_cx_destroy_active_rq: scope.counter('downstream_cx_destroy_active_rq'),
    downstream_cx_destroy_local_active_rq: scope.counter('downstream_cx_destroy_local_active_rq'),
    downstream_cx_destroy_remote_active_rq: scope.counter('downstream_cx_destroy_remote_active_rq'),
    downstream_cx_idle_timeout: scope.counter('downstream_cx_idle_timeout'),
    downstream_cx_length_ms: scope.histogram('downstream_cx_length_ms'),
    downstream_rq_total: scope.counter('downstream_rq_total'),
    downstream_rq_http1_total: scope.counter('downstream_rq_http1_total'),
    downstream_rq_http2_total: scope.counter('downstream_rq_http2_total'),
    downstream_rq_active: scope.gauge('downstream_rq_active'),
    downstream_rq_completed: scope.counter('downstream_rq_completed'),
    downstream_rq_xx: xx,
    downstream_rq_time: scope.histogram('downstream_rq_time'),
    downstream_rq_timeout: scope.counter('downstream_rq_timeout'),
    downstream_rq_idle_timeout: scope.counter('downstream_rq_idle_timeout'),
    downstream_rq_header_timeout: scope.counter('downstream_rq_header_timeout'),
    downstream_rq_max_duration_reached: scope.counter('downstream_rq_max_duration_reached'),
    downstream_rq_rx_reset: scope.counter('downstream_rq_rx_reset'),
    downstream_rq_failed_path_normalization: scope.counter('downstream_rq_failed_path_normalization'),
    downstream_rq_redirected_with_normalized_path: scope.counter('downstream_rq_redirected_with_normalized_path'),
    downstream_rq_non_relative_path: scope.counter('downstream_rq_non_relative_path'),
    downstream_rq_tx_reset: scope.counter('downstream_rq_tx_reset'),
  };
}

/** A compiled HCM: Envoy's defaults applied. Immutable; shared by every stream of its filter chain. */
export interface ConnectionManagerConfig {
  readonly statPrefix: string;
  readonly stats: ConnectionManagerStats;
  readonly routeProvider: RouteProvider;
  readonly filterFactories: readonly FilterFactoryCb[];
  readonly accessLoggers: readonly AccessLogger[];
  readonly random: RandomSource;
  readonly time: TimeSource;
  /** `server_name` (default "envoy"), for replies written without a stream. */
  readonly serverName: string;
  /**
   * What the connection manager does to a request head before routing and to every response
   * (core/hcm_request.ts, the same function match/explain call): authority validation, path and
   * host normalisation, header mutation, the server/via/x-request-id response headers.
   */
  readonly request: HcmRequestConfig;
  /** `http_protocol_options.accept_http_10` (default false: HTTP/1.0 and 0.9 get 426). */
  readonly acceptHttp10: boolean;
  readonly defaultHostForHttp10: string | undefined;
  readonly maxRequestHeadersKb: number;
  readonly maxHeadersCount: number;
  /** common_http_protocol_options.headers_with_underscores_action (default ALLOW). */
  readonly headersWithUnderscoresAction: 'ALLOW' | 'REJECT_REQUEST' | 'DROP_HEADER';
  /** Connection idle timeout (common_http_protocol_options.idle_timeout, default 1 h; 0 disables). */
  readonly idleTimeoutMs: number;
  readonly streamIdleTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly requestHeadersTimeoutMs: number;
  /** common_http_protocol_options.max_requests_per_connection (0 = unlimited, Envoy's default). */
  readonly maxRequestsPerConnection: number;
  /** HCM `tracing` (src/runtime/tracing); undefined without a tracing block. */
  readonly tracer: HttpTracer | undefined;
  /** `codec_type` (default AUTO: the HTTP/2 preface, else HTTP/1.1; over TLS, ALPN). */
  readonly codecType: 'AUTO' | 'HTTP1' | 'HTTP2';
  /** `http2_protocol_options` with Envoy's defaults (codec/http2/options.ts). */
  readonly http2: Http2ProtocolOptions;
  /** The header limits both codecs enforce (max_request_headers_kb, max_headers_count, underscores). */
  readonly headerLimits: HeaderLimits;
  /** The store `http2.*` stats are created in on first use (downstream: rooted at the store, as Envoy's). */
  readonly store: StatsStore;
  /** `drain_timeout` (5 s): between an HTTP/2 drain's first GOAWAY and the final one. */
  readonly drainTimeoutMs: number;
  /** `upgrade_configs`: the upgrades (and CONNECT) the connection manager lets through. */
  readonly upgradeConfigs: readonly UpgradeConfigLike[];
}

/** What building an HCM needs from the server. */
export interface ConnectionManagerDeps {
  readonly store: StatsStore;
  readonly clusterManager: ClusterManager;
  readonly runtime: RuntimeValues;
  readonly random: RandomSource;
  readonly time: TimeSource;
  readonly routeProvider: RouteProvider;
  readonly accessLoggers: readonly AccessLogger[];
  readonly file: string;
  /** Server-wide state filters read (health check filter). */
  readonly server?: FilterFactoryContext['server'];
  /** Builds the HCM's tracer (server.ts); without it a `tracing` block is not run. */
  readonly tracers?: TracerManager;
}

/**
 * Compiles an HCM. Filters tsproxy cannot run are errors (serve refuses to start) unless
 * `is_optional`, which are skipped with a warning, as Envoy does. `disabled` filters are skipped.
 */
export function buildConnectionManagerConfig(
  hcm: HttpConnectionManager,
  deps: ConnectionManagerDeps,
): { config: ConnectionManagerConfig | undefined; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const scope = deps.store.scope(`http.${hcm.stat_prefix}.`);
  const ctx: FilterFactoryContext = {
    statPrefix: hcm.stat_prefix,
    stats: scope,
    store: deps.store,
    clusterManager: deps.clusterManager,
    runtime: deps.runtime,
    random: deps.random,
    time: deps.time,
    hcm,
    routeProvider: deps.routeProvider,
    ...(deps.server ? { server: deps.server } : {}),
  };
  const scheme = hcm.scheme_header_transformation?.scheme_to_overwrite;
  if (scheme !== undefined && scheme !== 'http' && scheme !== 'https') {
    diagnostics.push(diag(deps.file, hcm.scheme_header_transformation!, 'error', 'serve/filter-config', `HTTP connection manager "${hcm.stat_prefix}": scheme_header_transformation.scheme_to_overwrite must be "http" or "https", got "${scheme}"`, 'scheme_header_transformation'));
  }
  if (hcm.codec_type === 'HTTP3') {
    diagnostics.push(diag(deps.file, hcm, 'error', 'serve/unsupported-codec', `HTTP connection manager "${hcm.stat_prefix}": codec_type HTTP3 (QUIC) is not implemented (HTTP1, HTTP2 and AUTO are)`, 'codec_type'));
  }
  const factories: FilterFactoryCb[] = [];
  const filters: HttpFilter[] = hcm.http_filters ?? [];
  let sawTerminal = false;
  filters.forEach((f, i) => {
    const path = `http_filters[${i}]`;
    if (f.disabled) return;
    const reg = lookupHttpFilter(f);
    if (!reg) {
      const type = f.typed_config?.['@type'] ?? f.name;
      if (f.is_optional) {
        diagnostics.push(diag(deps.file, f, 'warning', 'serve/optional-filter-skipped', `optional HTTP filter "${f.name}" (${type}) cannot run in tsproxy; skipped`, path));
      } else {
        diagnostics.push(diag(deps.file, f, 'error', 'serve/unsupported-filter', `HTTP filter "${f.name}" (${type}) cannot run in tsproxy; refusing to start (mark it is_optional to skip it)`, path));
      }
      return;
    }
    // The pure config parser lint/explain use: its semantic errors refuse the start here too.
    const parser = httpFilterConfigParser(f);
    if (parser) {
      const parsed = parser.parseFilterConfig(f.typed_config, `$.${path}.typed_config`);
      for (const d of parsed.diagnostics) diagnostics.push(d.file ? d : { ...d, file: deps.file });
      if (parsed.diagnostics.some((d) => d.severity === 'error')) return;
    }
    if (sawTerminal) {
      diagnostics.push(diag(deps.file, f, 'error', 'serve/filter-after-terminal', `HTTP filter "${f.name}" comes after the terminal router filter`, path));
      return;
    }
    try {
      factories.push(reg.createFilterFactory(f.typed_config, ctx));
    } catch (err) {
      diagnostics.push(diag(deps.file, f, 'error', 'serve/filter-config', `HTTP filter "${f.name}": ${(err as Error).message}`, path));
      return;
    }
    if (reg.terminal) sawTerminal = true;
  });
  if (!sawTerminal && !diagnostics.some((d) => d.severity === 'error')) {
    diagnostics.push(diag(deps.file, hcm, 'error', 'serve/no-terminal-filter', `HTTP connection manager "${hcm.stat_prefix}" has no terminal (router) filter`, 'http_filters'));
  }
  const traced = deps.tracers?.forHcm(hcm, scope);
  if (traced !== undefined) diagnostics.push(...traced.diagnostics);
  if (diagnostics.some((d) => d.severity === 'error')) return { config: undefined, diagnostics };
  const common = hcm.common_http_protocol_options ?? {};
  const h1 = hcm.http_protocol_options ?? {};
  const config: ConnectionManagerConfig = {
    statPrefix: hcm.stat_prefix,
    stats: resolveStats(scope),
    routeProvider: deps.routeProvider,
    filterFactories: factories,
    accessLoggers: deps.accessLoggers,
    random: deps.random,
    time: deps.time,
    serverName: hcm.server_name ?? DEFAULT_SERVER_NAME,
    request: compileHcmRequestConfig(hcm, { runtime: deps.runtime, serverAddress: localInfoAddress(), random: () => deps.random.random() }),
    acceptHttp10: h1.accept_http_10 ?? DEFAULT_ACCEPT_HTTP_10,
    defaultHostForHttp10: h1.default_host_for_http_10,
    maxRequestHeadersKb: hcm.max_request_headers_kb ?? DEFAULT_MAX_REQUEST_HEADERS_KB,
    maxHeadersCount: common.max_headers_count ?? DEFAULT_MAX_HEADERS_COUNT,
    headersWithUnderscoresAction: common.headers_with_underscores_action ?? 'ALLOW',
    idleTimeoutMs: common.idle_timeout ?? DEFAULT_HCM_IDLE_TIMEOUT_MS,
    streamIdleTimeoutMs: hcm.stream_idle_timeout ?? DEFAULT_STREAM_IDLE_TIMEOUT_MS,
    requestTimeoutMs: hcm.request_timeout ?? DEFAULT_REQUEST_TIMEOUT_MS,
    requestHeadersTimeoutMs: hcm.request_headers_timeout ?? DEFAULT_REQUEST_HEADERS_TIMEOUT_MS,
    maxRequestsPerConnection: common.max_requests_per_connection ?? 0,
    tracer: traced?.tracer,
    codecType: hcm.codec_type === 'HTTP1' || hcm.codec_type === 'HTTP2' ? hcm.codec_type : 'AUTO',
    http2: http2ProtocolOptions(hcm.http2_protocol_options, hcm.stream_error_on_invalid_http_message),
    headerLimits: {
      maxHeadersBytes: (hcm.max_request_headers_kb ?? DEFAULT_MAX_REQUEST_HEADERS_KB) * 1024,
      maxHeadersCount: common.max_headers_count ?? DEFAULT_MAX_HEADERS_COUNT,
      headersWithUnderscoresAction: common.headers_with_underscores_action ?? 'ALLOW',
    },
    store: deps.store,
    drainTimeoutMs: hcm.drain_timeout ?? DEFAULT_DRAIN_TIMEOUT_MS,
    upgradeConfigs: hcm.upgrade_configs ?? [],
  };
  return { config, diagnostics };
}

function diag(file: string, node: object, severity: 'error' | 'warning', rule: string, message: string, path: string): Diagnostic {
  const pos = positionOf(node);
  return { file: pos?.file ?? file, line: pos?.line ?? 1, col: pos?.col ?? 1, severity, rule, message, path };
}
