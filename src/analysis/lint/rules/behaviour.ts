/**
 * Behaviour rules: configurations Envoy accepts that time out, never retry, never reach the
 * router, or send every request to 503 — and an admin endpoint open to the network.
 */
import { DEFAULT_ROUTE_TIMEOUT_MS } from '../../../config/defaults.js';
import type { CircuitBreakerThresholds, HttpFilter, RetryPolicy } from '../../../config/types.js';
import { ROUTER_TYPE, httpFilterKind } from '../../../config/filters.js';
import type { LintRule } from '../rule.js';
import { allRoutes, routeLabel, vhostLabel, virtualHosts } from '../walk.js';

function ms(v: number): string {
  return v % 1000 === 0 ? `${v / 1000}s` : `${v}ms`;
}

export const perTryTimeout: LintRule = {
  id: 'route/per-try-timeout',
  severity: 'warning',
  category: 'behaviour',
  summary: "A retry policy's per_try_timeout is not shorter than the route timeout (default 15s).",
  help:
    'The route timeout (RouteAction.timeout, default 15s) covers all attempts, so a per_try_timeout at or above it ' +
    'leaves no time for a retry: the route times out (504 UT) first. Make per_try_timeout shorter than the route ' +
    'timeout, or raise the route timeout.',
  example: 'route: { cluster: a, retry_policy: { retry_on: 5xx, per_try_timeout: 20s } }   # timeout defaults to 15s',
  check(ctx) {
    for (const r of allRoutes(ctx.model)) {
      const a = r.route.route;
      if (!a) continue;
      // The route's retry_policy replaces the virtual host's entirely (Envoy).
      const own = a.retry_policy !== undefined;
      const rp = a.retry_policy ?? r.vhost.vhost.retry_policy;
      if (!rp || typeof rp.per_try_timeout !== 'number' || rp.per_try_timeout <= 0) continue;
      const timeout = typeof a.timeout === 'number' ? a.timeout : DEFAULT_ROUTE_TIMEOUT_MS;
      if (timeout === 0 || rp.per_try_timeout < timeout) continue; // 0s disables the route timeout
      const path = own ? `${r.path}.route.retry_policy.per_try_timeout` : `${r.vhost.path}.retry_policy.per_try_timeout`;
      const src = a.timeout === undefined ? `the default route timeout ${ms(timeout)}` : `the route timeout ${ms(timeout)}`;
      ctx.report(this, { node: rp, field: 'per_try_timeout', path },
        `${routeLabel(r)} in ${vhostLabel(r.vhost)}: per_try_timeout ${ms(rp.per_try_timeout)} is not shorter than ${src}, so no retry can happen ` +
          'before the request times out (504 UT); shorten per_try_timeout or raise the route timeout');
    }
  },
};

/** True when a retry policy names a condition under which Envoy retries. */
function hasRetryCondition(rp: RetryPolicy): boolean {
  // Any non-empty item in the comma-separated retry_on list.
  return (typeof rp.retry_on === 'string' && /[^,\s]/.test(rp.retry_on)) || (rp.retriable_headers?.length ?? 0) > 0;
}

