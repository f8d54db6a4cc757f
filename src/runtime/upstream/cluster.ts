/**
 * A cluster as the router uses it (Envoy's ClusterInfo + ThreadLocalCluster + PrioritySet): its
 * settings, stats scope, circuit breakers, current host snapshot and load balancer, and the
 * per-host connection pools. Host membership changes (DNS) swap in a new immutable snapshot and
 * a new load balancer; pools of removed hosts drain.
 */
import { buildHostSets, createLoadBalancer } from '../../core/lb/index.js';
import type { LbAlgorithm, LoadBalancer, LoadBalancerOptions, Random } from '../../core/lb/types.js';
import type { Cluster } from '../../config/types.js';
import {
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_HEALTHY_PANIC_THRESHOLD_PERCENT,
  DEFAULT_LEAST_REQUEST_CHOICE_COUNT,
  DEFAULT_MAGLEV_TABLE_SIZE,
  DEFAULT_OVERPROVISIONING_FACTOR,
  DEFAULT_RING_HASH_MAXIMUM_RING_SIZE,
  DEFAULT_RING_HASH_MINIMUM_RING_SIZE,
  DEFAULT_UPSTREAM_IDLE_TIMEOUT_MS,
} from '../../config/defaults.js';
import type { StatsStore } from '../stats/store.js';
import type { ClientOptions } from './pool/pool_types.js';
import { upstreamTransportFor } from '../network/upstream_tls.js';
import { ClusterStats } from './cluster_stats.js';
import type { Host } from './host.js';
import { ConnPoolBase, type PoolContext, type PoolProtocol } from './pool/conn_pool_base.js';
import { http1PoolProtocol, http2PoolProtocol, mixedPoolProtocol } from './pool/protocols.js';
import { autoSniChoice, autoSniConfig, type AutoSniConfig, type AutoSniRequest } from './auto_sni.js';
import { upstreamProtocolConfig, UPSTREAM_HTTP_PROTOCOL_OPTIONS_KEY, type UpstreamProtocolMode } from './upstream_protocol.js';
import { http2CodecStats } from '../codec/http2/stats.js';
import { DEFAULT_HEADER_LIMITS } from '../codec/http2/options.js';
import { ResourceManager } from './resource_manager.js';
import type {
  ClusterInfo,
  HttpConnPool,
  LoadBalancerContext,
  ThreadLocalCluster,
  UpstreamHostDescription,
} from './types.js';

/** Envoy's `max_response_headers_kb` default (60 KiB) for upstream responses. */
const MAX_RESPONSE_HEADERS_BYTES = 60 * 1024;

const SUPPORTED_LB: ReadonlySet<string> = new Set(['ROUND_ROBIN', 'LEAST_REQUEST', 'RANDOM', 'RING_HASH', 'MAGLEV']);

/** A Duration as the config decoder leaves it (ms number), or a raw `"1.5s"` inside an Any. */
function durationMs(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string') {
    const m = /^(-?\d+(?:\.\d+)?)s$/.exec(v.trim());
    if (m) return Math.round(Number(m[1]) * 1000);
  }
  if (v && typeof v === 'object') {
    const o = v as { seconds?: unknown; nanos?: unknown };
    if (o.seconds !== undefined || o.nanos !== undefined) {
      return Number(o.seconds ?? 0) * 1000 + Math.round(Number(o.nanos ?? 0) / 1e6);
    }
  }
  return undefined;
}

/** Upstream common_http_protocol_options, from the cluster or its typed extension options. */
function commonHttpOptions(c: Cluster): Record<string, unknown> | undefined {
  const ext = c.typed_extension_protocol_options?.[UPSTREAM_HTTP_PROTOCOL_OPTIONS_KEY] as Record<string, unknown> | undefined;
  const fromExt = (ext?.['common_http_protocol_options'] ?? ext?.['commonHttpProtocolOptions']) as
    | Record<string, unknown>
    | undefined;
  return fromExt ?? (c.common_http_protocol_options as Record<string, unknown> | undefined);
}

