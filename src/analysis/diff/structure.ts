/**
 * What changed between two configs, item by item: listeners, route configurations, virtual
 * hosts, routes and clusters added, removed or changed (by name, with their positions in each
 * file), routes that moved within their virtual host (order decides first-match-wins), and for
 * a changed item the fields that differ. Compared as Envoy reads them (decoded configs: field
 * spelling and YAML/JSON layout do not count). Pure.
 */
import type { Cluster, Listener, LoadedConfig, Route, RouteConfiguration, VirtualHost } from '../../config/types.js';
import { positionOf } from '../../config/position.js';
import type { PositionJson } from '../explain/report_types.js';

export interface ItemJson {
  /** `name`, `route_config/vhost`, `route_config/vhost/route`. */
  key: string;
  position: PositionJson | null;
}

export interface ChangedItemJson {
  key: string;
  old_position: PositionJson | null;
  new_position: PositionJson | null;
  /** Fields that differ (top-level keys of the item; `routes` order for a vhost...). */
  fields: string[];
}

export interface MovedRouteJson {
  key: string;
  old_index: number;
  new_index: number;
  old_position: PositionJson | null;
  new_position: PositionJson | null;
}

export interface SectionDiffJson {
  added: ItemJson[];
  removed: ItemJson[];
  changed: ChangedItemJson[];
}

export interface StructureDiffJson {
  listeners: SectionDiffJson;
  route_configurations: SectionDiffJson;
  virtual_hosts: SectionDiffJson;
  routes: SectionDiffJson & { moved: MovedRouteJson[] };
  clusters: SectionDiffJson;
}

function pos(o: object | undefined): PositionJson | null {
  const p = positionOf(o);
  return p ? { file: p.file, line: p.line, col: p.col } : null;
}

/**
 * JSON with sorted keys and bigints as numbers: equal text, equal config. `stub` replaces an
 * object nested inside by a stand-in (a listener's inline route configuration by its name: it
 * is diffed on its own).
 */
export function canonical(v: unknown, stub?: (o: object) => unknown): string {
  if (typeof v === 'bigint') return v.toString();
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null';
  const s = stub?.(v);
  if (s !== undefined) return canonical(s);
  if (Array.isArray(v)) return `[${v.map((x) => canonical(x, stub)).join(',')}]`;
  const keys = Object.keys(v).filter((k) => (v as Record<string, unknown>)[k] !== undefined).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k], stub)}`).join(',')}}`;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/**
 * Fields of two objects whose values differ, except `skip`: `route.prefix_rewrite` one level
 * down when both sides are objects, `filter_chains` for a list.
 */
function changedFields(a: object, b: object, skip: readonly string[] = [], stub?: (o: object) => unknown, depth = 1): string[] {
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  const keys = [...new Set([...Object.keys(ra), ...Object.keys(rb)])].sort();
  const out: string[] = [];
  for (const k of keys) {
    if (skip.includes(k) || canonical(ra[k], stub) === canonical(rb[k], stub)) continue;
    const x = ra[k];
    const y = rb[k];
    if (depth > 0 && isPlainObject(x) && isPlainObject(y)) out.push(...changedFields(x, y, [], stub, depth - 1).map((f) => `${k}.${f}`));
    else out.push(k);
  }
  return out;
}

/** Items of a section by key, first one winning on duplicate keys. */
function byKey<T extends object>(items: readonly T[], keyOf: (t: T, i: number) => string): Map<string, { item: T; index: number }> {
  const m = new Map<string, { item: T; index: number }>();
  items.forEach((item, index) => {
    const k = keyOf(item, index);
    if (!m.has(k)) m.set(k, { item, index });
  });
  return m;
}

/** Added, removed and changed items; `objectOf` is the config object whose position is shown. */
function diffSection<T extends object>(
  before: readonly T[],
  after: readonly T[],
  keyOf: (t: T, i: number) => string,
  fieldsOf: (a: T, b: T) => string[],
  objectOf: (t: T) => object = (t) => t,
): SectionDiffJson {
  const a = byKey(before, keyOf);
  const b = byKey(after, keyOf);
  const out: SectionDiffJson = { added: [], removed: [], changed: [] };
  for (const [k, { item }] of a) if (!b.has(k)) out.removed.push({ key: k, position: pos(objectOf(item)) });
  for (const [k, { item }] of b) {
    const old = a.get(k);
    if (old === undefined) {
      out.added.push({ key: k, position: pos(objectOf(item)) });
      continue;
    }
    const fields = fieldsOf(old.item, item);
    if (fields.length > 0) out.changed.push({ key: k, old_position: pos(objectOf(old.item)), new_position: pos(objectOf(item)), fields });
  }
  return out;
}

