/**
 * `tsproxy diff old new`: the structural diff (structure.ts) and the routing diff — requests
 * derived from every route of both configs (sample_requests.ts), each routed through both
 * configs as `match` routes it (replay's RequestRouter), and those whose outcome differs
 * (cluster, upstream path or host, redirect, status) listed with both outcomes. Pure.
 */
import type { LoadedConfig } from '../../config/types.js';
import { describeOutcome } from '../replay/replay.js';
import { RequestRouter, type RequestRouterOptions } from '../replay/request_router.js';
import { requestKey, sampleRequests, type NotProbed } from './sample_requests.js';
import { diffStructure, type StructureDiffJson } from './structure.js';

export interface RoutingChangeJson {
  request: { method: string; scheme: string; authority: string | null; path: string; headers: Record<string, string>; listener_port: number | null };
  /** The route the request was derived from: `old:` or `new:` + `route_config/vhost/route`. */
  derived_from: string;
  variant: 'matching' | 'without headers';
  before: string;
  after: string;
}

export interface DiffReport {
  schema: 'tsproxy.diff/v1';
  old: { file: string; kind: string };
  new: { file: string; kind: string };
  structure: StructureDiffJson;
  routing: {
    /** Distinct requests sent through both configs. */
    requests: number;
    changed: number;
    changes: RoutingChangeJson[];
    /** Routes no request could be derived for (their changes cannot be seen here). */
    not_probed: NotProbed[];
  };
  /** True when any request routes differently: the CI gate (exit 1). */
  routing_changed: boolean;
}

/** Diffs two loaded configs. */
export function diffConfigs(before: LoadedConfig, after: LoadedConfig, options: RequestRouterOptions = {}): { report: DiffReport; oldRouter: RequestRouter; newRouter: RequestRouter } {
  const oldRouter = new RequestRouter(before, options);
  const newRouter = new RequestRouter(after, options);
  const a = sampleRequests(before, 'old');
  const b = sampleRequests(after, 'new');
  const seen = new Set<string>();
  const changes: RoutingChangeJson[] = [];
  let requests = 0;
  for (const s of [...a.requests, ...b.requests]) {
    const k = requestKey(s.input);
    if (seen.has(k)) continue;
    seen.add(k);
    requests++;
    const x = oldRouter.route(s.input, true);
    const y = newRouter.route(s.input, true);
    if (x.key === y.key) continue;
    const i = s.input;
    changes.push({
      request: { method: i.method, scheme: i.scheme, authority: i.host ?? null, path: i.path, headers: Object.fromEntries(i.headers), listener_port: i.localPort ?? null },
      derived_from: s.origin,
      variant: s.variant,
      before: describeOutcome(x),
      after: describeOutcome(y),
    });
  }
  return {
    report: {
      schema: 'tsproxy.diff/v1',
      old: { file: before.file, kind: before.kind },
      new: { file: after.file, kind: after.kind },
      structure: diffStructure(before, after),
      routing: { requests, changed: changes.length, changes, not_probed: [...a.notProbed, ...b.notProbed] },
      routing_changed: changes.length > 0,
    },
    oldRouter,
    newRouter,
  };
}