/** What `describe()` returns. */
export interface ClusterDescription {
  name: string;
  lbPolicy: LbAlgorithm;
  circuitBreakers: { maxConnections: number; maxPendingRequests: number; maxRequests: number; maxRetries: number };
  hosts: Array<{
    address: string;
    hostname: string | undefined;
    weight: number;
    priority: number;
    health: string;
    cxTotal: number;
    cxActive: number;
    cxConnectFail: number;
    rqTotal: number;
    rqActive: number;
  }>;
}

export class ClusterImpl implements ThreadLocalCluster {
  readonly info: ClusterInfo;
  readonly stats: ClusterStats;
  readonly resources: ResourceManager;
  readonly lbPolicy: LbAlgorithm;
  /** Problems found while building (unsupported lb_policy, ...): the lead may log them. */
  readonly warnings: string[] = [];
  private hosts: readonly Host[] = [];
  private lb: LoadBalancer<Host>;
  private readonly lbOptions: LoadBalancerOptions;
  private readonly poolContext: PoolContext;
  private readonly useHostnameForHashing: boolean;
  /** Every pool created, including those of hosts since removed (drained at shutdown). */
  private readonly pools = new Set<ConnPoolBase>();
  /** HTTP/1.1, HTTP/2, or per request (use_downstream_protocol_config). */
  readonly protocolMode: UpstreamProtocolMode;
  private readonly http1: PoolProtocol;
  private readonly http2: PoolProtocol | undefined;
  /** auto_config: connections whose ALPN picks the protocol. */
  private readonly mixed: PoolProtocol | undefined;
  /** auto_sni / auto_san_validation (TLS clusters only): pools per request host. */
  private readonly autoSni: AutoSniConfig | undefined;

  constructor(
    readonly config: Cluster,
    store: StatsStore,
    private readonly random: Random,
    now: () => number = () => performance.now(),
  ) {
    const statName = config.alt_stat_name ?? config.name;
    const scope = store.scope(`cluster.${statName}.`);
    this.stats = new ClusterStats(scope);
    this.resources = new ResourceManager(config.circuit_breakers, scope);
    const common = commonHttpOptions(config);
    const maxRequestsPerConnection =
      config.max_requests_per_connection ?? (common?.['max_requests_per_connection'] as number | undefined) ?? 0;
    const connectTimeoutMs = config.connect_timeout ?? DEFAULT_CONNECT_TIMEOUT_MS;
    const threshold = config.circuit_breakers?.thresholds?.find((t) => (t.priority ?? 'DEFAULT') === 'DEFAULT');
    // [TLS] UpstreamTlsContext / transport_socket_matches (network/upstream_tls.ts).
    const transportSocket = upstreamTransportFor(config, scope);
    this.info = {
      name: config.name,
      stats: scope,
      connectTimeoutMs,
      maxRetries: threshold?.max_retries ?? this.resources.retries.max,
      maxRequestsPerConnection,
      transportSocket,
    };
    const clientOptions: ClientOptions = {
      connectTimeoutMs,
      maxRequestsPerConnection,
      idleTimeoutMs: durationMs(common?.['idle_timeout']) ?? DEFAULT_UPSTREAM_IDLE_TIMEOUT_MS,
      maxHeaderSize: MAX_RESPONSE_HEADERS_BYTES,
      transportSocket,
    };
    // Only a TLS transport socket reads SNI and SAN (Envoy's raw buffer factory adds nothing to
    // the pool key): plaintext clusters keep one pool per host.
    this.autoSni = transportSocket !== undefined ? autoSniConfig(config) : undefined;
    this.poolContext = { stats: this.stats, resources: this.resources, clientOptions, now };
    const protocol = upstreamProtocolConfig(config);
    this.protocolMode = protocol.mode;
    this.http1 = http1PoolProtocol({ maxHeaderSize: MAX_RESPONSE_HEADERS_BYTES, enableTrailers: protocol.http1EnableTrailers });
    if (protocol.mode !== 'http1') {
      const maxHeadersCount = (common?.['max_headers_count'] as number | undefined) ?? DEFAULT_HEADER_LIMITS.maxHeadersCount;
      const limits = { ...DEFAULT_HEADER_LIMITS, maxHeadersBytes: MAX_RESPONSE_HEADERS_BYTES, maxHeadersCount };
      this.http2 = http2PoolProtocol(protocol.http2, limits, http2CodecStats(scope));
    }
    if (protocol.mode === 'alpn') this.mixed = mixedPoolProtocol(this.http1, this.http2!);
    const policy = config.lb_policy ?? 'ROUND_ROBIN';
    if (SUPPORTED_LB.has(policy)) {
      this.lbPolicy = policy as LbAlgorithm;
    } else {
      this.lbPolicy = 'ROUND_ROBIN';
      // ORIGINAL_DST clusters provide their own load balancer (CLUSTER_PROVIDED).
      if (config.type !== 'ORIGINAL_DST') this.warnings.push(`cluster '${config.name}': lb_policy ${policy} is not implemented; using ROUND_ROBIN`);
    }
    const chc = config.common_lb_config?.['consistent_hashing_lb_config'] as
      | { use_hostname_for_hashing?: boolean }
      | undefined;
    this.useHostnameForHashing = chc?.use_hostname_for_hashing === true;
    const rh = config.ring_hash_lb_config;
    if (rh?.hash_function === 'MURMUR_HASH_2') {
      this.warnings.push(`cluster '${config.name}': ring_hash_lb_config.hash_function MURMUR_HASH_2 is not implemented; using XX_HASH`);
    }
    if (config.circuit_breakers?.per_host_thresholds?.length) {
      this.warnings.push(`cluster '${config.name}': circuit_breakers.per_host_thresholds is not implemented`);
    }
    this.lbOptions = {
      healthyPanicThresholdPercent:
        config.common_lb_config?.healthy_panic_threshold ?? DEFAULT_HEALTHY_PANIC_THRESHOLD_PERCENT,
      overprovisioningFactor:
        config.load_assignment?.policy?.overprovisioning_factor ?? DEFAULT_OVERPROVISIONING_FACTOR,
      choiceCount: config.least_request_lb_config?.choice_count ?? DEFAULT_LEAST_REQUEST_CHOICE_COUNT,
      activeRequestBias: config.least_request_lb_config?.active_request_bias?.default_value,
      minimumRingSize: rh?.minimum_ring_size ?? DEFAULT_RING_HASH_MINIMUM_RING_SIZE,
      maximumRingSize: rh?.maximum_ring_size ?? DEFAULT_RING_HASH_MAXIMUM_RING_SIZE,
      maglevTableSize: config.maglev_lb_config?.table_size ?? DEFAULT_MAGLEV_TABLE_SIZE,
      healthyPanic: this.stats.lb_healthy_panic,
    };
    this.lb = createLoadBalancer<Host>(this.lbPolicy, [], random, this.lbOptions);
  }

