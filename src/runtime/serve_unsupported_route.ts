/**
 * serve's startup checks of route configurations: request mirroring (not implemented), virtual
 * host and route fields serve does not honour, route actions (idle timeouts, internal redirects,
 * hash policy cookies...), retry policies (the `retry_on` conditions the router does not
 * implement: router_retry.ts) and cluster specifier plugins (serve runs none: an optional one is
 * a warning, any other an error). Pure: reads the config and positions only.
 */
import type { RetryPolicy, Route, RouteAction, RouteConfiguration, VirtualHost } from '../config/types.js';
import { clusterSpecifierPluginLabel, clusterSpecifierPluginOf } from '../core/cluster_specifier_plugin.js';
import { isSet, type Collector } from './serve_unsupported_collector.js';

/** `retry_on` conditions the router implements (router_retry.ts). */
const SUPPORTED_RETRY_ON: ReadonlySet<string> = new Set([
  '5xx', 'gateway-error', 'connect-failure', 'retriable-4xx', 'refused-stream', 'retriable-status-codes', 'reset',
]);

function mirrorCheck(c: Collector, node: { request_mirror_policies?: unknown[] }, path: string, who: string): void {
  if (isSet(node.request_mirror_policies)) {
    c.warn(node, 'request_mirror_policies', path, `${who}: request_mirror_policies (request shadowing) are not implemented by serve; requests are not mirrored`);
  }
}

/** Every check of one route configuration (`path`: its JSON path), its virtual hosts and routes included. */
export function routeConfigChecks(c: Collector, rc: RouteConfiguration, path: string): void {
  const who = `route configuration${rc.name ? ` "${rc.name}"` : ''}`;
  mirrorCheck(c, rc, path, who);
  (rc.virtual_hosts ?? []).forEach((vh, i) => virtualHostChecks(c, vh, `${path}.virtual_hosts[${i}]`));
  clusterSpecifierPluginChecks(c, rc, path);
}

/**
 * Cluster specifier plugins: serve runs none. One that is not `is_optional` makes Envoy refuse a
 * config it cannot load, so serve refuses to start rather than answer 503 to every request routed
 * to it; an optional one starts, and requests routed to it get 503 NC (cluster_not_found).
 */
function clusterSpecifierPluginChecks(c: Collector, rc: RouteConfiguration, path: string): void {
  (rc.virtual_hosts ?? []).forEach((vh, vi) => {
    (vh.routes ?? []).forEach((r, ri) => {
      const p = r.route === undefined ? undefined : clusterSpecifierPluginOf(r.route, rc);
      if (p === undefined) return;
      const rpath = `${path}.virtual_hosts[${vi}].routes[${ri}].route`;
      const who = `virtual host "${vh.name}", ${r.name ? `route "${r.name}"` : `routes[${ri}]`}`;
      const what = clusterSpecifierPluginLabel(p);
      if (!p.defined) {
        c.add('error', r.route!, p.field, rpath, `${who}: ${what} is not defined in cluster_specifier_plugins; Envoy refuses this config; refusing to start`);
      } else if (p.optional) {
        c.warn(r.route!, p.field, rpath, `${who}: ${what} cannot run in tsproxy serve; it is is_optional, so serve starts and requests routed here get 503 NC (cluster_not_found)`);
      } else {
        c.add('error', r.route!, p.field, rpath, `${who}: ${what} cannot run in tsproxy serve; refusing to start rather than answer 503 to every request routed here (mark it is_optional to start anyway)`);
      }
    });
  });
}

function bufferLimitChecks(c: Collector, node: object, path: string, who: string): void {
  const raw = node as Record<string, unknown>;
  for (const f of ['per_request_buffer_limit_bytes', 'request_body_buffer_limit']) {
    if (raw[f] !== undefined) c.warn(node, f, path, `${who}: ${f} is not implemented by serve; request bodies are buffered up to Envoy's default 1 MiB`);
  }
}

