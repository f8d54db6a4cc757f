/**
 * The admin API's seams (Envoy's Server::Admin): a request is a method, a path and its query; a
 * handler returns a status, headers and a body. Handlers read the running server through
 * AdminServerContext only, so they are callable from tests, from the admin listener and from a
 * TUI client in the same process without a socket (`Admin.request`).
 */
import type { TlsMaterial } from '../network/tls_context.js';
import type { LoadedConfig, Listener } from '../../config/types.js';
import type { StatsConfig } from '../stats/stats_config.js';
import type { StatsStore } from '../stats/store.js';
import type { ClusterManager } from '../upstream/types.js';
import type { RuntimeLoader } from '../runtime_loader.js';

/** Query parameters, first value of each name wins (Http::Utility::parseAndDecodeQueryString). */
export type QueryParams = ReadonlyMap<string, string>;

export interface AdminRequest {
  readonly method: string;
  /** Path without the query. */
  readonly path: string;
  readonly query: QueryParams;
  /** `application/x-www-form-urlencoded` POST body fields (runtime_modify accepts them). */
  readonly form?: QueryParams;
}

export interface AdminResponse {
  status: number;
  /** Lowercase names. `content-type` defaults to `text/plain; charset=UTF-8`. */
  headers: Record<string, string>;
  body: string;
}

/** Envoy's Admin::ParamDescriptor (for /help). */
export interface ParamDescriptor {
  readonly id: string;
  readonly help: string;
  readonly choices?: readonly string[];
}

/** One admin endpoint (Envoy's UrlHandler). */
export interface AdminHandler {
  /** Exact path, e.g. `/stats/prometheus`. */
  readonly prefix: string;
  readonly help: string;
  /** POST only: GET answers 405 and changes nothing. */
  readonly mutatesState: boolean;
  readonly params?: readonly ParamDescriptor[];
  handle(req: AdminRequest): AdminResponse | Promise<AdminResponse>;
}

/** Envoy's envoy.admin.v3.ServerInfo.State. */
export type ServerState = 'LIVE' | 'DRAINING' | 'PRE_INITIALIZING' | 'INITIALIZING';

/** A listener as the admin sees it. */
export interface AdminListenerView {
  readonly name: string;
  readonly address: string;
  readonly port: number;
  readonly config: Listener;
  /** Stops accepting; in-flight requests finish with `connection: close`. */
  drain(): void;
  /** The TLS contexts of its filter chains, with their current certificates (`/certs`). */
  readonly tls?: () => readonly { readonly material: TlsMaterial }[];
}

/** What the handlers may read and do (the running server, Envoy's Server::Instance). */
export interface AdminServerContext {
  readonly config: LoadedConfig;
  readonly store: StatsStore;
  readonly statsConfig: StatsConfig;
  readonly clusterManager: ClusterManager;
  readonly runtime: RuntimeLoader;
  readonly listeners: () => readonly AdminListenerView[];
  /** Epoch ms when the server started. */
  readonly startTime: number;
  /** Epoch ms now (injectable). */
  now(): number;
  /** `tsproxy serve` flags as Envoy's command_line_options names them. */
  readonly commandLineOptions: Readonly<Record<string, unknown>>;
  state(): ServerState;
  healthCheckFailed(): boolean;
  setHealthCheckFailed(failed: boolean): void;
  /** `/drain_listeners`: `graceful` waits the drain time first; `inboundOnly` keeps outbound listeners. */
  drainListeners(options: { graceful: boolean; inboundOnly: boolean }): void;
  /** `/quitquitquit`: stops the server (after the response is sent). */
  shutdown(): void;
  logLevel(): string;
  /** False when `level` is not a level name. */
  setLogLevel(level: string): boolean;
}
