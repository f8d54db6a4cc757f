/**
 * A per-virtual-host index over the routes, so route() does not test thousands of routes one by
 * one for every request. Not an Envoy structure (Envoy's VirtualHostImpl::getRouteFromEntries
 * scans linearly, and the scan in route.ts stays the reference); it changes no answer: for a
 * request it gathers a SUPERSET of the routes whose matchers can match, as lists in declared
 * order, and first-match-wins is evaluated on them with the same predicate (`matchesRoute`).
 *
 * Header pre-filter: a route with an exact header requirement (its first non-inverted
 * `exact_match` / `string_match.exact` without ignore_case, non-empty: `:method: GET`,
 * `x-tenant: acme`) is put in the partition of that header value; a request only looks into the
 * partitions of the values it carries (all values of a header joined with "," as header
 * matchers read them). Each partition, and the routes without such a requirement, are indexed by
 * path (`PathIndex`), where every route lives in exactly one place:
 * - exact-path maps: case-sensitive `path` by its value; case-insensitive `path` by its lowercased
 *   value (looked up with the request path lowercased, as the matcher compares);
 * - prefix tries (prefix_trie.ts): case-sensitive `prefix` and `path_separated_prefix`, and
 *   `safe_regex` by its literal prefix (regex.ts literalPrefix: every full match starts with
 *   it); case-insensitive `prefix` (and ASCII `path_separated_prefix`) in a second trie walked
 *   with the lowercased path;
 * - a regex set: `safe_regex` routes without a literal prefix, matched in one RE2::Set pass
 *   (anchored at both ends, as the full match); only the regexes in its answer are candidates;
 * - the `connect_matcher` routes, candidates only for CONNECT;
 * - the rest (nothing else can be keyed), candidates for every request.
 * A small partition is a plain list, tried in order.
 *
 * With `ignore_path_parameters_in_path_matching` the lookups use the path cut at ';', as the
 * matchers do. Routes whose path matcher can never match (`path_match_policy`, a regex that did
 * not compile) are left out. Pure.
 */
import RE2 from 're2';
import type { RouteRequest, RuntimeValues } from './route_types.js';
import type { CompiledRoute } from './route_entry.js';
import { requestHeaderValue } from './header_matcher.js';
import { PrefixTrie, type ListSink } from './prefix_trie.js';

/**
 * Below this many routes the scan is used (bench/route.mjs: at 10 routes a first-route hit
 * costs less with the scan; from a few dozen routes on the index wins).
 */
export const ROUTE_INDEX_MIN_ROUTES = 16;

/** A header partition with fewer routes than this is a list, not a PathIndex. */
const PARTITION_INDEX_MIN = 8;

/** Fewer regex routes than this without a literal prefix are tested one by one. */
const REGEX_SET_MIN = 2;

/** Whether compileRouteConfig builds indexes: by size, always (tests), or never (the reference scan). */
export type RouteIndexMode = 'auto' | 'always' | 'off';

/** The one predicate a route is judged by, for the scan and the index alike. */
export function matchesRoute(r: CompiledRoute, pathOnly: string, request: RouteRequest, randomValue: number, runtime: RuntimeValues): boolean {
  const pre = r.fastPrefix;
  return (
    (pre !== undefined ? pathOnly.startsWith(pre) : r.matchPath(pathOnly, request.method)) &&
    (!r.hasRest || r.matchRest(request, randomValue, runtime))
  );
}

/**
 * A header value the route requires exactly, when it has one: then the route cannot match a
 * request whose header value (requestHeaderValue) differs. Only forms where that is certain.
 */
function exactHeaderKey(r: CompiledRoute): [string, string] | undefined {
  for (const m of r.headerMatchers) {
    if (m.invert) continue;
    if (m.kind === 'exact_match') {
      const v = m.config.exact_match;
      // An empty deprecated exact_match means "present".
      if (typeof v === 'string' && v !== '') return [m.name, v];
    } else if (m.kind === 'string_match') {
      const sm = m.stringMatcher;
      if (sm !== undefined && sm.kind === 'exact' && !sm.ignoreCase && sm.value !== '') return [m.name, sm.value];
    }
  }
  return undefined;
}

/** True when the route's path matcher can never match (nothing to index). */
function neverMatches(r: CompiledRoute): boolean {
  return r.pathKind === 'unsupported' || (r.pathKind === 'safe_regex' && r.pathRegex === undefined) || (r.pathKind === 'path_template' && r.pathTemplate === undefined);
}

/** Where the routes went; for tests and docs. */
export interface RouteIndexShape {
  readonly routes: number;
  readonly exact: number;
  readonly prefix: number;
  readonly regexSet: number;
  readonly connect: number;
  readonly always: number;
  /** Routes in header partitions (those in a partition big enough to be indexed by path are counted above too). */
  readonly headerPartitioned: number;
  /** Header partitions big enough to be indexed by path. */
  readonly partitionIndexes: number;
  readonly neverMatch: number;
}

