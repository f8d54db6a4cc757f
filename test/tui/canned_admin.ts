/**
 * Test helpers for `tsproxy top`: the canned Envoy 1.32 admin responses of fixtures/top/ as
 * samples, and a local HTTP server that answers the admin endpoints with them, its counters
 * advancing between polls (poll n of /stats answers stats_0 + n * (stats_1 - stats_0)), so tests
 * need no admin implementation. Tests only.
 */
import http from 'node:http';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { parseClustersJson } from '../../src/tui/model/clusters.js';
import { parseListenersJson } from '../../src/tui/model/listeners.js';
import type { AdminSample } from '../../src/tui/model/sample.js';
import { parseServerInfo } from '../../src/tui/model/server_info.js';
import { parseStatsJson } from '../../src/tui/model/stats_sample.js';

/** Repo root: dist/test/tui/canned_admin.js -> ../../../ */
export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export function fixtureText(name: string): string {
  return readFileSync(`${ROOT}fixtures/top/${name}`, 'utf8');
}

export function fixtureJson(name: string): unknown {
  return JSON.parse(fixtureText(name));
}

/** The canned Envoy's sample `i` (0 or 1), stamped `atMs`. */
export function envoySample(i: 0 | 1, atMs: number): AdminSample {
  return {
    atMs,
    stats: parseStatsJson(fixtureJson(`envoy_stats_${i}.json`)),
    clusters: parseClustersJson(fixtureJson('envoy_clusters.json')),
    listeners: parseListenersJson(fixtureJson('envoy_listeners.json')),
    server: parseServerInfo(fixtureJson('envoy_server_info.json')),
  };
}

type StatEntry = { name?: string; value?: number | string; histograms?: unknown };

/** `/stats?format=json` body of poll `n`: counters and gauges moved n steps of (stats_1 - stats_0). */
export function statsBodyAt(n: number): string {
  const s0 = (fixtureJson('envoy_stats_0.json') as { stats: StatEntry[] }).stats;
  const s1 = (fixtureJson('envoy_stats_1.json') as { stats: StatEntry[] }).stats;
  const stats = s1.map((e, i) => {
    const v0 = s0[i]?.value;
    if (typeof e.value !== 'number' || typeof v0 !== 'number') return e;
    return { name: e.name, value: v0 + n * (e.value - v0) };
  });
  return JSON.stringify({ stats });
}

export interface CannedAdmin {
  readonly url: string;
  /** Requests seen, by path (query included). */
  readonly requests: string[];
  /** How many /stats polls were answered. */
  statsPolls(): number;
  close(): Promise<void>;
}

export interface CannedAdminOptions {
  /** Answer every request with this status instead (503 to play an admin that is not ready). */
  readonly failWith?: number;
  /** Port to listen on (0: any free port). */
  readonly port?: number;
}

/** Starts the canned admin on 127.0.0.1 (port 0). */
export async function startCannedAdmin(opts: CannedAdminOptions = {}): Promise<CannedAdmin> {
  const requests: string[] = [];
  let polls = 0;
  const bodies: Record<string, string> = {
    '/clusters': fixtureText('envoy_clusters.json'),
    '/listeners': fixtureText('envoy_listeners.json'),
    '/server_info': fixtureText('envoy_server_info.json'),
  };
  const server = http.createServer((req, res) => {
    const url = req.url ?? '/';
    requests.push(url);
    const path = url.split('?')[0]!;
    if (opts.failWith !== undefined) {
      res.writeHead(opts.failWith, { 'content-type': 'text/plain' }).end('no\n');
      return;
    }
    const body = path === '/stats' ? statsBodyAt(polls++) : bodies[path];
    if (body === undefined) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('invalid path. admin commands are:\n');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    statsPolls: () => polls,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
