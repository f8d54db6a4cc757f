/**
 * The config knobs behind response flags, read from one route's context: the route (its retry
 * policy and timeouts), the clusters it sends to (connect timeout, circuit breakers, outlier
 * detection, health checks, endpoints, TLS, protocol options) and its connection manager
 * (stream idle timeout, HTTP filters). Each knob says where it is set (file:line) or that
 * Envoy's default applies. Pure.
 */
import type { Cluster, HttpConnectionManager, RetryPolicy } from '../../config/types.js';
import { fieldPositionOf, positionOf } from '../../config/position.js';
import {
  DEFAULT_CONNECT_TIMEOUT_MS, DEFAULT_HEALTHY_PANIC_THRESHOLD_PERCENT, DEFAULT_MAX_CONNECTIONS, DEFAULT_MAX_PENDING_REQUESTS,
  DEFAULT_MAX_REQUESTS, DEFAULT_MAX_RETRIES, DEFAULT_NUM_RETRIES, DEFAULT_OUTLIER_BASE_EJECTION_TIME_MS,
  DEFAULT_OUTLIER_CONSECUTIVE_5XX, DEFAULT_OUTLIER_CONSECUTIVE_GATEWAY_FAILURE, DEFAULT_OUTLIER_INTERVAL_MS,
  DEFAULT_OUTLIER_MAX_EJECTION_PERCENT, DEFAULT_RETRY_BASE_INTERVAL_MS, DEFAULT_STREAM_IDLE_TIMEOUT_MS,
  DEFAULT_UPSTREAM_IDLE_TIMEOUT_MS, RETRY_MAX_INTERVAL_FACTOR,
} from '../../config/defaults.js';
import type { RouteEntry } from '../../core/route_types.js';
import type { PositionJson } from '../explain/report_types.js';

/** One config setting that decides whether a flag is set. */
export interface KnobJson {
  /** `route api`, `cluster web`, `connection manager ingress`. */
  owner: string;
  /** Envoy's field path: `connect_timeout`, `retry_policy.num_retries`. */
  field: string;
  /** As Envoy reads it: `1s`, `3`, `5xx,connect-failure`, `not set`. */
  value: string;
  /** True when the value is Envoy's default (not written in the config). */
  default: boolean;
  position: PositionJson | null;
  /** What the value means for this flag. */
  note: string | null;
}

/** What the knobs are read from. */
export interface FlagContext {
  readonly route: RouteEntry | undefined;
  readonly routeLabel: string;
  readonly clusters: readonly Cluster[];
  /** Cluster names the route sends to that the config does not define. */
  readonly missingClusters: readonly string[];
  readonly hcm: HttpConnectionManager | undefined;
  readonly statPrefix: string;
}

function pos(o: object | undefined, field?: string): PositionJson | null {
  if (o === undefined) return null;
  const p = field !== undefined ? fieldPositionOf(o, field) : positionOf(o);
  return p ? { file: p.file, line: p.line, col: p.col } : null;
}

/** `5s`, `250ms`, `1.5s`, `0s (disabled)`. */
export function ms(v: number): string {
  if (v === 0) return '0s (disabled)';
  if (v % 1000 === 0) return `${v / 1000}s`;
  if (v > 1000) return `${v / 1000}s`;
  return `${v}ms`;
}

function knob(owner: string, obj: object | undefined, field: string, set: unknown, shown: string, dflt: string, note: string | null = null): KnobJson {
  const isSet = set !== undefined;
  return { owner, field, value: isSet ? shown : dflt, default: !isSet, position: isSet ? pos(obj, field.split('.').pop()) : null, note };
}

export function clusterOwner(c: Cluster): string {
  return `cluster ${c.name}`;
}

/** connect_timeout (UF): the time a connection attempt may take. */
export function connectTimeout(c: Cluster): KnobJson {
  return knob(clusterOwner(c), c, 'connect_timeout', c.connect_timeout, ms(c.connect_timeout ?? 0), `${ms(DEFAULT_CONNECT_TIMEOUT_MS)} (default)`, 'a connection not established within it fails the attempt (UF, upstream_cx_connect_timeout)');
}