type MutableShape = { -readonly [K in keyof RouteIndexShape]: RouteIndexShape[K] };

/** One lookup's state; also the sink the structures offer their candidate lists to. */
class Search implements ListSink<CompiledRoute> {
  best: CompiledRoute | undefined = undefined;
  private bestIndex = Infinity;
  pathOnly = '';
  /** The path the matchers compare (cut at ';' when path parameters are ignored), and lowercased. */
  path = '';
  private foldedPath: string | undefined = undefined;
  request: RouteRequest | undefined = undefined;
  private randomValue = 0;
  private runtime: RuntimeValues = NO_RUNTIME;

  start(pathOnly: string, path: string, request: RouteRequest, randomValue: number, runtime: RuntimeValues): void {
    this.best = undefined;
    this.bestIndex = Infinity;
    this.pathOnly = pathOnly;
    this.path = path;
    this.foldedPath = undefined;
    this.request = request;
    this.randomValue = randomValue;
    this.runtime = runtime;
  }

  get folded(): string {
    return (this.foldedPath ??= this.path.toLowerCase());
  }

  /** Drops the references to the request. */
  finish(): void {
    this.request = undefined;
    this.best = undefined;
  }

  /** A candidate list in declared order: its first match, if before the best so far, wins. */
  offer(list: readonly CompiledRoute[]): void {
    for (let i = 0; i < list.length; i++) {
      const r = list[i]!;
      if (r.index >= this.bestIndex) return;
      if (matchesRoute(r, this.pathOnly, this.request!, this.randomValue, this.runtime)) {
        this.best = r;
        this.bestIndex = r.index;
        return;
      }
    }
  }
}
const NO_RUNTIME: RuntimeValues = Object.freeze({});

/** Routes indexed by their path matcher (see the file comment). */
class PathIndex {
  private readonly exact = new Map<string, CompiledRoute[]>();
  private readonly exactFolded = new Map<string, CompiledRoute[]>();
  private readonly trie = new PrefixTrie<CompiledRoute>();
  private readonly trieFolded = new PrefixTrie<CompiledRoute>();
  private readonly connect: CompiledRoute[] = [];
  private readonly always: CompiledRoute[] = [];
  private readonly unprefixedRegex: CompiledRoute[] = [];
  private regexSet: ReturnType<typeof RE2.Set> | undefined;
  private readonly folds: boolean;

  constructor(routes: readonly CompiledRoute[], shape: MutableShape) {
    for (const r of routes) this.add(r, shape);
    if (this.unprefixedRegex.length >= REGEX_SET_MIN) {
      try {
        this.regexSet = new RE2.Set(this.unprefixedRegex.map((r) => r.pathRegex!.pattern), { anchor: 'both' });
        shape.regexSet += this.unprefixedRegex.length;
      } catch {
        // A set over RE2's memory budget: the regexes are tested one by one.
      }
    }
    if (this.regexSet === undefined) {
      // Keep declared order in `always`.
      this.always.push(...this.unprefixedRegex);
      this.always.sort((a, b) => a.index - b.index);
      shape.always += this.unprefixedRegex.length;
    }
    this.trie.freeze();
    this.trieFolded.freeze();
    this.folds = this.exactFolded.size > 0 || this.trieFolded.size > 0;
  }

  private add(r: CompiledRoute, shape: MutableShape): void {
    const v = r.pathValue;
    switch (r.pathKind) {
      case 'path': {
        const map = r.caseSensitive ? this.exact : this.exactFolded;
        const key = r.caseSensitive ? v : v.toLowerCase();
        const list = map.get(key);
        if (list === undefined) map.set(key, [r]);
        else list.push(r);
        shape.exact++;
        return;
      }
      case 'prefix':
        if (r.caseSensitive) this.trie.add(v, r);
        else this.trieFolded.add(v.toLowerCase(), r);
        shape.prefix++;
        return;
      case 'path_separated_prefix':
        if (r.caseSensitive) this.trie.add(v, r);
        // The matcher lowercases only the path's first n characters; for an ASCII value that
        // is a prefix of the lowercased path too. Other values are tried for every request.
        else if (/^[\x00-\x7f]*$/.test(v)) this.trieFolded.add(v.toLowerCase(), r);
        else {
          this.always.push(r);
          shape.always++;
          return;
        }
        shape.prefix++;
        return;
      case 'safe_regex': {
        // case_sensitive does not apply to safe_regex (Envoy); invalid ones are never added.
        const lit = r.pathRegex!.literalPrefix;
        if (lit !== '') {
          this.trie.add(lit, r);
          shape.prefix++;
        } else {
          this.unprefixedRegex.push(r);
        }
        return;
      }
      case 'connect_matcher':
        this.connect.push(r);
        shape.connect++;
        return;
      case 'path_template':
        // A URI template (`/{a}/b/{c=**}`) may match any first segment: tried for every request.
        this.always.push(r);
        shape.always++;
        return;
      case 'unsupported':
        return;
      default: {
        // A path matcher kind the index does not know must fail the build, never drop routes.
        const unknown: never = r.pathKind;
        throw new Error(`route index: unhandled path matcher ${String(unknown)}`);
      }
    }
  }

