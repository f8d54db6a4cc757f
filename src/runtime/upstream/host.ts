/**
 * An upstream host (Envoy's HostImpl): its address, weight, priority and health as the load
 * balancer sees them, its live active-request count (read by LEAST_REQUEST), and its connection
 * pool, created on first use.
 *
 * The address of a LOGICAL_DNS host may change on re-resolution: new connections use the new
 * address, existing ones keep theirs (Envoy's logical host).
 */
import net from 'node:net';
import type { HostHealth, LbHost } from '../../core/lb/types.js';
import type { UpstreamHostDescription } from './types.js';
import { hostHealthOf } from '../../core/endpoint_health.js';

/** `ip:port`, with IPv6 in brackets, as Envoy prints addresses. */
export function formatAddress(address: string, port: number): string {
  return net.isIPv6(address) ? `[${address}]:${port}` : `${address}:${port}`;
}

/** `LbEndpoint.health_status` -> the load balancer's health (EDS health, Envoy): the core's mapping, which explain uses too. */
export const healthFromStatus: (status: string | undefined) => HostHealth = hostHealthOf;

export class Host implements UpstreamHostDescription, LbHost {
  addressString: string;
  hashKey: string;
  /** Requests active on this host (Envoy's host `rq_active`). */
  activeRequests = 0;
  /** Per-host counters as admin `/clusters` prints them (`cx_total`, `cx_active`, ...). */
  cxTotal = 0;
  cxActive = 0;
  cxConnectFail = 0;
  rqTotal = 0;
  /** HTTP/1.1 connection pool, created lazily by the cluster (typed loosely to avoid an import cycle). */
  pool: { drain(failPending?: boolean): void; destroy(): void } | undefined;
  /** HTTP/2 connection pool (clusters configured for HTTP/2 or the downstream protocol). */
  http2Pool: { drain(failPending?: boolean): void; destroy(): void } | undefined;
  /**
   * auto_sni / auto_san_validation clusters: a pool per (protocol, SNI, SAN) the requests asked
   * for (Envoy keys pools by the transport socket options); dropped when idle.
   */
  serverNamePools: Map<string, { drain(failPending?: boolean): void; destroy(): void }> | undefined;

  constructor(
    public address: string,
    readonly port: number,
    readonly weight: number,
    readonly priority: number,
    readonly health: HostHealth,
    readonly hostname?: string,
  ) {
    this.addressString = formatAddress(address, port);
    this.hashKey = this.addressString;
  }

  /** LOGICAL_DNS: point new connections at a newly resolved address. */
  setAddress(address: string): void {
    this.address = address;
    this.addressString = formatAddress(address, this.port);
  }
}