export const retryNoCondition: LintRule = {
  id: 'route/retry-no-condition',
  severity: 'warning',
  category: 'behaviour',
  summary: 'A retry policy has no retry_on condition, so it never retries.',
  help:
    'Envoy retries only on the conditions in retry_on (5xx, gateway-error, reset, connect-failure, ' +
    'retriable-status-codes, ...) or retriable_headers; without one, num_retries has no effect unless every ' +
    'client sends x-envoy-retry-on. Add retry_on, e.g. "5xx,reset,connect-failure".',
  example: 'retry_policy: { num_retries: 3 }',
  check(ctx) {
    const check = (rp: RetryPolicy | undefined, path: string, where: string) => {
      if (!rp || hasRetryCondition(rp)) return;
      const codes = (rp.retriable_status_codes?.length ?? 0) > 0 ? ' (retriable_status_codes needs "retriable-status-codes" in retry_on)' : '';
      ctx.report(this, { node: rp, path }, `${where}: retry policy has no retry_on condition, so requests are never retried${codes}; add retry_on, e.g. "5xx,reset,connect-failure"`);
    };
    for (const r of allRoutes(ctx.model)) {
      const rp = r.route.route?.retry_policy;
      if (rp && !hasRetryCondition(rp)) check(rp, `${r.path}.route.retry_policy`, `${routeLabel(r)} in ${vhostLabel(r.vhost)}`);
    }
    // Virtual host retry policies, once each (a virtual host without routes still counts).
    for (const vh of virtualHosts(ctx.model)) check(vh.vhost.retry_policy, `${vh.path}.retry_policy`, vhostLabel(vh));
  },
};

/** True for Envoy's router filter: by `@type`, or by its well-known name when it has no typed_config (config/filters.ts). */
export function isRouterFilter(f: HttpFilter): boolean {
  return httpFilterKind(f) === 'router';
}

export const routerMissing: LintRule = {
  id: 'http/router-missing',
  severity: 'error',
  category: 'behaviour',
  summary: 'An HTTP connection manager has no router filter.',
  help:
    'The router filter (envoy.filters.http.router) is what forwards requests upstream; without it no request ' +
    'reaches a cluster. Add it as the last entry of http_filters.',
  example: 'http_filters: [{ name: envoy.filters.http.cors, typed_config: {...} }]',
  check(ctx) {
    for (const h of ctx.model.hcms) {
      const filters = h.hcm.http_filters ?? [];
      if (filters.some(isRouterFilter)) continue;
      const target = h.hcm.http_filters ? { node: h.hcm, field: 'http_filters', path: `${h.path}.http_filters` } : { node: h.hcm, path: h.path };
      ctx.report(this, target,
        `HTTP connection manager "${h.hcm.stat_prefix ?? ''}" has no router filter, so no request is forwarded; add ` +
          '{ name: envoy.filters.http.router, typed_config: { "@type": type.googleapis.com/' + ROUTER_TYPE + ' } } as the last http_filter');
    }
  },
};

export const routerNotLast: LintRule = {
  id: 'http/router-not-last',
  severity: 'error',
  category: 'behaviour',
  summary: 'The router filter is not the last HTTP filter.',
  help:
    'The router is a terminal filter: Envoy rejects a chain where it is not last ("terminal filter ... must be the ' +
    'last filter in a http filter chain"). Move the router to the end of http_filters.',
  example: 'http_filters: [{ name: envoy.filters.http.router }, { name: envoy.filters.http.cors }]',
  check(ctx) {
    for (const h of ctx.model.hcms) {
      const filters = h.hcm.http_filters ?? [];
      const i = filters.findIndex(isRouterFilter);
      if (i < 0 || i === filters.length - 1) continue;
      ctx.report(this, { node: filters[i]!, path: `${h.path}.http_filters[${i}]` },
        `router filter "${filters[i]!.name}" is followed by ${filters.length - 1 - i} more filter(s); Envoy requires the router to be last — move it to the end`);
    }
  },
};

export const filterAfterRouter: LintRule = {
  id: 'http/filter-after-router',
  severity: 'warning',
  category: 'behaviour',
  summary: 'An HTTP filter is listed after the router and would never run.',
  help:
    'The router ends decoding: filters after it never see a request (the original Envoy bug report: a buffer ' +
    'filter after the router had no effect). Move the filter before the router.',
  example: 'http_filters: [{ name: envoy.filters.http.router }, { name: envoy.filters.http.fault }]',
  check(ctx) {
    for (const h of ctx.model.hcms) {
      const filters = h.hcm.http_filters ?? [];
      const i = filters.findIndex(isRouterFilter);
      if (i < 0) continue;
      for (let j = i + 1; j < filters.length; j++) {
        if (isRouterFilter(filters[j]!)) continue;
        ctx.report(this, { node: filters[j]!, path: `${h.path}.http_filters[${j}]` },
          `HTTP filter "${filters[j]!.name}" comes after the router and would never run; move it before "${filters[i]!.name}"`);
      }
    }
  },
};

