/**
 * HTTP upgrades and CONNECT (Envoy's ConnectionManagerImpl upgrade handling): which upgrade a
 * request asks for, and whether the HTTP connection manager and the route let it through.
 * serve and the offline commands decide with these functions. Pure.
 */

/** An `upgrade_configs` entry (HCM or RouteAction). */
export interface UpgradeConfigLike {
  readonly upgrade_type: string;
  /** Default true. */
  readonly enabled?: boolean;
}

type Headers = Readonly<Record<string, string | readonly string[] | undefined>>;

function joined(v: string | readonly string[] | undefined): string | undefined {
  return v === undefined ? undefined : typeof v === 'string' ? v : v.join(',');
}

/**
 * The upgrade a request asks for, as the HTTP/1 parser flags it: `CONNECT` for the CONNECT
 * method, else the `Upgrade` header's value when `Connection` lists `upgrade`
 * (Utility::isUpgrade); undefined for an ordinary request.
 */
export function requestedUpgrade(method: string, headers: Headers): string | undefined {
  if (method === 'CONNECT') return 'CONNECT';
  const upgrade = joined(headers['upgrade']);
  const connection = joined(headers['connection']);
  if (upgrade === undefined || connection === undefined) return undefined;
  for (const t of connection.split(',')) if (t.trim().toLowerCase() === 'upgrade') return upgrade.trim();
  return undefined;
}

function find(configs: readonly UpgradeConfigLike[] | undefined, type: string): UpgradeConfigLike | undefined {
  if (configs === undefined) return undefined;
  const t = type.toLowerCase();
  for (const c of configs) if (c.upgrade_type.toLowerCase() === t) return c;
  return undefined;
}

/** Why an upgrade is or is not let through, for explain. */
export type UpgradeVerdict =
  | { readonly allowed: true; readonly by: 'hcm' | 'route' }
  | { readonly allowed: false; readonly why: 'no_hcm_config' | 'disabled_on_hcm' | 'disabled_on_route' };

/**
 * Envoy's createUpgradeFilterChain: the connection manager must have an `upgrade_configs` entry
 * for the type (case-insensitive), else the request is refused (403 upgrade_failed); the route's
 * own `upgrade_configs` entry for the type, when there is one, decides `enabled`, otherwise the
 * connection manager's does.
 */
export function upgradeVerdict(
  hcm: readonly UpgradeConfigLike[] | undefined,
  route: readonly UpgradeConfigLike[] | undefined,
  type: string,
): UpgradeVerdict {
  const h = find(hcm, type);
  if (h === undefined) return { allowed: false, why: 'no_hcm_config' };
  const r = find(route, type);
  if (r !== undefined) return r.enabled === false ? { allowed: false, why: 'disabled_on_route' } : { allowed: true, by: 'route' };
  return h.enabled === false ? { allowed: false, why: 'disabled_on_hcm' } : { allowed: true, by: 'hcm' };
}
