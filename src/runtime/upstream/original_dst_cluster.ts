/**
 * An ORIGINAL_DST cluster (Envoy's OriginalDstCluster and its load balancer, lb_policy
 * CLUSTER_PROVIDED): the upstream host is the downstream connection's original destination, or
 * the address in a request header when `original_dst_lb_config.use_http_header` is set. Hosts are
 * created on demand, one per `ip:port`, and dropped every `cleanup_interval` (default 5 s) when
 * no request picked them since the last cleanup and no connection to them is open.
 *
 * Host choice, in Envoy's order (filter state and `metadata_key` overrides are never set in
 * tsproxy: no filter writes them):
 *  1. with use_http_header, the first value of `http_header_name` (default
 *     `x-envoy-original-dst-host`) as `ip:port`; an unparsable value counts
 *     `cluster.<name>.original_dst_host_invalid` and is ignored;
 *  2. the downstream connection's local address, when the original destination restored it;
 *  3. none: no host (503 UH, `upstream_cx_none_healthy`).
 * `upstream_port_override` replaces the port. A new host is named `<cluster name><ip:port>`, as
 * Envoy names it (auto_host_rewrite uses that name).
 */
import type { Cluster } from '../../config/types.js';
import { DEFAULT_ORIGINAL_DST_CLEANUP_INTERVAL_MS } from '../../config/defaults.js';
import type { Random } from '../../core/lb/types.js';
import { formatIp, formatIpPort, parseIpPort, type IpPort } from '../../core/ip_port.js';
import { parseIpAddress } from '../../core/internal_address.js';
import type { Counter, StatsStore } from '../stats/store.js';
import { ClusterImpl } from './cluster.js';
import { Host } from './host.js';
import type { DownstreamConnectionContext, DownstreamHeaders, LoadBalancerContext, UpstreamHostDescription } from './types.js';

/** Envoy's Http::Headers EnvoyOriginalDstHost. */
export const ORIGINAL_DST_HOST_HEADER = 'x-envoy-original-dst-host';

interface HostEntry {
  readonly host: Host;
  /** Picked since the last cleanup. */
  used: boolean;
}

export class OriginalDstCluster extends ClusterImpl {
  private readonly headerName: string | undefined;
  private readonly portOverride: number | undefined;
  private readonly byAddress = new Map<string, HostEntry>();
  private readonly hostInvalid: Counter;
  private cleanupTimer: NodeJS.Timeout | undefined;

  constructor(config: Cluster, store: StatsStore, random: Random, now?: () => number) {
    super(config, store, random, now);
    const lb = config.original_dst_lb_config;
    if (lb?.use_http_header === true) this.headerName = (lb.http_header_name || ORIGINAL_DST_HOST_HEADER).toLowerCase();
    this.portOverride = lb?.upstream_port_override;
    this.hostInvalid = this.info.stats.counter('original_dst_host_invalid');
    const interval = config.cleanup_interval ?? DEFAULT_ORIGINAL_DST_CLEANUP_INTERVAL_MS;
    this.cleanupTimer = setInterval(() => this.cleanup(), Math.max(1, interval));
    this.cleanupTimer.unref();
  }

  override chooseHost(
    _context: LoadBalancerContext | undefined,
    downstream?: DownstreamConnectionContext,
    headers?: DownstreamHeaders,
  ): UpstreamHostDescription | null {
    let dst = this.headerOverride(headers);
    if (dst === undefined && downstream?.downstreamLocalAddressRestored === true && downstream.downstreamLocalAddress !== undefined) {
      const ip = parseIpAddress(downstream.downstreamLocalAddress);
      if (ip !== undefined) dst = { ip, port: downstream.downstreamLocalPort ?? 0 };
    }
    if (dst === undefined) {
      this.stats.upstream_cx_none_healthy.inc();
      return null;
    }
    if (this.portOverride !== undefined) dst = { ip: dst.ip, port: this.portOverride };
    const key = formatIpPort(dst);
    const known = this.byAddress.get(key);
    if (known !== undefined) {
      known.used = true;
      return known.host;
    }
    const host = new Host(formatIp(dst.ip), dst.port, 1, 0, 'healthy', `${this.info.name}${key}`);
    this.byAddress.set(key, { host, used: true });
    this.setHosts([...this.allHosts, host]);
    return host;
  }

  /** The request header's address (first value), or undefined; an unparsable one is counted. */
  private headerOverride(headers: DownstreamHeaders | undefined): IpPort | undefined {
    if (this.headerName === undefined || headers === undefined) return undefined;
    const raw = headers[this.headerName];
    if (raw === undefined) return undefined;
    // The header map joins repeated headers with ',': Envoy uses the first value only.
    const first = (typeof raw === 'string' ? raw : (raw[0] ?? '')).split(',')[0]!.trim();
    const parsed = parseIpPort(first);
    if (parsed === undefined) this.hostInvalid.inc();
    return parsed;
  }

  /**
   * Envoy's cleanup(): a host picked since the last run is kept (and marked unpicked); one not
   * picked is kept only while a connection to it is open; the rest are removed (their idle
   * connections close).
   */
  cleanup(): void {
    const keep: Host[] = [];
    let removed = false;
    for (const [key, e] of this.byAddress) {
      if (e.used || e.host.cxActive > 0 || e.host.activeRequests > 0) {
        e.used = false;
        keep.push(e.host);
      } else {
        this.byAddress.delete(key);
        removed = true;
      }
    }
    if (removed) this.setHosts(keep);
  }

  override destroyPools(): void {
    if (this.cleanupTimer !== undefined) clearInterval(this.cleanupTimer);
    this.cleanupTimer = undefined;
    super.destroyPools();
  }
}
