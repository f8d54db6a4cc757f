/**
 * Iteration helpers over the route tree of a ConfigModel, with JSON paths, plus the small
 * naming helpers rules share for their messages.
 */
import type { Route, RouteConfiguration, VirtualHost } from '../../config/types.js';
import type { ConfigModel, RouteConfigSite } from './model.js';

/** A virtual host with its place; the JSON path is built only when a finding asks for it. */
export class VirtualHostSite {
  constructor(
    readonly vhost: VirtualHost,
    readonly index: number,
    readonly routeConfig: RouteConfigSite,
  ) {}

  get path(): string {
    return `${this.routeConfig.path}.virtual_hosts[${this.index}]`;
  }
}

/** A route with its place; the JSON path is built only when a finding asks for it. */
export class RouteSite {
  constructor(
    readonly route: Route,
    readonly index: number,
    readonly vhost: VirtualHostSite,
  ) {}

  get path(): string {
    return `${this.vhost.path}.routes[${this.index}]`;
  }
}

const vhostCache = new WeakMap<ConfigModel, VirtualHostSite[]>();
const routeCache = new WeakMap<ConfigModel, RouteSite[]>();

/** Every virtual host of every route configuration, in file order (computed once per model). */
export function virtualHosts(model: ConfigModel): readonly VirtualHostSite[] {
  let out = vhostCache.get(model);
  if (!out) {
    out = [];
    for (const rc of model.routeConfigs) {
      const vhs = rc.routeConfig.virtual_hosts ?? [];
      for (let i = 0; i < vhs.length; i++) out.push(new VirtualHostSite(vhs[i]!, i, rc));
    }
    vhostCache.set(model, out);
  }
  return out;
}

/** Every route of a virtual host, in order. */
export function routesOf(vh: VirtualHostSite): RouteSite[] {
  const routes = vh.vhost.routes ?? [];
  const out: RouteSite[] = new Array(routes.length);
  for (let i = 0; i < routes.length; i++) out[i] = new RouteSite(routes[i]!, i, vh);
  return out;
}

/** Every route of every virtual host (computed once per model). */
export function allRoutes(model: ConfigModel): readonly RouteSite[] {
  let out = routeCache.get(model);
  if (!out) {
    out = [];
    for (const vh of virtualHosts(model)) for (const r of routesOf(vh)) out.push(r);
    routeCache.set(model, out);
  }
  return out;
}

/** `route "name"` or `route #3` (1-based, as people count) for messages. */
export function routeLabel(r: { route: Route; index: number }): string {
  return r.route.name ? `route "${r.route.name}"` : `route #${r.index + 1}`;
}

/** `virtual host "name"` for messages. */
export function vhostLabel(vh: { vhost: VirtualHost }): string {
  return `virtual host "${vh.vhost.name}"`;
}

/** `route configuration "name"` (or `the route configuration` when unnamed). */
export function routeConfigLabel(rc: RouteConfiguration): string {
  return rc.name ? `route configuration "${rc.name}"` : 'the route configuration';
}

/** Levenshtein distance, capped work for long strings (suggestions only). */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  if (Math.abs(a.length - b.length) > 3) return 99;
  const prev = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j]!;
      prev[j] = Math.min(prev[j]! + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length]!;
}

/** The closest name within a small edit distance, for "did you mean" hints. */
export function closest(name: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestD = Math.max(2, Math.floor(name.length / 4)) + 1;
  for (const c of candidates) {
    const d = editDistance(name.toLowerCase(), c.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  return best;
}

/** ` (did you mean "x"?)` or ''. */
export function didYouMean(name: string, candidates: Iterable<string>): string {
  const c = closest(name, candidates);
  return c === undefined ? '' : ` (did you mean "${c}"?)`;
}
