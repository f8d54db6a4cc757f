/**
 * `tsproxy replay`: access log lines in, a report out. Each line is read back into its request
 * (log_format.ts, json_log.ts), routed as `match` routes it (request_router.ts), and counted:
 * hits per virtual host and route, routes never hit, requests that now get a local 404/503, and
 * with a second config (`--against`, the config before) the requests whose outcome changes.
 * Streaming: the caller feeds lines one at a time; memory holds counters and a few examples per
 * group, never the log. Pure: the CLI reads the files.
 */
import type { LoadedConfig } from '../../config/types.js';
import type { RouteEntry, VirtualHostEntry } from '../../core/route_types.js';
import { positionOf } from '../../config/position.js';
import type { PositionJson } from '../explain/report_types.js';
import { parseJsonLogLine, type AnyLogFormat } from './json_log.js';
import { parseLogLine, type LogRecord } from './log_format.js';
import { RequestRouter, type RequestRouterOptions, type RoutedOutcome, type RouterInput } from './request_router.js';
import type { ChangeGroupJson, ExampleJson, FailureGroupJson, ReplayReport, RouteHitsJson } from './report_types.js';

export interface ReplayOptions extends RequestRouterOptions {
  readonly format: AnyLogFormat;
  /** Scheme of requests whose log line does not say (`http`). */
  readonly scheme: 'http' | 'https';
  /** Examples kept per group (default 3). */
  readonly examples?: number;
}

/** Envoy's per-stream random value, replaced by a deterministic one per line (same line, same value for both configs). */
export function lineRandomValue(lineIndex: number): number {
  let x = Math.imul(lineIndex + 1, 0x9e3779b9) >>> 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b) >>> 0;
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35) >>> 0;
  x ^= x >>> 16;
  return x >>> 0;
}

/** The request a log record stands for, as match's flags would give it. */
export function recordToInput(rec: LogRecord, scheme: string, randomValue: number): RouterInput | undefined {
  const method = (rec.method ?? 'GET').toUpperCase();
  let path = rec.path;
  if (path === undefined) {
    if (method !== 'CONNECT') return undefined;
    path = '';
  }
  return {
    host: rec.authority,
    path,
    method,
    scheme: (rec.scheme ?? scheme).toLowerCase(),
    headers: rec.headers,
    randomValue,
    remoteAddress: rec.remoteAddress,
    sni: rec.requestedServerName,
    localPort: rec.localPort,
  };
}

/** One line of what a config does with a request, for examples and change lists. */
export function describeOutcome(o: RoutedOutcome): string {
  const route = o.route ? ` (route ${o.route.name ?? `#${o.route.index}`} of ${o.virtualHost?.name})` : '';
  switch (o.kind) {
    case 'forward':
      return o.outcome.status === null
        ? `forward to ${o.weighted !== null ? `weighted ${o.weighted}` : `"${o.cluster}"`} as ${o.host}${o.path}${route}`
        : `${o.outcome.status} ${o.outcome.response_flag}: ${o.outcome.summary}${route}`;
    case 'redirect':
      return `redirect ${o.outcome.status} to ${o.location}${route}`;
    case 'direct_response':
      return `direct response ${o.outcome.status}${route}`;
    case 'no_route':
      return `404 NR: ${o.outcome.summary}`;
    case 'unrouted':
      return `not routed: ${o.outcome.summary}`;
  }
}

/** What a group of requests has in common (the key without the per-request path and host). */
export function groupOf(o: RoutedOutcome): string {
  const via = o.route ? ` via route ${o.route.name ?? `#${o.route.index}`} of ${o.virtualHost?.name}` : '';
  switch (o.kind) {
    case 'forward':
      return `${o.outcome.status === null ? 'forward to' : `${o.outcome.status} ${o.outcome.response_flag}:`} ${o.weighted !== null ? `weighted ${o.weighted}` : `"${o.cluster}"`}${via}`;
    case 'redirect':
      return `redirect ${o.outcome.status}${via}`;
    case 'direct_response':
      return `direct response ${o.outcome.status}${via}`;
    case 'no_route':
      return `404 NR: ${o.outcome.summary}`;
    case 'unrouted':
      return `not routed: ${o.outcome.summary}`;
  }
}

function pos(p: { file: string; line: number; col: number } | undefined): PositionJson | null {
  return p ? { file: p.file, line: p.line, col: p.col } : null;
}

interface Group<T> {
  count: number;
  examples: T[];
}

