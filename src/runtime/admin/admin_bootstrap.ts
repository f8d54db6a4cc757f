/**
 * Wires the admin API into a starting server (Envoy's AdminImpl::startHttpListener plus the
 * server's stats flush): builds the AdminServerContext over the server's pieces, the in-process
 * Admin dispatcher (always available, `RunningServer.admin`), the admin listener when the
 * Bootstrap has `admin.address` or `--admin-port` asks for one, the admin access log, the
 * `server.*` gauges, and the stats flush timer that merges histograms every
 * `stats_flush_interval` (none with `stats_flush_on_admin`).
 *
 * Address: `admin.address.socket_address` as configured; `--admin-address` / `--admin-port`
 * override it; a port given alone binds 127.0.0.1. A pipe address is refused.
 */
import type { AccessLog, LoadedConfig } from '../../config/types.js';
import type { AccessLogger } from '../http/conn_manager_config.js';
import type { TimeSource } from '../http/filter.js';
import { createAccessLoggers, type AccessLoggerOptions } from '../access_log/index.js';
import type { RuntimeLoader } from '../runtime_loader.js';
import type { StatsConfig } from '../stats/stats_config.js';
import type { StatsStore } from '../stats/store.js';
import type { ClusterManager } from '../upstream/types.js';
import { Admin } from './admin.js';
import { AdminListener } from './server.js';
import type { AdminListenerView, AdminServerContext, ServerState } from './types.js';

const FILE_ACCESS_LOG = 'type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog';
const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'critical', 'off'];

/** `ServerOptions.admin`: what `tsproxy serve` flags say about the admin. */
export interface AdminOptions {
  /** `--admin-address`: overrides `admin.address`'s IP (default 127.0.0.1 when only a port is given). */
  address?: string;
  /** `--admin-port`: overrides the port; enables the admin when the config has none. */
  port?: number;
  /** Envoy's command_line_options for `/server_info` (and `version`). */
  commandLineOptions?: Record<string, unknown>;
  /** `/drain_listeners?graceful` drain period, ms (`--drain-time-s`; default 5 s). */
  drainTimeMs?: number;
}

export interface AdminDeps {
  readonly config: LoadedConfig;
  readonly store: StatsStore;
  readonly statsConfig: StatsConfig;
  readonly runtime: RuntimeLoader;
  readonly time: TimeSource;
  /** The cluster manager once built (admin starts before it, as Envoy's). */
  readonly clusterManager: () => ClusterManager | undefined;
  readonly listeners: () => readonly AdminListenerView[];
  /** The server's own state: INITIALIZING until listeners are up, then LIVE, DRAINING once stopping. */
  readonly serverState: () => ServerState;
  /** Stops the server (`/quitquitquit`). */
  readonly shutdown: () => void;
  readonly logLevel: { get(): string; set(level: string): void };
  readonly accessLogOptions?: AccessLoggerOptions;
  readonly options?: AdminOptions;
}

export interface AdminHandle {
  readonly admin: Admin;
  /** The bound admin listener, when one was configured. */
  readonly listener?: AdminListener;
  /** Health checks failed by `/healthcheck/fail` (the health_check filter reads this). */
  healthCheckFailed(): boolean;
  close(): Promise<void>;
}

const NO_CLUSTERS: ClusterManager = { getThreadLocalCluster: () => undefined, shutdown: async () => undefined };

function adminAccessLogs(config: LoadedConfig): AccessLog[] {
  const a = config.admin;
  if (!a) return [];
  if (a.access_log?.length) return a.access_log;
  if (a.access_log_path && a.access_log_path !== '/dev/null') {
    return [{ name: 'envoy.access_loggers.file', typed_config: { '@type': FILE_ACCESS_LOG, path: a.access_log_path } } as unknown as AccessLog];
  }
  return [];
}

/**
 * Builds the admin of a starting server. Rejects when the admin listener cannot bind or its
 * access log cannot be opened (nothing is left open then).
 */
