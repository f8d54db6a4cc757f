/**
 * The cluster manager (Envoy's ClusterManagerImpl) for one config snapshot: builds every cluster
 * of `LoadedConfig.clusters`, resolves STRICT_DNS / LOGICAL_DNS endpoints (and keeps refreshing
 * them every `dns_refresh_rate`, default 5 s, on unref'd timers), and hands the router a
 * ThreadLocalCluster by name.
 *
 * Discovery types: STATIC (endpoints as written), STRICT_DNS (every address of every endpoint
 * is a host; membership follows DNS), LOGICAL_DNS (one host per cluster at the first address;
 * new connections follow re-resolution), ORIGINAL_DST (hosts created on demand from the original
 * destination: original_dst_cluster.ts). EDS is not implemented: such a cluster has no hosts
 * (503 UH) and a warning says so.
 *
 * `ready` resolves once every DNS cluster finished its first resolution (success or failure),
 * as Envoy's cluster manager initialization; `serve` should await it before listening.
 */
import type { Cluster, LbEndpoint } from '../../config/types.js';
import { DEFAULT_DNS_REFRESH_RATE_MS, DEFAULT_LOAD_BALANCING_WEIGHT } from '../../config/defaults.js';
import type { Random } from '../../core/lb/types.js';
import type { StatsStore } from '../stats/store.js';
import { ClusterImpl } from './cluster.js';
import { OriginalDstCluster } from './original_dst_cluster.js';
import { defaultDnsLookup, filterFamily, type DnsLookup } from './dns.js';
import { Host, healthFromStatus } from './host.js';
import type { ClusterManager, ThreadLocalCluster } from './types.js';

export type { DnsLookup } from './dns.js';

export interface ClusterManagerOptions {
  /** Uniform in [0, 1), like Math.random (tests pass a seeded generator). */
  random: () => number;
  /** Monotonic clock in ms (connection timing stats; later health checks and outlier detection). */
  now?: () => number;
  /** Resolver for STRICT_DNS / LOGICAL_DNS; defaults to node:dns lookup (all addresses). */
  dnsLookup?: DnsLookup;
}

/** An endpoint as written: address (IP or DNS name), port, and its LB attributes. */
interface EndpointSpec {
  address: string;
  port: number;
  weight: number;
  priority: number;
  health: ReturnType<typeof healthFromStatus>;
  hostname?: string;
}

function endpointsOf(cluster: Cluster): EndpointSpec[] {
  const out: EndpointSpec[] = [];
  for (const locality of cluster.load_assignment?.endpoints ?? []) {
    const priority = locality.priority ?? 0;
    for (const ep of locality.lb_endpoints ?? []) {
      const spec = endpointSpec(ep, priority);
      if (spec) out.push(spec);
    }
  }
  return out;
}

function endpointSpec(ep: LbEndpoint, priority: number): EndpointSpec | undefined {
  const sa = ep.endpoint?.address?.socket_address;
  if (!sa) return undefined;
  return {
    address: sa.address,
    port: sa.port_value ?? 0,
    weight: Math.max(1, ep.load_balancing_weight ?? DEFAULT_LOAD_BALANCING_WEIGHT),
    priority,
    health: healthFromStatus(ep.health_status),
    hostname: ep.endpoint?.hostname,
  };
}

/** Keeps DNS-resolved host lists of one cluster fresh. */
class DnsRefresher {
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private readonly current = new Map<string, Host>();
  private logical: Host | undefined;

  constructor(
    private readonly cluster: ClusterImpl,
    private readonly specs: EndpointSpec[],
    private readonly logicalDns: boolean,
    private readonly lookup: DnsLookup,
    private readonly refreshMs: number,
  ) {}

