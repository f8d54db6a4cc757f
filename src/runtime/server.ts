/**
 * Builds a running data plane from a LoadedConfig (Envoy's Server::InstanceImpl, minus workers
 * and admin): the stats store, the cluster manager, one connection manager config per HTTP
 * connection manager (route table compiled by the core, HTTP filters from the registry, access
 * logs), and the listeners. `startServer` is usable in-process by tests: inject random/time
 * sources, a cluster manager, or a hook that sees every finished stream's StreamInfo.
 *
 * Lifecycle: startServer() -> running -> stop(drainMs): stop accepting, let in-flight streams
 * finish up to drainMs, close what is left, shut the cluster manager, flush access logs.
 * Not re-entrant: call stop() once (later calls return the same promise). The access log files
 * belong to one AccessLogManager (Envoy's): `reopenAccessLogs()` is SIGUSR1's job,
 * `flushAccessLogsSync()` the one of an exit path that cannot wait.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Diagnostic } from '../config/diagnostic.js';
import type { Cluster, HttpConnectionManager, LoadedConfig } from '../config/types.js';
import { positionOf } from '../config/position.js';
import { compileRouteConfig } from '../core/route.js';
import { findHttpConnectionManager } from '../core/listener_match.js';
import { StatsStore } from './stats/store.js';
import type { StreamInfo } from './stream_info.js';
import type { ClusterManager } from './upstream/types.js';
import type { RandomSource, TimeSource } from './http/filter.js';
import { buildConnectionManagerConfig, type AccessLogger } from './http/conn_manager_config.js';
import { localInfoAddress } from './local_info.js';
import { TracerManager } from './tracing/tracer_manager.js';
import { CoreRouteProvider } from './http/core_route_provider.js';
import { ActiveListener, type ListenerFilterChain } from './listener/listener.js';
import { createAccessLoggers, type AccessLoggerOptions } from './access_log/index.js';
import { AccessLogManager } from './access_log/manager.js';
import { accessLogFileStats } from './access_log/file_stats.js';
import { createClusterManager } from './upstream/cluster_manager.js';
import { serveUnsupported, uncoveredClusterManagerWarnings } from './serve_support.js';
import { buildStatsConfig } from './stats/stats_config.js';
import { RuntimeLoader } from './runtime_loader.js';
import type { Admin } from './admin/admin.js';
import { startAdmin, type AdminHandle, type AdminOptions } from './admin/admin_bootstrap.js';
import type { ServerState } from './admin/types.js';
import type { OriginalDstReader } from './network/original_dst.js';
import { installOriginalDst } from './network/original_dst_setup.js';

/** Envoy's log levels (`--log-level`). */
export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'critical' | 'off';

/** Where the server writes its own log lines (not access logs). */
export interface ServerLogger {
  log(level: LogLevel, message: string): void;
  /** Changes the level (admin `/logging`); loggers without it keep theirs. */
  setLevel?(level: LogLevel): void;
  level?(): LogLevel;
}

/** Injection points for tests and the CLI; every field is optional. */
export interface ServerOptions {
  random?: RandomSource;
  time?: TimeSource;
  logger?: ServerLogger;
  store?: StatsStore;
  /** A ready cluster manager (tests); otherwise createClusterManager builds one. */
  clusterManager?: ClusterManager;
  /** Builds the cluster manager for the config's clusters. */
  createClusterManager?: (clusters: readonly Cluster[], store: StatsStore, random: RandomSource) => ClusterManager | Promise<ClusterManager>;
  /** Called with every finished stream's StreamInfo (after the access logs). */
  onStreamComplete?: (info: StreamInfo) => void;
  /** Passed to the access loggers (stdout/stderr streams for tests). */
  accessLogOptions?: AccessLoggerOptions;
  /** Admin listener overrides (`--admin-port`, `--admin-address`) and `/server_info` facts. */
  admin?: AdminOptions;
  /** Reads SO_ORIGINAL_DST of an accepted socket's fd, instead of the native addon (tests). */
  originalDst?: OriginalDstReader;
}

/** A bound listener, for logs and tests. */
export interface BoundListener {
  readonly name: string;
  readonly address: string;
  readonly port: number;
  /** false for a `bind_to_port: false` listener (it only receives handed-off connections). */
  readonly bound: boolean;
}

/** A started data plane. */
export interface RunningServer {
  readonly listeners: readonly BoundListener[];
  readonly store: StatsStore;
  readonly clusterManager: ClusterManager;
  /** Streams in flight over all listeners. */
  activeStreams(): number;
  /** Drains and stops. Resolves when everything is closed. */
  stop(drainMs?: number): Promise<void>;
  /**
   * Reopens every access log file (Envoy's SIGUSR1): lines logged before go to the files open
   * now (renamed by logrotate), later ones to files opened again at their paths. A path that
   * cannot be opened counts `filesystem.reopen_failed`, is reported, and keeps its old file.
   */
  reopenAccessLogs(): Promise<void>;
  /** Writes every buffered access log line before returning (process.exit, fatal errors). */
  flushAccessLogsSync(): void;
  /** The admin API, callable in-process (`admin.request('GET', '/stats')`). */
  readonly admin: Admin;
  /** The admin listener's bound address, when one is configured. */
  readonly adminAddress?: { readonly address: string; readonly port: number };
  /** Resolves once the server has stopped, whoever stopped it (signal, `/quitquitquit`). */
  readonly stopped: Promise<void>;
}