export async function startAdmin(deps: AdminDeps): Promise<AdminHandle> {
  const { config, store, statsConfig, time } = deps;
  let hcFailed = false;
  let draining = false;
  const startTime = time.now();
  const drainTimeMs = deps.options?.drainTimeMs ?? 5000;
  const timers = new Set<NodeJS.Timeout>();
  const context: AdminServerContext = {
    config,
    store,
    statsConfig,
    get clusterManager() {
      return deps.clusterManager() ?? NO_CLUSTERS;
    },
    runtime: deps.runtime,
    listeners: deps.listeners,
    startTime,
    now: () => time.now(),
    commandLineOptions: deps.options?.commandLineOptions ?? {},
    state: () => {
      const s = deps.serverState();
      return s === 'LIVE' && (hcFailed || draining) ? 'DRAINING' : s;
    },
    healthCheckFailed: () => hcFailed,
    setHealthCheckFailed: (f) => {
      hcFailed = f;
    },
    drainListeners: ({ graceful, inboundOnly }) => {
      const selected = deps.listeners().filter((l) => !inboundOnly || l.config.traffic_direction === 'INBOUND');
      if (!graceful) {
        for (const l of selected) l.drain();
        return;
      }
      draining = true;
      const t = setTimeout(() => {
        timers.delete(t);
        for (const l of selected) l.drain();
      }, drainTimeMs);
      t.unref();
      timers.add(t);
    },
    shutdown: () => setImmediate(deps.shutdown),
    logLevel: () => deps.logLevel.get(),
    setLogLevel: (level) => {
      if (!LOG_LEVELS.includes(level)) return false;
      deps.logLevel.set(level);
      return true;
    },
  };
  // Envoy's server.* gauges, refreshed at every stats flush and admin read.
  const server = store.scope('server.');
  const gauges = {
    uptime: server.gauge('uptime'),
    state: server.gauge('state'),
    live: server.gauge('live'),
    concurrency: server.gauge('concurrency'),
    allocated: server.gauge('memory_allocated'),
    heap: server.gauge('memory_heap_size'),
    physical: server.gauge('memory_physical_size'),
  };
  const STATE_NUMBER: Record<ServerState, number> = { LIVE: 0, DRAINING: 1, PRE_INITIALIZING: 2, INITIALIZING: 3 };
  const refresh = (): void => {
    const s = context.state();
    gauges.uptime.set(Math.floor((time.now() - startTime) / 1000));
    gauges.state.set(STATE_NUMBER[s]);
    gauges.live.set(s === 'LIVE' ? 1 : 0);
    gauges.concurrency.set(1);
    const m = process.memoryUsage();
    gauges.allocated.set(m.heapUsed);
    gauges.heap.set(m.heapTotal);
    gauges.physical.set(m.rss);
  };
  refresh();
  const admin = new Admin(context, refresh);
  let flushTimer: NodeJS.Timeout | undefined;
  if (statsConfig.flushIntervalMs > 0) {
    flushTimer = setInterval(() => {
      refresh();
      store.mergeHistograms();
    }, statsConfig.flushIntervalMs);
    flushTimer.unref();
  }

  let listener: AdminListener | undefined;
  let accessLogger: AccessLogger | undefined;
  const sa = config.admin?.address?.socket_address;
  const opt = deps.options;
  const wanted = sa !== undefined || opt?.port !== undefined || opt?.address !== undefined;
  const stopTimers = (): void => {
    if (flushTimer) clearInterval(flushTimer);
    for (const t of timers) clearTimeout(t);
  };
  if (wanted) {
    if (config.admin?.address !== undefined && sa === undefined && opt?.address === undefined) {
      stopTimers();
      throw new Error('admin.address: only socket_address admin addresses are supported');
    }
    try {
      accessLogger = createAccessLoggers(adminAccessLogs(config), deps.accessLogOptions);
      listener = await AdminListener.start(admin, {
        host: opt?.address ?? sa?.address ?? '127.0.0.1',
        port: opt?.port ?? sa?.port_value ?? 0,
        store,
        time,
        accessLogger,
      });
    } catch (err) {
      stopTimers();
      await accessLogger?.close();
      throw err;
    }
  }
  return {
    admin,
    ...(listener ? { listener } : {}),
    healthCheckFailed: () => hcFailed,
    async close() {
      stopTimers();
      await listener?.close();
      await accessLogger?.close();
    },
  };
}
