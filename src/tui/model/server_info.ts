/** `/server_info` -> {@link ServerInfo}: what the dashboard's title line shows. */
import { isObject } from './admin_shapes.js';

export interface ServerInfo {
  /** Envoy's build string (`<sha>/1.32.1/Clean/RELEASE/BoringSSL`) or tsproxy's version. */
  readonly version: string;
  /** LIVE, DRAINING, PRE_INITIALIZING, INITIALIZING. */
  readonly state: string;
  /** Uptime of this epoch as the admin prints it (a proto Duration: `3600s`). */
  readonly uptime: string;
}

/** Parses `/server_info`; undefined when the body is not a JSON object. */
export function parseServerInfo(json: unknown): ServerInfo | undefined {
  if (!isObject(json)) return undefined;
  const str = (v: unknown): string => (typeof v === 'string' ? v : '');
  return { version: str(json.version), state: str(json.state), uptime: str(json.uptime_current_epoch) };
}

/**
 * The short version shown in the title: the semantic version inside Envoy's build string
 * (`b05.../1.32.1/Clean/RELEASE/BoringSSL` -> `1.32.1`), else the string itself.
 */
export function shortVersion(version: string): string {
  const parts = version.split('/');
  const semver = parts.find((p) => /^\d+\.\d+\.\d+/.test(p));
  return semver ?? version;
}

/** `3725s` (a proto Duration) -> `1h2m`; anything else unchanged. */
export function shortUptime(uptime: string): string {
  const m = /^(\d+)(?:\.\d+)?s$/.exec(uptime);
  if (!m) return uptime;
  const s = Number(m[1]);
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const min = Math.floor((s % 3600) / 60);
  if (d > 0) return `${d}d${h}h`;
  if (h > 0) return `${h}h${min}m`;
  if (min > 0) return `${min}m${s % 60}s`;
  return `${s}s`;
}