export const clusterNoEndpoints: LintRule = {
  id: 'cluster/no-endpoints',
  severity: 'warning',
  category: 'behaviour',
  summary: 'A STATIC or DNS cluster has no endpoints.',
  help:
    'A cluster with no hosts answers every request with 503 UH (no_healthy_upstream). Add endpoints under ' +
    'load_assignment.endpoints[].lb_endpoints, or use type EDS if a management server provides them.',
  example: 'clusters: [{ name: backend, type: STATIC }]',
  check(ctx) {
    for (const c of ctx.model.clusters) {
      const type = c.cluster.type ?? 'STATIC';
      if (c.cluster.cluster_type !== undefined) continue; // custom cluster: hosts come from its extension
      if (type === 'EDS' || type === 'ORIGINAL_DST') continue; // endpoints from xDS / the original destination
      const n = (c.cluster.load_assignment?.endpoints ?? []).reduce((s, l) => s + (l.lb_endpoints?.length ?? 0), 0);
      if (n > 0) continue;
      ctx.report(this, { node: c.cluster, field: 'name', path: `${c.path}.name` },
        `${type} cluster "${c.cluster.name}" has no endpoints, so every request to it gets 503 UH; add load_assignment endpoints or use type EDS`);
    }
  },
};

const THRESHOLD_FIELDS = ['max_connections', 'max_pending_requests', 'max_requests', 'max_retries'] as const;

/** What a threshold of 0 does (Envoy's circuit breaking: overflow is 503 UO with x-envoy-overloaded). */
const EFFECT: Record<(typeof THRESHOLD_FIELDS)[number], string> = {
  max_connections: 'no upstream connection can be opened and every request overflows with 503 UO',
  max_pending_requests: 'no request may wait for a connection: any request without a ready idle connection overflows with 503 UO',
  max_requests: 'every request overflows with 503 UO',
  max_retries: 'no request is ever retried',
};

export const circuitBreakerZero: LintRule = {
  id: 'cluster/circuit-breaker-zero',
  severity: 'warning',
  category: 'behaviour',
  summary: 'A circuit breaker threshold is 0.',
  help:
    'With max_connections or max_requests at 0 every request overflows with 503 UO (x-envoy-overloaded); with ' +
    'max_pending_requests 0 every request that has to wait for a connection does; max_retries 0 disables retries. Remove the field to get Envoy\'s default (1024/1024/1024/3) or set a positive limit.',
  example: 'circuit_breakers: { thresholds: [{ max_requests: 0 }] }',
  check(ctx) {
    for (const c of ctx.model.clusters) {
      const visit = (list: CircuitBreakerThresholds[] | undefined, key: string) =>
        (list ?? []).forEach((t, i) => {
          for (const f of THRESHOLD_FIELDS) {
            if (t[f] !== 0) continue;
            const effect = EFFECT[f];
            ctx.report(this, { node: t, field: f, path: `${c.path}.circuit_breakers.${key}[${i}].${f}` },
              `cluster "${c.cluster.name}": circuit breaker ${f} is 0, so ${effect}; remove it for Envoy's default or set a positive limit`);
          }
        });
      visit(c.cluster.circuit_breakers?.thresholds, 'thresholds');
      visit(c.cluster.circuit_breakers?.per_host_thresholds, 'per_host_thresholds');
    }
  },
};

