/**
 * An HTTP client of Envoy's admin API (tsproxy's or a real Envoy's): GET with an overall
 * deadline and a size bound, over one small keep-alive agent so a live view polling every second
 * reuses its connections. {@link AdminClient.poll} reads the four endpoints `top` needs and
 * returns one {@link AdminSample}.
 */
import http from 'node:http';
import { AdminShapeError } from './model/admin_shapes.js';
import { parseClustersJson } from './model/clusters.js';
import { parseListenersJson } from './model/listeners.js';
import type { AdminSample } from './model/sample.js';
import { parseServerInfo } from './model/server_info.js';
import { parseStatsJson } from './model/stats_sample.js';

/** A failed admin request; `message` is what the user sees. */
export class AdminRequestError extends Error {
  override readonly name = 'AdminRequestError';
}

export interface AdminClientOptions {
  /** Deadline of each request, ms. */
  readonly timeoutMs: number;
  /** Largest response body accepted, bytes. */
  readonly maxBytes: number;
  /** The clock samples are stamped with (ms; only differences matter). */
  readonly now: () => number;
}

export const DEFAULT_ADMIN_CLIENT_OPTIONS: AdminClientOptions = {
  timeoutMs: 5000,
  maxBytes: 64 * 1024 * 1024,
  now: () => performance.now(),
};

/**
 * Only the stat trees `top` reads (RE2 and JavaScript read this regex alike), so a large Envoy
 * does not serialise every stat it has each second.
 */
export const STATS_PATH = `/stats?format=json&filter=${encodeURIComponent('^(cluster|http|listener)\\.')}`;
export const CLUSTERS_PATH = '/clusters?format=json';
export const LISTENERS_PATH = '/listeners?format=json';
export const SERVER_INFO_PATH = '/server_info';

/**
 * Parses `--admin`: `http://host:port[/prefix]`, or `host:port` (http assumed). Throws a
 * TypeError with a user-facing message for anything else (https included: Envoy's admin
 * listener is plain HTTP unless fronted by something else).
 */
export function parseAdminAddress(text: string): URL {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `http://${text}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new TypeError(`--admin: not a URL: ${text}`);
  }
  if (url.protocol !== 'http:') throw new TypeError(`--admin: only http:// admin addresses are supported, got ${url.protocol}//`);
  if (url.search || url.hash) throw new TypeError(`--admin: give the admin address without a query or fragment: ${text}`);
  return url;
}

export class AdminClient {
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
  private readonly prefix: string;

  constructor(
    readonly base: URL,
    private readonly options: AdminClientOptions = DEFAULT_ADMIN_CLIENT_OPTIONS,
  ) {
    this.prefix = base.pathname.replace(/\/+$/, '');
  }

  /** The admin address as the user should read it. */
  get display(): string {
    return `${this.base.protocol}//${this.base.host}${this.prefix}`;
  }

  /**
   * GET `path` and parse its JSON body. Rejects with {@link AdminRequestError} on a connection
   * error, the deadline, a non-200 status, an oversized body or a body that is not JSON.
   */
  getJson(path: string): Promise<unknown> {
    const { timeoutMs, maxBytes } = this.options;
    const where = `${this.display}${path.split('?')[0]}`;
    return new Promise((resolve, reject) => {
      let settled = false;
      const fail = (msg: string): void => {
        if (settled) return;
        settled = true;
        clearTimeout(deadline);
        req.destroy();
        reject(new AdminRequestError(msg));
      };
      const req = http.get(
        // URL keeps an IPv6 literal in brackets; node:http wants it bare.
        { host: this.base.hostname.replace(/^\[(.*)\]$/, '$1'), port: this.base.port || 80, path: this.prefix + path, agent: this.agent, headers: { accept: 'application/json' } },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (c: Buffer) => {
            size += c.length;
            if (size > maxBytes) fail(`${where}: response larger than ${maxBytes} bytes`);
            else chunks.push(c);
          });
          res.on('error', (e) => fail(`${where}: ${e.message}`));
          res.on('end', () => {
            if (settled) return;
            settled = true;
            clearTimeout(deadline);
            const body = Buffer.concat(chunks).toString('utf8');
            if (res.statusCode !== 200) {
              reject(new AdminRequestError(`${where} answered ${res.statusCode} ${res.statusMessage ?? ''}`.trimEnd()));
              return;
            }
            try {
              resolve(JSON.parse(body));
            } catch {
              reject(new AdminRequestError(`${where} did not answer JSON`));
            }
          });
        },
      );
      req.on('error', (e) => fail(`cannot reach the admin API at ${this.display}: ${e.message}`));
      const deadline = setTimeout(() => fail(`no answer from ${where} within ${timeoutMs} ms`), timeoutMs);
    });
  }

  /**
   * One sample: `/stats?format=json` (required: its failure rejects the poll), and
   * `/clusters?format=json`, `/listeners?format=json`, `/server_info` (each optional: a failure
   * leaves its part undefined, so an admin without them still gets a dashboard). Stamped with
   * the time the stats arrived.
   */
  async poll(): Promise<AdminSample> {
    const optional = <T>(p: Promise<unknown>, parse: (j: unknown) => T): Promise<T | undefined> =>
      p.then(
        (j) => {
          try {
            return parse(j);
          } catch {
            return undefined;
          }
        },
        () => undefined,
      );
    const clusters = optional(this.getJson(CLUSTERS_PATH), parseClustersJson);
    const listeners = optional(this.getJson(LISTENERS_PATH), parseListenersJson);
    const server = optional(this.getJson(SERVER_INFO_PATH), parseServerInfo);
    let stats: AdminSample['stats'] | undefined;
    let atMs = 0;
    let error: unknown;
    try {
      const json = await this.getJson(STATS_PATH);
      atMs = this.options.now();
      stats = parseStatsJson(json);
    } catch (e) {
      error = e instanceof AdminShapeError ? new AdminRequestError(`${this.display}${e.message}`) : e;
    }
    const [c, l, s] = await Promise.all([clusters, listeners, server]);
    if (stats === undefined) throw error;
    return { atMs, stats, ...(c ? { clusters: c } : {}), ...(l ? { listeners: l } : {}), ...(s ? { server: s } : {}) };
  }

  /** Closes the kept-alive connections (call once, when done polling). */
  close(): void {
    this.agent.destroy();
  }
}
