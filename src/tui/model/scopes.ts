/**
 * Which connection managers, listeners and clusters a sample has, found from stat names. Names
 * may contain dots (`listener.0.0.0.0_10000.`, `cluster.svc.ns.local.`), so each scope is found
 * by a stat that only its root carries, and sub-scopes Envoy nests under it (per-worker listener
 * stats, user-agent stats, a cluster's canary/internal/external/zone trees) are left out.
 *
 * The admin interface's own connection manager and listener (`http.admin.`, `listener.admin.`)
 * are left out: their traffic is this dashboard's polling.
 */
import type { AdminSample } from './sample.js';

/** The admin listener's and connection manager's stat key in Envoy. */
export const ADMIN_SCOPE = 'admin';

function rootsOf(s: AdminSample, prefix: string, suffix: string, exclude: RegExp): string[] {
  const out: string[] = [];
  for (const name of s.stats.values.keys()) {
    if (!name.startsWith(prefix) || !name.endsWith(suffix)) continue;
    const key = name.slice(prefix.length, name.length - suffix.length);
    if (key === '' || key === ADMIN_SCOPE || exclude.test(key)) continue;
    out.push(key);
  }
  return out.sort();
}

/** `<stat_prefix>` of every HTTP connection manager (`http.<stat_prefix>.downstream_rq_total`). */
export function httpPrefixes(s: AdminSample): string[] {
  return rootsOf(s, 'http.', '.downstream_rq_total', /\.user_agent\./);
}

/** Stat key of every listener (`listener.<key>.downstream_cx_total`), per-worker trees excluded. */
export function listenerKeys(s: AdminSample): string[] {
  return rootsOf(s, 'listener.', '.downstream_cx_total', /\.worker_\d+$|\.http\./);
}

/**
 * Cluster stat names from `cluster.<name>.upstream_rq_total`, for an admin whose `/clusters`
 * failed; the sub-trees Envoy nests under a cluster are excluded.
 */
export function clusterStatNamesFromStats(s: AdminSample): string[] {
  return rootsOf(s, 'cluster.', '.upstream_rq_total', /\.(canary|internal|external|retry)$|\.zone\./);
}

/**
 * Full names of `listener.<key>.http.<prefix>.<stat>` (Envoy's per-listener HTTP stats), one per
 * connection manager on that listener.
 */
export function perListenerHttpStats(s: AdminSample, key: string, stat: string): string[] {
  const prefix = `listener.${key}.http.`;
  const suffix = `.${stat}`;
  const out: string[] = [];
  for (const name of s.stats.values.keys()) {
    if (name.startsWith(prefix) && name.endsWith(suffix) && name.length > prefix.length + suffix.length) out.push(name);
  }
  return out;
}