/** transport_socket (UF with a TLS reason): upstream TLS. */
export function transportSocket(c: Cluster): KnobJson {
  const t = c.transport_socket;
  const type = t?.typed_config?.['@type'] ?? t?.name;
  return knob(clusterOwner(c), c, 'transport_socket', t, String(type ?? 'set'), 'plaintext (no transport_socket)',
    t ? 'a TLS handshake failure is a connection failure (UF; %UPSTREAM_TRANSPORT_FAILURE_REASON% says why)' : null);
}

/** Endpoints the cluster has, when known offline. */
export function endpoints(c: Cluster): KnobJson {
  const type = c.type ?? 'STATIC';
  if (type === 'EDS' || c.cluster_type !== undefined) {
    return { owner: clusterOwner(c), field: 'type', value: c.cluster_type?.name ?? type, default: false, position: pos(c, c.cluster_type ? 'cluster_type' : 'type'), note: 'endpoints come from discovery: not known offline' };
  }
  let n = 0;
  for (const l of c.load_assignment?.endpoints ?? []) n += l.lb_endpoints?.length ?? 0;
  return {
    owner: clusterOwner(c), field: 'load_assignment', value: `${n} endpoint${n === 1 ? '' : 's'} (${type})`, default: false, position: pos(c, 'load_assignment'),
    note: n === 0 ? 'no endpoint: every request gets 503 UH' : null,
  };
}

/** The default-priority circuit breaker thresholds (UO, and URX when retries overflow). */
export function circuitBreakers(c: Cluster, which: ('max_connections' | 'max_pending_requests' | 'max_requests' | 'max_retries')[]): KnobJson[] {
  const t = c.circuit_breakers?.thresholds?.find((x) => (x.priority ?? 'DEFAULT') === 'DEFAULT');
  const defaults = { max_connections: DEFAULT_MAX_CONNECTIONS, max_pending_requests: DEFAULT_MAX_PENDING_REQUESTS, max_requests: DEFAULT_MAX_REQUESTS, max_retries: DEFAULT_MAX_RETRIES };
  const notes = {
    max_connections: 'connections to the cluster at once; over it: upstream_cx_overflow, requests wait as pending',
    max_pending_requests: 'requests waiting for a connection; over it: 503 UO, upstream_rq_pending_overflow',
    max_requests: 'requests in flight to the cluster; over it: 503 UO, upstream_rq_pending_overflow',
    max_retries: 'retries in flight to the cluster; over it a retry is not made: upstream_rq_retry_overflow (then URX)',
  };
  return which.map((f) => {
    const v = t?.[f];
    return { owner: clusterOwner(c), field: `circuit_breakers.thresholds[DEFAULT].${f}`, value: v !== undefined ? String(v) : `${defaults[f]} (default)`, default: v === undefined, position: v !== undefined && t ? pos(t, f) : null, note: notes[f] };
  });
}

/** Outlier detection (UH when hosts are ejected; consecutive failures counted from UF/5xx). */
export function outlierDetection(c: Cluster): KnobJson[] {
  const o = c.outlier_detection;
  const owner = clusterOwner(c);
  if (o === undefined) return [{ owner, field: 'outlier_detection', value: 'not configured', default: true, position: null, note: 'no host is ever ejected for failing' }];
  return [
    knob(owner, o, 'outlier_detection.consecutive_5xx', o.consecutive_5xx, String(o.consecutive_5xx), `${DEFAULT_OUTLIER_CONSECUTIVE_5XX} (default)`, 'consecutive 5xx (connect failures count as 503) that eject a host'),
    knob(owner, o, 'outlier_detection.consecutive_gateway_failure', o.consecutive_gateway_failure, String(o.consecutive_gateway_failure), `${DEFAULT_OUTLIER_CONSECUTIVE_GATEWAY_FAILURE} (default; enforcing 0%)`, null),
    knob(owner, o, 'outlier_detection.interval', o.interval, ms(o.interval ?? 0), `${ms(DEFAULT_OUTLIER_INTERVAL_MS)} (default)`, null),
    knob(owner, o, 'outlier_detection.base_ejection_time', o.base_ejection_time, ms(o.base_ejection_time ?? 0), `${ms(DEFAULT_OUTLIER_BASE_EJECTION_TIME_MS)} (default)`, 'an ejected host is out for this times the number of its ejections'),
    knob(owner, o, 'outlier_detection.max_ejection_percent', o.max_ejection_percent, `${o.max_ejection_percent}%`, `${DEFAULT_OUTLIER_MAX_EJECTION_PERCENT}% (default)`, 'at most this share of hosts ejected at once'),
  ];
}