  /** Offers every candidate list for the search's request. */
  collect(s: Search): void {
    const p = s.path;
    const exact = this.exact.get(p);
    if (exact !== undefined) s.offer(exact);
    this.trie.collect(p, s);
    if (this.folds) {
      const folded = s.folded;
      const e = this.exactFolded.get(folded);
      if (e !== undefined) s.offer(e);
      this.trieFolded.collect(folded, s);
    }
    if (this.regexSet !== undefined) {
      const hits = this.regexSet.match(p);
      if (hits.length > 0) {
        hits.sort((a, b) => a - b);
        s.offer(hits.map((i) => this.unprefixedRegex[i]!));
      }
    }
    if (this.connect.length > 0 && s.request!.method === 'CONNECT') s.offer(this.connect);
    if (this.always.length > 0) s.offer(this.always);
  }
}

/** The routes requiring one value of one header: a list when few, else indexed by path. */
type Partition = CompiledRoute[] | PathIndex;

/** The index of one virtual host (immutable once built). */
export class RouteIndex {
  private readonly main: PathIndex;
  /** Header name -> required value -> its routes. Arrays: no iterator on the hot path. */
  private readonly headerNames: string[] = [];
  private readonly partitions: Map<string, Partition>[] = [];
  private readonly cutAtSemicolon: boolean;
  /** Reused between lookups; a lookup starting while another runs (a re-entrant call) gets its own. */
  private idle: Search | undefined = new Search();
  readonly shape: RouteIndexShape;

  constructor(routes: readonly CompiledRoute[], ignorePathParameters: boolean) {
    this.cutAtSemicolon = ignorePathParameters;
    const shape: MutableShape = { routes: routes.length, exact: 0, prefix: 0, regexSet: 0, connect: 0, always: 0, headerPartitioned: 0, partitionIndexes: 0, neverMatch: 0 };
    const plain: CompiledRoute[] = [];
    const grouped: Map<string, CompiledRoute[]>[] = [];
    for (const r of routes) {
      if (neverMatches(r)) {
        shape.neverMatch++;
        continue;
      }
      const key = exactHeaderKey(r);
      if (key === undefined) {
        plain.push(r);
        continue;
      }
      let at = this.headerNames.indexOf(key[0]);
      if (at < 0) {
        at = this.headerNames.push(key[0]) - 1;
        grouped.push(new Map());
      }
      const byValue = grouped[at]!;
      const list = byValue.get(key[1]);
      if (list === undefined) byValue.set(key[1], [r]);
      else list.push(r);
      shape.headerPartitioned++;
    }
    this.main = new PathIndex(plain, shape);
    for (const byValue of grouped) {
      const parts = new Map<string, Partition>();
      for (const [value, list] of byValue) {
        if (list.length >= PARTITION_INDEX_MIN) {
          parts.set(value, new PathIndex(list, shape));
          shape.partitionIndexes++;
        } else {
          parts.set(value, list);
        }
      }
      this.partitions.push(parts);
    }
    this.shape = shape;
  }

  /**
   * The first route in declared order whose every predicate matches (what the scan returns),
   * or undefined. `pathOnly` is the path without query and fragment.
   */
  firstMatch(pathOnly: string, request: RouteRequest, randomValue: number, runtime: RuntimeValues): CompiledRoute | undefined {
    let p = pathOnly;
    if (this.cutAtSemicolon) {
      const semi = p.indexOf(';');
      if (semi >= 0) p = p.slice(0, semi);
    }
    const s = this.idle ?? new Search();
    this.idle = undefined;
    s.start(pathOnly, p, request, randomValue, runtime);
    this.main.collect(s);
    const names = this.headerNames;
    for (let i = 0; i < names.length; i++) {
      const v = requestHeaderValue(request, names[i]!);
      if (v === undefined) continue;
      const part = this.partitions[i]!.get(v);
      if (part === undefined) continue;
      if (Array.isArray(part)) s.offer(part);
      else part.collect(s);
    }
    const best = s.best;
    s.finish();
    this.idle = s;
    return best;
  }
}

/** Builds the index for a vhost's routes, or undefined when the scan is used (small vhost, or mode `off`). */
export function buildRouteIndex(routes: readonly CompiledRoute[], ignorePathParameters: boolean, mode: RouteIndexMode = 'auto'): RouteIndex | undefined {
  if (mode === 'off' || routes.length === 0) return undefined;
  if (mode === 'auto' && routes.length < ROUTE_INDEX_MIN_ROUTES) return undefined;
  return new RouteIndex(routes, ignorePathParameters);
}