/** Per-line replay state and counters. */
export class Replay {
  readonly router: RequestRouter;
  readonly against: RequestRouter | undefined;
  private readonly examplesPerGroup: number;
  private linesTotal = 0;
  private parsed = 0;
  private readonly unparsedExamples: { file: string; line: number; text: string }[] = [];
  private routed = 0;
  private noRoute = 0;
  private failing = 0;
  private unroutedCount = 0;
  private readonly routeHits = new Map<RouteEntry, number>();
  private readonly vhostHits = new Map<VirtualHostEntry, number>();
  private readonly failures = new Map<string, Group<ExampleJson> & { status: number; flag: string; details: string; summary: string; newly: number }>();
  private readonly changes = new Map<string, Group<ExampleJson & { before: string }> & { before: string; after: string }>();
  private changedCount = 0;
  private readonly disagreements: Group<ExampleJson & { logged: string }> = { count: 0, examples: [] };
  private readonly headersSeen = new Set<string>();
  private readonly vhostRc = new Map<VirtualHostEntry, string>();

  constructor(
    readonly config: LoadedConfig,
    private readonly options: ReplayOptions,
    readonly againstConfig?: LoadedConfig,
  ) {
    this.router = new RequestRouter(config, options);
    this.against = againstConfig ? new RequestRouter(againstConfig, options) : undefined;
    this.examplesPerGroup = options.examples ?? 3;
    for (const t of this.router.tables) for (const vh of t.table.virtualHosts) this.vhostRc.set(vh, t.name);
  }

  /** Reads a line of `file` (1-based `lineNo`); blank lines are skipped. */
  line(text: string, file: string, lineNo: number): void {
    if (text.length === 0 || (text.length < 3 && text.trim() === '')) return;
    const index = this.linesTotal++;
    const f = this.options.format;
    const rec =
      f.kind === 'json' ? parseJsonLogLine(text, f.format)
      : text.charCodeAt(0) === 123 /* { */ ? parseJsonLogLine(text, undefined)
      : parseLogLine(f.format, text);
    const input = rec === undefined ? undefined : recordToInput(rec, this.options.scheme, lineRandomValue(index));
    if (rec === undefined || input === undefined) {
      if (this.unparsedExamples.length < this.examplesPerGroup) this.unparsedExamples.push({ file, line: lineNo, text: text.length > 300 ? `${text.slice(0, 300)}...` : text });
      return;
    }
    this.parsed++;
    if (this.parsed <= 1000) for (const h of rec.headers) this.headersSeen.add(h[0]);
    const out = this.router.route(input, this.against !== undefined);
    this.count(out, rec, input, file, lineNo);
    if (this.against !== undefined) {
      const before = this.against.route(input);
      if (before.key !== out.key) {
        this.changedCount++;
        const b = groupOf(before);
        let a = groupOf(out);
        // Same route and cluster: the rewrite or the redirect target changed (examples show it).
        if (a === b) a += out.kind === 'redirect' ? ', to another Location' : ', with another upstream path or host';
        const k = `${b}\u0000${a}`;
        let g = this.changes.get(k);
        if (g === undefined) this.changes.set(k, (g = { count: 0, examples: [], before: b, after: a }));
        g.count++;
        if (g.examples.length < this.examplesPerGroup) g.examples.push({ ...this.example(input, rec, file, lineNo, out), before: describeOutcome(before) });
      }
    }
  }

  private example(input: RouterInput, rec: LogRecord, file: string, line: number, routed: RoutedOutcome): ExampleJson {
    // Hits are counted without the upstream path; an example shows it (examples are few).
    const out = routed.kind === 'forward' && routed.path === null ? this.router.route(input, true) : routed;
    return { file, line, method: input.method, authority: input.host ?? null, path: input.path, logged_status: rec.status ?? null, outcome: describeOutcome(out) };
  }

  private count(out: RoutedOutcome, rec: LogRecord, input: RouterInput, file: string, lineNo: number): void {
    if (out.kind === 'unrouted') this.unroutedCount++;
    else if (out.kind === 'no_route') this.noRoute++;
    else this.routed++;
    if (out.route !== undefined) this.routeHits.set(out.route, (this.routeHits.get(out.route) ?? 0) + 1);
    if (out.virtualHost !== undefined) this.vhostHits.set(out.virtualHost, (this.vhostHits.get(out.virtualHost) ?? 0) + 1);
    const o = out.outcome;
    if (o.status === 404 || o.status === 503 || o.details === 'cluster_not_found') {
      this.failing++;
      const k = `${o.status}|${o.response_flag}|${o.details}|${o.summary}`;
      let g = this.failures.get(k);
      if (g === undefined) this.failures.set(k, (g = { count: 0, examples: [], status: o.status!, flag: o.response_flag, details: o.details, summary: o.summary, newly: 0 }));
      g.count++;
      if (rec.status !== undefined && rec.status !== o.status) g.newly++;
      if (g.examples.length < this.examplesPerGroup) g.examples.push(this.example(input, rec, file, lineNo, out));
    }
    const logged = this.loggedDisagreement(out, rec);
    if (logged !== undefined) {
      this.disagreements.count++;
      if (this.disagreements.examples.length < this.examplesPerGroup) this.disagreements.examples.push({ ...this.example(input, rec, file, lineNo, out), logged });
    }
  }