/** Active health checks (UH when every host fails them). */
export function healthChecks(c: Cluster): KnobJson {
  const hc = c.health_checks ?? [];
  if (hc.length === 0) return { owner: clusterOwner(c), field: 'health_checks', value: 'none', default: true, position: null, note: 'hosts are healthy unless outlier detection ejects them' };
  const h = hc[0]!;
  const what = h.http_health_check ? `HTTP ${h.http_health_check.path}` : h.tcp_health_check ? 'TCP' : 'configured';
  return {
    owner: clusterOwner(c), field: 'health_checks', value: `${what} every ${ms(h.interval)}, timeout ${ms(h.timeout)}, unhealthy after ${h.unhealthy_threshold}`, default: false,
    position: pos(h), note: 'hosts failing it are not chosen; none healthy: 503 UH (or panic routing)',
  };
}

/** common_lb_config.healthy_panic_threshold: below it Envoy routes to all hosts anyway. */
export function panicThreshold(c: Cluster): KnobJson {
  const v = c.common_lb_config?.healthy_panic_threshold;
  const pct = typeof v === 'number' ? v : (v as { value?: number } | undefined)?.value;
  return knob(clusterOwner(c), c.common_lb_config ?? c, 'common_lb_config.healthy_panic_threshold', pct, `${pct}%`, `${DEFAULT_HEALTHY_PANIC_THRESHOLD_PERCENT}% (default)`,
    'below this share of healthy hosts, Envoy balances over all hosts (lb_healthy_panic); 0% disables panic: UH instead');
}

/** Upstream connection idle timeout and per-connection request cap (UC on reuse of a connection the upstream closed). */
export function upstreamConnection(c: Cluster): KnobJson[] {
  const owner = clusterOwner(c);
  const p = c.common_http_protocol_options;
  const idle = (p as { idle_timeout?: number } | undefined)?.idle_timeout;
  return [
    knob(owner, p ?? c, 'common_http_protocol_options.idle_timeout', idle, ms(idle ?? 0), `${ms(DEFAULT_UPSTREAM_IDLE_TIMEOUT_MS)} (default)`,
      'an idle upstream connection is kept this long; an upstream that closes idle connections sooner causes UC on reuse'),
    knob(owner, c, 'max_requests_per_connection', c.max_requests_per_connection, String(c.max_requests_per_connection), 'unlimited (default)', null),
  ];
}