function virtualHostChecks(c: Collector, vh: VirtualHost, path: string): void {
  const who = `virtual host "${vh.name}"`;
  mirrorCheck(c, vh, path, who);
  if (isSet(vh.virtual_clusters)) {
    c.warn(vh, 'virtual_clusters', path, `${who}: virtual_clusters stats (vhost.${vh.name}.vcluster.*) are not kept by serve; the name reaches the access log only`);
  }
  if ((vh as unknown as Record<string, unknown>)['include_is_timeout_retry_header'] === true) {
    c.warn(vh, 'include_is_timeout_retry_header', path, `${who}: include_is_timeout_retry_header is not implemented by serve; x-envoy-is-timeout-retry is not added`);
  }
  bufferLimitChecks(c, vh, path, who);
  if (vh.retry_policy) retryPolicyChecks(c, vh.retry_policy, `${path}.retry_policy`, who);
  (vh.routes ?? []).forEach((r, i) => routeChecks(c, r, `${path}.routes[${i}]`, vh.name));
}

function routeChecks(c: Collector, r: Route, path: string, vhName: string): void {
  const who = `virtual host "${vhName}", ${r.name ? `route "${r.name}"` : path.slice(path.lastIndexOf('.') + 1)}`;
  if (r.stat_prefix !== undefined) c.warn(r, 'stat_prefix', path, `${who}: route stat_prefix is not implemented by serve; no per-route stats are kept`);
  bufferLimitChecks(c, r, path, who);
  if (isSet(r.match?.dynamic_metadata)) {
    c.warn(r.match, 'dynamic_metadata', `${path}.match`, `${who}: match.dynamic_metadata never sees metadata in serve (no filter of tsproxy sets dynamic metadata)`);
  }
  if (r.route) routeActionChecks(c, r.route, `${path}.route`, who);
}

function routeActionChecks(c: Collector, a: RouteAction, path: string, who: string): void {
  const raw = a as unknown as Record<string, unknown>;
  const w = (f: string, m: string): void => c.warn(a, f, path, `${who}: ${m}`);
  mirrorCheck(c, a, path, who);
  if (a.idle_timeout !== undefined) w('idle_timeout', 'route idle_timeout is not implemented by serve; the connection manager\'s stream_idle_timeout applies');
  if ((a.upgrade_configs ?? []).some((u) => (u as { connect_config?: unknown }).connect_config !== undefined)) w('upgrade_configs', 'upgrade_configs[].connect_config (CONNECT termination options) is not implemented by serve; CONNECT is tunnelled to the cluster\'s host as is');
  if (a.internal_redirect_policy !== undefined) w('internal_redirect_policy', 'internal_redirect_policy is not implemented by serve; upstream redirects are passed to the client');
  if (raw['internal_redirect_action'] === 'HANDLE_INTERNAL_REDIRECT') w('internal_redirect_action', 'internal_redirect_action HANDLE_INTERNAL_REDIRECT is not implemented by serve; upstream redirects are passed to the client');
  if (a.priority === 'HIGH') w('priority', 'priority HIGH is not implemented by serve; the cluster\'s DEFAULT priority circuit breakers apply');
  (a.hash_policy ?? []).forEach((h, i) => {
    if (h.cookie?.ttl !== undefined) {
      c.warn(h.cookie, 'ttl', `${path}.hash_policy[${i}].cookie`, `${who}: hash_policy cookie "${h.cookie.name}": generating the cookie (ttl) is not implemented by serve; a request without it is not hashed by it`);
    }
  });
  if (a.retry_policy) retryPolicyChecks(c, a.retry_policy, `${path}.retry_policy`, who);
}

function retryPolicyChecks(c: Collector, p: RetryPolicy, path: string, who: string): void {
  const w = (f: string, m: string): void => c.warn(p, f, path, `${who}: retry_policy.${m}`);
  if (p.retry_on) {
    const bad = p.retry_on.split(',').map((s) => s.trim()).filter((s) => s !== '' && !SUPPORTED_RETRY_ON.has(s));
    if (bad.length > 0) w('retry_on', `retry_on ${bad.map((s) => `"${s}"`).join(', ')} is not implemented by serve; those failures are not retried`);
  }
  if (isSet(p.retriable_headers)) w('retriable_headers', 'retriable_headers is not implemented by serve; responses are not retried on their headers');
  if (isSet(p.retriable_request_headers)) w('retriable_request_headers', 'retriable_request_headers is not implemented by serve; every request is eligible for retry');
  if (p.per_try_idle_timeout !== undefined) w('per_try_idle_timeout', 'per_try_idle_timeout is not implemented by serve; only per_try_timeout applies');
  if (p.host_selection_retry_max_attempts !== undefined && Number(p.host_selection_retry_max_attempts) > 1) {
    w('host_selection_retry_max_attempts', 'host_selection_retry_max_attempts above 1 is not implemented by serve; a retry re-picks a host once');
  }
}