export const healthyThresholdZero: LintRule = {
  id: 'cluster/healthy-threshold-zero',
  severity: 'warning',
  category: 'behaviour',
  summary: 'A health check has healthy_threshold 0.',
  help:
    'healthy_threshold is the number of passing checks before a host is marked healthy again; 0 is not a ' +
    'meaningful count (use 1 to mark a host healthy after one success, Envoy\'s usual examples use 2 or more).',
  example: 'health_checks: [{ timeout: 1s, interval: 5s, unhealthy_threshold: 3, healthy_threshold: 0, ... }]',
  check(ctx) {
    for (const c of ctx.model.clusters) {
      (c.cluster.health_checks ?? []).forEach((hc, i) => {
        if (hc.healthy_threshold !== 0) return;
        ctx.report(this, { node: hc, field: 'healthy_threshold', path: `${c.path}.health_checks[${i}].healthy_threshold` },
          `cluster "${c.cluster.name}": healthy_threshold is 0; set it to at least 1 (the checks needed to mark a host healthy again)`);
      });
    }
  },
};

export const maxEjectionNoPanic: LintRule = {
  id: 'cluster/max-ejection-no-panic',
  severity: 'warning',
  category: 'behaviour',
  summary: 'Outlier detection may eject every host (max_ejection_percent 100) and panic mode is disabled.',
  help:
    'With max_ejection_percent 100 outlier detection can eject all hosts. Envoy\'s panic threshold ' +
    '(common_lb_config.healthy_panic_threshold, default 50%) normally routes to all hosts anyway; with it set to 0 ' +
    'the cluster then answers 503 UH. Lower max_ejection_percent or keep a panic threshold.',
  example: 'outlier_detection: { max_ejection_percent: 100 }, common_lb_config: { healthy_panic_threshold: { value: 0 } }',
  check(ctx) {
    for (const c of ctx.model.clusters) {
      const od = c.cluster.outlier_detection;
      if (!od || od.max_ejection_percent !== 100) continue;
      if (c.cluster.common_lb_config?.healthy_panic_threshold !== 0) continue;
      ctx.report(this, { node: od, field: 'max_ejection_percent', path: `${c.path}.outlier_detection.max_ejection_percent` },
        `cluster "${c.cluster.name}": max_ejection_percent 100 with healthy_panic_threshold 0 lets outlier detection eject every host (503 UH); ` +
          'lower max_ejection_percent or restore a panic threshold');
    }
  },
};

/** True for 127.0.0.0/8, ::1, localhost and unix sockets. */
export function isLoopback(address: string): boolean {
  const a = address.trim().toLowerCase();
  return /^127\.\d+\.\d+\.\d+$/.test(a) || a === '::1' || a === '[::1]' || a === 'localhost' || a === '::ffff:127.0.0.1';
}

export const adminNonLoopback: LintRule = {
  id: 'admin/non-loopback',
  severity: 'warning',
  category: 'behaviour',
  summary: 'The admin interface listens on a non-loopback address.',
  help:
    'The admin API can drain listeners, change runtime and quit the server, with no authentication. Envoy\'s edge ' +
    'best practices say to restrict access to it: bind it to 127.0.0.1 (or a unix socket).',
  example: 'admin: { address: { socket_address: { address: 0.0.0.0, port_value: 9901 } } }',
  check(ctx) {
    const a = ctx.model.admin;
    const s = a?.admin.address?.socket_address;
    if (!a || !s || typeof s.address !== 'string' || isLoopback(s.address)) return;
    ctx.report(this, { node: s, field: 'address', path: `${a.path}.address.socket_address.address` },
      `admin interface binds ${s.address}: anyone who can reach port ${s.port_value ?? '?'} can drain, reconfigure or stop the proxy; bind it to 127.0.0.1`);
  },
};

export const behaviourRules: readonly LintRule[] = [
  perTryTimeout,
  retryNoCondition,
  routerMissing,
  routerNotLast,
  filterAfterRouter,
  clusterNoEndpoints,
  circuitBreakerZero,
  healthyThresholdZero,
  maxEjectionNoPanic,
  adminNonLoopback,
];