/**
 * `server` is present only when there was no error; `diagnostics` holds errors and warnings
 * (`serve/unsupported` warnings name configured features serve does not implement; the server
 * starts without them).
 */
export interface StartResult {
  server?: RunningServer;
  diagnostics: Diagnostic[];
}

/** Default random source: Math.random for route picks, crypto UUIDs for x-request-id. */
export const defaultRandom: RandomSource = {
  random: () => Math.floor(Math.random() * 0x100000000),
  uuid: () => randomUUID(),
};

/** Default time source: Date.now and performance.now (the access log's monotonic clock). */
export const defaultTime: TimeSource = {
  now: () => Date.now(),
  monotonic: () => performance.now(),
};

/**
 * The upstream cluster manager, ready once DNS clusters have their first hosts. Its warnings are
 * logged, except those `reported` already states with a position (serveUnsupported).
 */
function defaultClusterManager(logger: ServerLogger | undefined, reported: readonly Diagnostic[]) {
  return async (clusters: readonly Cluster[], store: StatsStore, random: RandomSource): Promise<ClusterManager> => {
    // The cluster manager wants a uniform [0, 1) source; ours yields 32-bit integers.
    const cm = createClusterManager(clusters, store, { random: () => (random.random() % 0x100000000) / 0x100000000 });
    for (const w of uncoveredClusterManagerWarnings(cm.warnings, reported)) logger?.log('warn', w);
    await cm.ready;
    return cm;
  };
}

function diagAt(file: string, node: object | undefined, rule: string, message: string, path = '$'): Diagnostic {
  const pos = node ? positionOf(node) : undefined;
  return { file: pos?.file ?? file, line: pos?.line ?? 1, col: pos?.col ?? 1, severity: 'error', rule, message, path };
}

/**
 * Starts every listener of `config`. Returns diagnostics: errors mean nothing was started;
 * warnings (serve/unsupported, optional filters skipped) are returned beside the running server
 * for the caller to print. Bind failures reject the promise with the system error.
 */