  async resolveOnce(): Promise<void> {
    const c = this.cluster;
    const family = c.config.dns_lookup_family;
    const hosts: Host[] = [];
    const next = new Map<string, Host>();
    let failed = false;
    for (const spec of this.specs) {
      c.stats.update_attempt.inc();
      let addresses: string[];
      try {
        addresses = filterFamily(await this.lookup(spec.address), family);
      } catch {
        failed = true;
        c.stats.update_failure.inc();
        // Envoy keeps the last good hosts of an endpoint whose resolution failed.
        for (const [k, h] of this.current) if (k.startsWith(`${spec.address}|`)) next.set(k, h), hosts.push(h);
        continue;
      }
      c.stats.update_success.inc();
      if (this.logicalDns) {
        const first = addresses[0];
        if (first === undefined) continue;
        if (!this.logical) {
          this.logical = new Host(first, spec.port, spec.weight, spec.priority, spec.health, spec.hostname ?? spec.address);
        } else if (this.logical.address !== first) {
          this.logical.setAddress(first);
        }
        hosts.push(this.logical);
        break; // LOGICAL_DNS: one endpoint, one logical host.
      }
      for (const addr of addresses) {
        const key = `${spec.address}|${addr}|${spec.port}|${spec.priority}|${spec.weight}|${spec.health}`;
        if (next.has(key)) continue;
        const h =
          this.current.get(key) ??
          // A DNS host's hostname is the endpoint's `hostname`, else the name resolved (Envoy).
          new Host(addr, spec.port, spec.weight, spec.priority, spec.health, spec.hostname ?? spec.address);
        next.set(key, h);
        hosts.push(h);
      }
    }
    if (this.stopped) return;
    const changed =
      hosts.length !== c.allHosts.length || hosts.some((h, i) => h !== c.allHosts[i]);
    this.current.clear();
    for (const [k, h] of next) this.current.set(k, h);
    if (changed && !(failed && hosts.length === 0 && c.allHosts.length > 0)) c.setHosts(hosts);
  }

  /** Resolves now, then every refresh interval until stopped. */
  async start(): Promise<void> {
    await this.resolveOnce().catch(() => {});
    this.schedule();
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.resolveOnce()
        .catch(() => {})
        .finally(() => this.schedule());
    }, this.refreshMs);
    this.timer.unref();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}

export class ClusterManagerImpl implements ClusterManager {
  readonly clusters = new Map<string, ClusterImpl>();
  /** Resolves when every cluster finished initializing (first DNS resolution). */
  readonly ready: Promise<void>;
  /** Why some config could not be honoured (unsupported discovery type or lb_policy). */
  readonly warnings: string[] = [];
  private readonly refreshers: DnsRefresher[] = [];

  constructor(clusterConfigs: readonly Cluster[], store: StatsStore, opts: ClusterManagerOptions) {
    const rnd = opts.random;
    const random: Random = () => Math.floor(rnd() * 4294967296) >>> 0;
    const lookup = opts.dnsLookup ?? defaultDnsLookup;
    const inits: Promise<void>[] = [];
    for (const config of clusterConfigs) {
      const cluster =
        config.type === 'ORIGINAL_DST' ? new OriginalDstCluster(config, store, random, opts.now) : new ClusterImpl(config, store, random, opts.now);
      this.clusters.set(config.name, cluster);
      this.warnings.push(...cluster.warnings);
      const type = config.type ?? 'STATIC';
      const specs = endpointsOf(config);
      if (type === 'STATIC') {
        cluster.setHosts(specs.map((s) => new Host(s.address, s.port, s.weight, s.priority, s.health, s.hostname)));
      } else if (type === 'STRICT_DNS' || type === 'LOGICAL_DNS') {
        const refresher = new DnsRefresher(
          cluster,
          specs,
          type === 'LOGICAL_DNS',
          lookup,
          config.dns_refresh_rate ?? DEFAULT_DNS_REFRESH_RATE_MS,
        );
        this.refreshers.push(refresher);
        inits.push(refresher.start());
      } else if (type !== 'ORIGINAL_DST') {
        this.warnings.push(`cluster '${config.name}': discovery type ${type} is not implemented; it has no hosts`);
      }
    }
    this.ready = Promise.all(inits).then(() => undefined);
  }

  getThreadLocalCluster(name: string): ThreadLocalCluster | undefined {
    return this.clusters.get(name);
  }

  async shutdown(): Promise<void> {
    for (const r of this.refreshers) r.stop();
    for (const c of this.clusters.values()) c.destroyPools();
  }
}

/**
 * Builds the cluster manager of a config snapshot. STATIC clusters are usable at once; await
 * `ready` before serving so DNS clusters have their first hosts.
 */
export function createClusterManager(
  clusters: readonly Cluster[],
  stats: StatsStore,
  opts: ClusterManagerOptions,
): ClusterManagerImpl {
  return new ClusterManagerImpl(clusters, stats, opts);
}
