/**
 * `match|explain --admin URL`: reads a running tsproxy's or Envoy's admin API — the config
 * (`/config_dump?include_eds`, routed with exactly as a dump file is), `/clusters?format=json`
 * and the cluster stats (`/stats?format=json`, circuit-breaker gauges) — for the live facts
 * (analysis/explain/live_state.ts).
 */
import { AdminClient, parseAdminAddress } from '../../tui/admin_client.js';

/** What the admin API answered. */
export interface AdminSource {
  /** `http://host:port`, as the user should read it. */
  readonly display: string;
  /** The config dump, as JSON text (the config loader reads it as a file). */
  readonly configText: string;
  readonly clusters: unknown;
  /** Undefined when /stats failed (the facts then come from /clusters only). */
  readonly stats: unknown;
}

export const CONFIG_DUMP_PATH = '/config_dump?include_eds';
export const CLUSTERS_JSON_PATH = '/clusters?format=json';
export const CLUSTER_STATS_PATH = `/stats?format=json&filter=${encodeURIComponent('^cluster\\.')}`;

/** Fetches the three endpoints; rejects with a user-facing message when the config or clusters cannot be read. */
export async function fetchAdminSource(address: string): Promise<AdminSource> {
  const client = new AdminClient(parseAdminAddress(address));
  try {
    const [dump, clusters, stats] = await Promise.all([
      client.getJson(CONFIG_DUMP_PATH),
      client.getJson(CLUSTERS_JSON_PATH),
      client.getJson(CLUSTER_STATS_PATH).catch(() => undefined),
    ]);
    return { display: client.display, configText: JSON.stringify(dump), clusters, stats };
  } finally {
    client.close();
  }
}