export async function startServer(config: LoadedConfig, options: ServerOptions = {}): Promise<StartResult> {
  const random = options.random ?? defaultRandom;
  const time = options.time ?? defaultTime;
  const logger = options.logger;
  const diagnostics: Diagnostic[] = [];
  const statsConfig = buildStatsConfig(config.bootstrap, config.file);
  diagnostics.push(...statsConfig.diagnostics);
  const store = options.store ?? new StatsStore(statsConfig.config);
  const runtime = new RuntimeLoader(config);
  if (config.listeners.length === 0) {
    diagnostics.push(diagAt(config.file, undefined, 'serve/no-listeners', 'the config has no listeners to serve (a Bootstrap with static_resources.listeners is needed)'));
    return { diagnostics };
  }
  // Configured features serve does not implement: warnings, or errors that refuse the start
  // (TLS transport sockets, network filters other than the HCM). Checked before any cluster or
  // socket exists.
  const unsupported = serveUnsupported(config);
  diagnostics.push(...unsupported);
  if (diagnostics.some((d) => d.severity === 'error')) return { diagnostics };
  // The admin starts before the clusters initialize, as Envoy's (/ready says INITIALIZING).
  let state: ServerState = 'INITIALIZING';
  let clusterManager = options.clusterManager;
  const listeners: ActiveListener[] = [];
  let server: RunningServer | undefined;
  const adminHandle: AdminHandle = await startAdmin({
    config, store, statsConfig: statsConfig.config, runtime, time, options: options.admin, accessLogOptions: options.accessLogOptions,
    clusterManager: () => clusterManager,
    listeners: () => listeners.map((l) => ({ name: l.name, address: l.address, port: l.port, config: l.config, drain: () => l.drain(), tls: () => l.tlsTransports })),
    serverState: () => state,
    shutdown: () => void server?.stop(0),
    logLevel: { get: () => logger?.level?.() ?? 'info', set: (l) => logger?.setLevel?.(l as LogLevel) },
  });
  if (adminHandle.listener) logger?.log('info', `admin address: ${adminHandle.listener.address}:${adminHandle.listener.port}`);
  if (clusterManager === undefined) {
    const create = options.createClusterManager ?? defaultClusterManager(logger, unsupported);
    try {
      clusterManager = await create(config.clusters, store, random);
    } catch (err) {
      await adminHandle.close();
      throw err;
    }
  }
  const cm: ClusterManager = clusterManager;
  const tracers = new TracerManager({ config, store, clusterManager: () => cm, runtime: runtime.values, localAddress: localInfoAddress() });

  const allLoggers: AccessLogger[] = [];
  // Failures of access log writes are never silent: counted (filesystem.*) and logged once per
  // burst. Without a logger they go to stderr (the sink's default).
  const accessLogs = new AccessLogManager({
    ...options.accessLogOptions,
    stats: accessLogFileStats(store),
    ...(logger !== undefined && options.accessLogOptions?.report === undefined ? { report: (m: string) => logger.log('error', m) } : {}),
  });
  const hook = options.onStreamComplete;
  const hookLogger: AccessLogger | undefined = hook ? { log: hook, close: () => undefined } : undefined;
  /** Served listeners by config index (the original destination hand-off targets). */
  const served: (ActiveListener | undefined)[] = [];

  config.listeners.forEach((l, li) => {
    const chains: ListenerFilterChain[] = [];
    const all = [...(l.filter_chains ?? []), ...(l.default_filter_chain ? [l.default_filter_chain] : [])];
    for (const chain of all) {
      const found = findHttpConnectionManager(chain);
      if (!found) {
        diagnostics.push(diagAt(config.file, chain, 'serve/no-hcm', `listener "${l.name ?? li}": a filter chain without an HTTP connection manager cannot be served`, `$.static_resources.listeners[${li}]`));
        continue;
      }
      const hcm: HttpConnectionManager = found.hcm;
      if (!hcm.route_config) {
        diagnostics.push(diagAt(config.file, hcm, 'serve/rds-unsupported', `HTTP connection manager "${hcm.stat_prefix}": only inline route_config is supported (rds needs xDS)`));
        continue;
      }
      const compiled = compileRouteConfig(hcm.route_config, { runtime: runtime.values, file: config.file });
      for (const d of compiled.diagnostics) if (d.severity === 'error') diagnostics.push(d);
      let loggers: AccessLogger[] = [];
      try {
        const al = createAccessLoggers(hcm.access_log, { ...options.accessLogOptions, manager: accessLogs });
        allLoggers.push(al);
        loggers = [al];
      } catch (err) {
        diagnostics.push(diagAt(config.file, hcm, 'serve/access-log', (err as Error).message));
        continue;
      }
      if (hookLogger) loggers.push(hookLogger);
      const routerCfg = (hcm.http_filters ?? []).find((f) => f.typed_config?.['suppress_envoy_headers'] === true);
      const built = buildConnectionManagerConfig(hcm, {
        store,
        clusterManager: cm,
        runtime: runtime.values,
        random,
        time,
        routeProvider: new CoreRouteProvider(compiled.table, routerCfg === undefined),
        accessLoggers: loggers,
        file: config.file,
        server: { healthCheckFailed: adminHandle.healthCheckFailed, serviceCluster: config.bootstrap?.node?.cluster ?? '' },
        tracers,
      });
      diagnostics.push(...built.diagnostics);
      if (built.config) chains.push({ chain, config: built.config });
    }
    if (chains.length > 0) {
      const active = new ActiveListener(l, chains, store);
      listeners.push(active);
      served[li] = active;
    }
  });
  diagnostics.push(...installOriginalDst(config, served, { reader: options.originalDst, debug: (m) => logger?.log('debug', m) }));
  if (diagnostics.some((d) => d.severity === 'error')) {
    await tracers.shutdown();
    await cm.shutdown();
    await adminHandle.close();
    await accessLogs.close();
    return { diagnostics };
  }

  try {
    for (const l of listeners) await l.start();
  } catch (err) {
    for (const l of listeners) l.closeAll();
    await cm.shutdown();
    await adminHandle.close();
    await accessLogs.close();
    throw err;
  }
  state = 'LIVE';
  const bound: BoundListener[] = listeners.map((l) => ({ name: l.name, address: l.address, port: l.port, bound: l.config.bind_to_port !== false }));
  for (const b of bound) {
    if (b.bound) logger?.log('info', `listener "${b.name}" listening on ${b.address}:${b.port}`);
    else logger?.log('info', `listener "${b.name}" on ${b.address}:${b.port} (bind_to_port: false: receives connections handed off by use_original_dst listeners)`);
  }

  let stopping: Promise<void> | undefined;
  let markStopped: () => void = () => undefined;
  const stopped = new Promise<void>((r) => (markStopped = r));
  const adminListener = adminHandle.listener;
  server = {
    listeners: bound,
    store,
    clusterManager: cm,
    admin: adminHandle.admin,
    ...(adminListener ? { adminAddress: { address: adminListener.address, port: adminListener.port } } : {}),
    stopped,
    activeStreams: () => listeners.reduce((n, l) => n + l.activeStreams, 0),
    stop(drainMs = 0): Promise<void> {
      stopping ??= (async () => {
        state = 'DRAINING';
        for (const l of listeners) l.drain();
        const deadline = time.monotonic() + drainMs;
        while (server!.activeStreams() > 0 && time.monotonic() < deadline) {
          await new Promise((r) => setTimeout(r, 10));
        }
        for (const l of listeners) l.closeAll();
        await tracers.shutdown();
        await cm.shutdown();
        await Promise.all(allLoggers.map((a) => a.close()));
        await adminHandle.close();
        await accessLogs.close();
        markStopped();
      })();
      return stopping;
    },
    reopenAccessLogs: () => accessLogs.reopen(),
    flushAccessLogsSync: () => accessLogs.flushSync(),
  };
  return { server, diagnostics };
}