  /** Current hosts (all priorities). */
  get allHosts(): readonly Host[] {
    return this.hosts;
  }

  /**
   * Installs a new host list: a new immutable snapshot and load balancer; membership gauges
   * updated; pools of hosts no longer present drain (busy connections finish first).
   */
  setHosts(hosts: readonly Host[]): void {
    const old = this.hosts;
    if (this.useHostnameForHashing) {
      // consistent_hashing_lb_config.use_hostname_for_hashing: ring/Maglev keys are hostnames.
      for (const h of hosts) if (h.hostname) h.hashKey = h.hostname;
    }
    this.hosts = hosts;
    const sets = buildHostSets(hosts);
    this.lb = createLoadBalancer<Host>(this.lbPolicy, sets, this.random, this.lbOptions);
    let healthy = 0;
    let degraded = 0;
    for (const h of hosts) {
      if (h.health === 'healthy') healthy++;
      else if (h.health === 'degraded') degraded++;
    }
    this.stats.membership_total.set(hosts.length);
    this.stats.membership_healthy.set(healthy);
    this.stats.membership_degraded.set(degraded);
    if (old.length > 0 || hosts.length > 0) this.stats.membership_change.inc();
    const keep = new Set(hosts);
    for (const h of old) {
      if (keep.has(h)) continue;
      h.pool?.drain();
      h.http2Pool?.drain();
      if (h.serverNamePools !== undefined) for (const p of h.serverNamePools.values()) p.drain();
    }
  }

  chooseHost(context: LoadBalancerContext | undefined): UpstreamHostDescription | null {
    const hashKey = context?.hashKey;
    let host = this.lb.chooseHost(hashKey);
    const previous = context?.previousHosts;
    // retry_host_predicate previous_hosts: one more pick (host_selection_retry_max_attempts 1).
    if (host && previous && previous.length > 0 && previous.includes(host)) {
      host = this.lb.chooseHost(hashKey) ?? host;
    }
    if (!host) this.stats.upstream_cx_none_healthy.inc();
    return host;
  }

