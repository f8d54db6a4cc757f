/**
 * The JSON shapes of Envoy's admin API that `tsproxy top` reads, as Envoy renders them (so `top`
 * works against a real Envoy as well as tsproxy):
 *
 * - `GET /stats?format=json` (source/server/admin/stats_render.cc, StatsJsonRender): one object
 *   `{"stats": [...]}` whose entries are `{"name", "value"}` for counters, gauges (numbers) and
 *   text readouts (strings), then one `{"histograms": {"supported_quantiles": [0, 25, ...],
 *   "computed_quantiles": [{"name", "values": [{"cumulative", "interval"}, ...]}]}}` entry.
 *   Quantiles are percent (`99.9`); a value is `null` when the histogram recorded nothing in that
 *   window (the interval is the last stats flush, `stats_flush_interval`, 5 s by default).
 * - `GET /clusters?format=json` (admin/v3/clusters.proto `Clusters`, printed with proto field
 *   names): `cluster_statuses[]` with `host_statuses[].health_status` and `stats[]`
 *   (`SimpleMetric`: uint64 `value` as a JSON string, omitted when 0; `type` omitted for COUNTER).
 * - `GET /listeners?format=json` (admin/v3/listeners.proto): `listener_statuses[]` with `name` and
 *   `local_address`.
 * - `GET /server_info` (admin/v3/server_info.proto): `version`, `state`, `uptime_current_epoch`.
 *
 * Every field is optional here: proto3 JSON omits defaults, and a response from another build may
 * lack fields. The parsers (stats_sample.ts, clusters.ts, listeners.ts, server_info.ts) validate.
 */

/** One quantile pair of a computed histogram (`null`: no samples in that window). */
export interface QuantileValueJson {
  readonly interval?: number | null;
  readonly cumulative?: number | null;
}

export interface ComputedQuantilesJson {
  readonly name?: string;
  readonly values?: readonly QuantileValueJson[];
}

export interface HistogramsJson {
  readonly supported_quantiles?: readonly number[];
  readonly computed_quantiles?: readonly ComputedQuantilesJson[];
}

export type StatEntryJson = { readonly name?: string; readonly value?: number | string } | { readonly histograms?: HistogramsJson | readonly unknown[] };

export interface StatsJson {
  readonly stats?: readonly StatEntryJson[];
}

/** config/core/v3 Address, the variants top names. */
export interface AddressJson {
  readonly socket_address?: { readonly address?: string; readonly port_value?: number };
  readonly pipe?: { readonly path?: string };
  readonly envoy_internal_address?: { readonly server_listener_name?: string };
}

/** admin/v3 SimpleMetric. */
export interface SimpleMetricJson {
  readonly type?: 'COUNTER' | 'GAUGE';
  readonly value?: string | number;
  readonly name?: string;
}

/** admin/v3 HostHealthStatus. */
export interface HostHealthStatusJson {
  readonly failed_active_health_check?: boolean;
  readonly failed_outlier_check?: boolean;
  readonly failed_active_degraded_check?: boolean;
  readonly pending_dynamic_removal?: boolean;
  readonly pending_active_hc?: boolean;
  readonly excluded_via_immediate_hc_fail?: boolean;
  readonly active_hc_timeout?: boolean;
  /** config/core/v3 HealthStatus: UNKNOWN, HEALTHY, UNHEALTHY, DRAINING, TIMEOUT, DEGRADED. */
  readonly eds_health_status?: string;
}

export interface HostStatusJson {
  readonly address?: AddressJson;
  readonly stats?: readonly SimpleMetricJson[];
  readonly health_status?: HostHealthStatusJson;
  readonly weight?: number;
  readonly hostname?: string;
  readonly priority?: number;
}

export interface ClusterStatusJson {
  readonly name?: string;
  readonly added_via_api?: boolean;
  readonly host_statuses?: readonly HostStatusJson[];
  readonly observability_name?: string;
}

export interface ClustersJson {
  readonly cluster_statuses?: readonly ClusterStatusJson[];
}

export interface ListenerStatusJson {
  readonly name?: string;
  readonly local_address?: AddressJson;
}

export interface ListenersJson {
  readonly listener_statuses?: readonly ListenerStatusJson[];
}

export interface ServerInfoJson {
  readonly version?: string;
  readonly state?: string;
  readonly uptime_current_epoch?: string;
  readonly uptime_all_epochs?: string;
}

/** A response that is not the shape an admin endpoint answers; the message names the endpoint. */
export class AdminShapeError extends Error {
  override readonly name = 'AdminShapeError';
}

/** True for a plain JSON object. */
export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