function listenerKey(l: Listener, i: number): string {
  if (l.name) return l.name;
  const sa = l.address?.socket_address;
  return sa ? `${sa.address}:${sa.port_value ?? sa.named_port ?? 0}` : `#${i}`;
}

/** A route's identity in its vhost: its name, else its match (an unnamed route is its matcher). */
export function routeKey(r: Route, i: number): string {
  return r.name !== undefined && r.name !== '' ? r.name : r.match !== undefined ? `match ${canonical(r.match)}` : `#${i}`;
}

/** Indexes (into `xs`) of one longest strictly increasing subsequence (patience sorting, O(n log n)). */
export function longestIncreasing(xs: readonly number[]): Set<number> {
  const tails: number[] = []; // index into xs of the smallest tail of each length
  const prev: number[] = new Array<number>(xs.length).fill(-1);
  for (let i = 0; i < xs.length; i++) {
    let lo = 0;
    let hi = tails.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (xs[tails[mid]!]! < xs[i]!) lo = mid + 1;
      else hi = mid;
    }
    if (lo > 0) prev[i] = tails[lo - 1]!;
    tails[lo] = i;
  }
  const out = new Set<number>();
  for (let k = tails.length > 0 ? tails[tails.length - 1]! : -1; k >= 0; k = prev[k]!) out.add(k);
  return out;
}

/** Inline route configurations of both configs as `{route_config: name}`: they are diffed as route configurations. */
function routeConfigStub(a: LoadedConfig, b: LoadedConfig): (o: object) => unknown {
  const rcs = new Set<object>([...a.routeConfigurations, ...b.routeConfigurations]);
  return (o) => (rcs.has(o) ? { route_config: (o as RouteConfiguration).name ?? '' } : undefined);
}

/** The structural diff of two loaded configs. */
export function diffStructure(before: LoadedConfig, after: LoadedConfig): StructureDiffJson {
  const rcKey = (rc: RouteConfiguration, i: number) => rc.name ?? `#${i}`;
  const vhosts = (c: LoadedConfig) =>
    c.routeConfigurations.flatMap((rc, ri) => (rc.virtual_hosts ?? []).map((vh) => ({ rc: rcKey(rc, ri), vh })));
  const routes = (c: LoadedConfig) =>
    c.routeConfigurations.flatMap((rc, ri) =>
      (rc.virtual_hosts ?? []).flatMap((vh) => (vh.routes ?? []).map((r, i) => ({ vhKey: `${rcKey(rc, ri)}/${vh.name}`, r, i }))),
    );
  type V = { rc: string; vh: VirtualHost };
  type R = { vhKey: string; r: Route; i: number };
  const keyOfRoute = (x: R) => `${x.vhKey}/${routeKey(x.r, x.i)}`;
  const oldRoutes = routes(before);
  const newRoutes = routes(after);
  const routeSection = diffSection<R>(oldRoutes, newRoutes, keyOfRoute, (a, b) => changedFields(a.r, b.r), (x) => x.r);
  // Moved: a route outside the longest run of kept routes whose order did not change (adding or
  // removing another route moves nothing; moving one route to the end moves only that one).
  const oldByKey = byKey(oldRoutes, keyOfRoute);
  const newByKey = byKey(newRoutes, keyOfRoute);
  const moved: MovedRouteJson[] = [];
  for (const vk of new Set([...oldRoutes, ...newRoutes].map((x) => x.vhKey))) {
    const kept = oldRoutes.filter((x) => x.vhKey === vk && newByKey.has(keyOfRoute(x)));
    const stay = longestIncreasing(kept.map((x) => newByKey.get(keyOfRoute(x))!.index));
    kept.forEach((x, i) => {
      if (stay.has(i)) return;
      const n = newByKey.get(keyOfRoute(x))!.item;
      moved.push({ key: keyOfRoute(x), old_index: x.i, new_index: n.i, old_position: pos(x.r), new_position: pos(n.r) });
    });
  }
  // A vhost "changed" means its own fields; its routes are diffed above.
  const vhSection = diffSection<V>(vhosts(before), vhosts(after), (x) => `${x.rc}/${x.vh.name}`, (a, b) => changedFields(a.vh, b.vh, ['routes']), (x) => x.vh);
  return {
    listeners: diffSection<Listener>(before.listeners, after.listeners, listenerKey, (a, b) => changedFields(a, b, [], routeConfigStub(before, after))),
    route_configurations: diffSection<RouteConfiguration>(before.routeConfigurations, after.routeConfigurations, rcKey, (a, b) => changedFields(a, b, ['virtual_hosts'])),
    virtual_hosts: vhSection,
    routes: { ...routeSection, moved },
    clusters: diffSection<Cluster>(before.clusters, after.clusters, (c, i) => c.name ?? `#${i}`, (a, b) => changedFields(a, b)),
  };
}