  httpConnPool(host: UpstreamHostDescription, downstreamProtocol?: string, request?: AutoSniRequest): HttpConnPool {
    const h = host as Host;
    if (this.autoSni !== undefined && request !== undefined) {
      const p = this.serverNamePool(h, downstreamProtocol, request);
      if (p !== undefined) return p;
    }
    const protocol = this.poolProtocol(downstreamProtocol);
    // HTTP/2 pools have their own slot: with use_downstream_protocol_config a host has both.
    const h2 = protocol === this.http2;
    let pool = (h2 ? h.http2Pool : h.pool) as ConnPoolBase | undefined;
    if (!pool) {
      pool = new ConnPoolBase(h, this.poolContext, protocol);
      if (h2) h.http2Pool = pool;
      else h.pool = pool;
      this.pools.add(pool);
    }
    return pool;
  }

  /** The protocol of the pool a request goes to: auto_config's mixed one, HTTP/2, or HTTP/1.1. */
  private poolProtocol(downstreamProtocol: string | undefined): PoolProtocol {
    const mode = this.protocolMode;
    if (mode === 'alpn') return this.mixed!;
    if (mode === 'http2' || (mode === 'downstream' && downstreamProtocol === 'HTTP/2')) return this.http2!;
    return this.http1;
  }

  /**
   * auto_sni / auto_san_validation: the pool for the SNI and SAN the request asks for (one per
   * protocol, SNI and SAN, created on first use and dropped once it has no connection and no
   * pending stream), or undefined when it asks for neither or the host's endpoint speaks raw TCP
   * (transport_socket_matches): the host's own pool then.
   */
  private serverNamePool(h: Host, downstreamProtocol: string | undefined, request: AutoSniRequest): ConnPoolBase | undefined {
    const choice = autoSniChoice(this.autoSni!, request);
    if (choice === undefined) return undefined;
    if (this.poolContext.clientOptions.transportSocket!.contextFor(h.address, h.port, h.hostname) === undefined) return undefined;
    const protocol = this.poolProtocol(downstreamProtocol);
    const key = `${protocol.name}|${choice.serverName ?? ''}|${choice.subjectAltName ?? ''}`;
    const pools = (h.serverNamePools ??= new Map());
    let pool = pools.get(key) as ConnPoolBase | undefined;
    if (pool === undefined) {
      const created = new ConnPoolBase(h, this.poolContext, protocol, {
        serverName: choice.serverName,
        verifySubjectAltNames: choice.subjectAltName !== undefined ? [choice.subjectAltName] : undefined,
      });
      created.onIdle = () => {
        if (pools.get(key) === created) pools.delete(key);
        this.pools.delete(created);
      };
      pools.set(key, created);
      this.pools.add(created);
      pool = created;
    }
    return pool;
  }

  tryRetry(): boolean {
    const r = this.resources.retries;
    if (!r.canCreate()) return false;
    r.inc();
    return true;
  }

  releaseRetry(): void {
    this.resources.retries.dec();
  }

  /** A plain-data view for admin `/clusters` and `top`: thresholds and per-host counters. */
  describe(): ClusterDescription {
    const r = this.resources;
    return {
      name: this.info.name,
      lbPolicy: this.lbPolicy,
      circuitBreakers: {
        maxConnections: r.connections.max,
        maxPendingRequests: r.pendingRequests.max,
        maxRequests: r.requests.max,
        maxRetries: r.retries.max,
      },
      hosts: this.hosts.map((h) => ({
        address: h.addressString,
        hostname: h.hostname,
        weight: h.weight,
        priority: h.priority,
        health: h.health,
        cxTotal: h.cxTotal,
        cxActive: h.cxActive,
        cxConnectFail: h.cxConnectFail,
        rqTotal: h.rqTotal,
        rqActive: h.activeRequests,
      })),
    };
  }

  /** Closes every connection of every host (shutdown). */
  destroyPools(): void {
    for (const p of this.pools) p.destroy();
    this.pools.clear();
  }
}