  /** What the log says that the replay contradicts (route name, else cluster), or undefined. */
  private loggedDisagreement(out: RoutedOutcome, rec: LogRecord): string | undefined {
    if (rec.routeName !== undefined && out.route !== undefined && out.route.name !== undefined && rec.routeName !== out.route.name) {
      return `route ${rec.routeName}`;
    }
    const c = rec.upstreamCluster;
    if (c !== undefined && out.cluster !== null && out.outcome.status === null) {
      const same = out.weighted !== null ? out.route!.weightedClusters.some((w) => w.name === c) : out.cluster === c;
      if (!same) return `cluster ${c}`;
    }
    return undefined;
  }

  private routeJson(r: RouteEntry, hits: number): RouteHitsJson {
    return {
      route_configuration: this.vhostRc.get(r.virtualHost) ?? '',
      virtual_host: r.virtualHost.name,
      name: r.name ?? null,
      index: r.index,
      label: r.name ?? `#${r.index}`,
      position: pos(r.position),
      hits,
    };
  }

  /** Header names that route and virtual-cluster matchers read and no parsed line carried. */
  private headersNotLogged(): string[] {
    const used = new Set<string>();
    for (const t of this.router.tables) {
      for (const vh of t.table.virtualHosts) {
        for (const r of vh.routes) for (const h of r.config.match?.headers ?? []) used.add((h.name ?? '').toLowerCase());
        for (const vc of vh.config.virtual_clusters ?? []) for (const h of vc.headers ?? []) used.add((h.name ?? '').toLowerCase());
      }
    }
    const carried = new Set(this.headersSeen);
    const f = this.options.format;
    for (const c of f.format.carries) if (c.startsWith('header ')) carried.add(c.slice(7));
    return [...used].filter((h) => h !== '' && !h.startsWith(':') && !carried.has(h)).sort();
  }

  report(): ReplayReport {
    const routes: RouteHitsJson[] = [];
    const neverHit: RouteHitsJson[] = [];
    const vhosts = [];
    for (const t of this.router.tables) {
      for (const vh of t.table.virtualHosts) {
        vhosts.push({ route_configuration: t.name, name: vh.name, index: vh.index, position: pos(vh.position), hits: this.vhostHits.get(vh) ?? 0 });
        for (const r of vh.routes) {
          const hits = this.routeHits.get(r) ?? 0;
          (hits > 0 ? routes : neverHit).push(this.routeJson(r, hits));
        }
      }
    }
    routes.sort((a, b) => b.hits - a.hits);
    const notes: string[] = [];
    if (this.config.kind === 'route_configuration') notes.push('a bare RouteConfiguration: clusters are not checked (forwards are not 503 NC)');
    notes.push('each line gets a fixed pseudo-random value (the same for both configs) for runtime_fraction and weighted clusters');
    const f = this.options.format;
    return {
      schema: 'tsproxy.replay/v1',
      config: { file: this.config.file, kind: this.config.kind },
      against: this.againstConfig ? { file: this.againstConfig.file, kind: this.againstConfig.kind } : null,
      format: { source: f.kind === 'text' ? f.format.source : 'json_format', json: f.kind === 'json', carries: [...f.format.carries] },
      lines: { total: this.linesTotal, parsed: this.parsed, unparsed: this.linesTotal - this.parsed, unparsed_examples: this.unparsedExamples },
      requests: { total: this.parsed, routed: this.routed, no_route: this.noRoute, failing: this.failing, unrouted: this.unroutedCount },
      virtual_hosts: vhosts.sort((a, b) => b.hits - a.hits),
      routes,
      never_hit: neverHit,
      failures: [...this.failures.values()]
        .sort((a, b) => b.count - a.count)
        .map((g): FailureGroupJson => ({ status: g.status, response_flag: g.flag, details: g.details, summary: g.summary, count: g.count, newly_failing: g.newly, examples: g.examples })),
      changes: this.against
        ? [...this.changes.values()].sort((a, b) => b.count - a.count).map((g): ChangeGroupJson => ({ before: g.before, after: g.after, count: g.count, examples: g.examples }))
        : null,
      changed: this.against ? this.changedCount : null,
      log_disagreements: this.disagreements,
      headers_not_logged: this.headersNotLogged(),
      notes,
    };
  }
}