/** The route's retry policy (URX; and which failures are retried: UF, UC, UR, UT per try). */
export function retryPolicy(owner: string, rp: RetryPolicy | undefined, inherited: boolean): KnobJson[] {
  if (rp === undefined) {
    return [{ owner, field: 'retry_policy', value: 'none', default: true, position: null, note: 'no retry: the first failure is the answer (URX is never set)' }];
  }
  const base = rp.retry_back_off?.base_interval ?? DEFAULT_RETRY_BASE_INTERVAL_MS;
  const from = inherited ? ' (from the virtual host)' : '';
  return [
    knob(owner, rp, 'retry_policy.retry_on', rp.retry_on, `${rp.retry_on}${from}`, 'nothing (no retry_on)', 'failures retried: 5xx, gateway-error, connect-failure (UF), reset (UC/UR), refused-stream, retriable-status-codes...'),
    knob(owner, rp, 'retry_policy.num_retries', rp.num_retries, String(rp.num_retries), `${DEFAULT_NUM_RETRIES} (default)`, 'when they are used up and the last attempt failed: URX'),
    knob(owner, rp, 'retry_policy.per_try_timeout', rp.per_try_timeout, ms(rp.per_try_timeout ?? 0), 'the route timeout (not set)', 'one attempt longer than this is abandoned (upstream_rq_per_try_timeout) and retried if 5xx/gateway-error is retried'),
    knob(owner, rp.retry_back_off ?? rp, 'retry_policy.retry_back_off', rp.retry_back_off, `${ms(base)}..${ms(rp.retry_back_off?.max_interval ?? base * RETRY_MAX_INTERVAL_FACTOR)}`, `${ms(DEFAULT_RETRY_BASE_INTERVAL_MS)}..${ms(DEFAULT_RETRY_BASE_INTERVAL_MS * RETRY_MAX_INTERVAL_FACTOR)} (default)`, 'jittered exponential back-off between attempts'),
  ];
}

/** Route timeouts (UT): the whole request, and idle. */
export function routeTimeouts(owner: string, r: RouteEntry): KnobJson[] {
  const a = r.action;
  return [
    knob(owner, a, 'timeout', a?.timeout, ms(a?.timeout ?? 0), '15s (default)', 'the whole upstream exchange, retries included, from the end of the request: elapsed -> 504 UT response_timeout'),
    knob(owner, a, 'idle_timeout', a?.idle_timeout, ms(a?.idle_timeout ?? 0), 'the connection manager\'s stream_idle_timeout', 'no byte either way for this long: the stream is reset'),
  ];
}

/** The connection manager's stream timeouts (SI, DT). */
export function hcmTimeouts(hcm: HttpConnectionManager | undefined, statPrefix: string): KnobJson[] {
  const owner = `connection manager ${statPrefix}`;
  if (hcm === undefined) return [{ owner, field: 'stream_idle_timeout', value: `${ms(DEFAULT_STREAM_IDLE_TIMEOUT_MS)} (default)`, default: true, position: null, note: 'a bare RouteConfiguration: the connection manager is not known' }];
  const cp = hcm.common_http_protocol_options as { max_stream_duration?: number; max_connection_duration?: number } | undefined;
  return [
    knob(owner, hcm, 'stream_idle_timeout', hcm.stream_idle_timeout, ms(hcm.stream_idle_timeout ?? 0), `${ms(DEFAULT_STREAM_IDLE_TIMEOUT_MS)} (default)`, 'a stream with no activity this long gets 408 (SI) or is reset'),
    knob(owner, hcm, 'request_timeout', hcm.request_timeout, ms(hcm.request_timeout ?? 0), '0s (disabled, default)', 'the whole request must arrive within it (408)'),
    knob(owner, cp ?? hcm, 'common_http_protocol_options.max_stream_duration', cp?.max_stream_duration, ms(cp?.max_stream_duration ?? 0), 'not set (default)', 'a longer stream is reset (DT, downstream_rq_max_duration_reached)'),
  ];
}

/** HTTP filters of the connection manager whose name matches (fault, rate limits, ext_authz). */
export function filters(hcm: HttpConnectionManager | undefined, statPrefix: string, pattern: RegExp, note: string): KnobJson[] {
  const owner = `connection manager ${statPrefix}`;
  const found = (hcm?.http_filters ?? []).filter((f) => pattern.test(f.name) || pattern.test(String(f.typed_config?.['@type'] ?? '')));
  if (found.length === 0) return [{ owner, field: 'http_filters', value: 'no such filter', default: true, position: null, note: 'this flag cannot be set by this connection manager' }];
  return found.map((f) => ({ owner, field: `http_filters[${f.name}]`, value: String(f.typed_config?.['@type'] ?? f.name), default: false, position: pos(f), note }));
}
