/**
 * A per-virtual-host index over the routes, so route() does not test thousands of routes one by
 * one for every request. Not an Envoy structure (Envoy's VirtualHostImpl::getRouteFromEntries
 * scans linearly, and the scan in route.ts stays the reference); it changes no answer: for a
 * request it gathers a SUPERSET of the routes whose path matcher can match, in declared order,
 * and evaluates first-match-wins on them with the same predicate (`matchesRoute`).
 *
 * Every route lives in exactly one place:
 * - exact-path maps: case-sensitive `path` by its value; case-insensitive `path` by its lowercased
 *   value (looked up with the request path lowercased, as the matcher compares);
 * - prefix tries (radix trees; a request walks the nodes its path spells): case-sensitive
 *   `prefix` and `path_separated_prefix`, and `safe_regex` by its literal prefix (regex.ts
 *   literalPrefix: every full match starts with it); case-insensitive `prefix` (and ASCII
 *   `path_separated_prefix`) in a second trie walked with the lowercased path;
 * - a regex set: `safe_regex` routes without a literal prefix, matched in one RE2::Set pass
 *   (anchored at both ends, as the full match); a route is a candidate only when its regex is in
 *   the set's answer;
 * - the `connect_matcher` routes, candidates only for CONNECT;
 * - the rest (nothing else can be keyed), candidates for every request.
 * Inside each of those places a route with an exact header requirement (a non-inverted
 * `exact_match` / `string_match.exact` without ignore_case, non-empty, e.g. `:method: GET` or
 * `x-tenant: acme`) sits in a header bucket: it is a candidate only when the request's header
 * value (all values joined with "," as header matchers read it) equals the required one.
 *
 * With `ignore_path_parameters_in_path_matching` the lookups use the path cut at ';', as the
 * matchers do. Routes whose path matcher can never match (`path_match_policy`, a regex that did
 * not compile) are left out. Pure.
 */
import RE2 from 're2';
import type { RouteRequest, RuntimeValues } from './route_types.js';
import type { CompiledRoute } from './route_entry.js';
import { requestHeaderValue } from './header_matcher.js';

/**
 * Below this many routes the scan is as fast as the lookup (measured with bench/route.mjs: a
 * first-route hit costs about the same either way at 10 routes, the index wins from ~30).
 */
export const ROUTE_INDEX_MIN_ROUTES = 16;

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

/** Routes of one index place: unconditional ones, and header buckets (name -> value -> routes). */
class Slot {
  readonly plain: CompiledRoute[] = [];
  byHeader: Map<string, Map<string, CompiledRoute[]>> | undefined;

  /** Adds `r` (routes come in declared order); true when it went into a header bucket. */
  add(r: CompiledRoute): boolean {
    const key = exactHeaderKey(r);
    if (key === undefined) {
      this.plain.push(r);
      return false;
    }
    this.byHeader ??= new Map();
    let values = this.byHeader.get(key[0]);
    if (values === undefined) this.byHeader.set(key[0], (values = new Map()));
    const list = values.get(key[1]);
    if (list === undefined) values.set(key[1], [r]);
    else list.push(r);
    return true;
  }

  collect(request: RouteRequest, out: CompiledRoute[][]): void {
    if (this.plain.length > 0) out.push(this.plain);
    if (this.byHeader === undefined) return;
    for (const [name, values] of this.byHeader) {
      const v = requestHeaderValue(request, name);
      if (v === undefined) continue;
      const list = values.get(v);
      if (list !== undefined) out.push(list);
    }
  }

  get size(): number {
    let n = this.plain.length;
    if (this.byHeader) for (const values of this.byHeader.values()) for (const l of values.values()) n += l.length;
    return n;
  }
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

/** A radix-tree node: `label` is the text of the edge into it. */
class TrieNode {
  slot: Slot | undefined;
  children: Map<number, TrieNode> | undefined;
  constructor(public label: string) {}
}

/** Prefix trie: the routes whose key is a prefix of a path, in the nodes the path walks through. */
class PrefixTrie {
  readonly root = new TrieNode('');
  count = 0;

  insert(key: string, r: CompiledRoute): boolean {
    let node = this.root;
    let pos = 0;
    while (pos < key.length) {
      const c = key.charCodeAt(pos);
      node.children ??= new Map();
      const child = node.children.get(c);
      if (child === undefined) {
        const leaf = new TrieNode(key.slice(pos));
        node.children.set(c, leaf);
        node = leaf;
        pos = key.length;
        break;
      }
      // Length of the common part of the child's label and the rest of the key.
      const label = child.label;
      let n = 1;
      while (n < label.length && pos + n < key.length && label.charCodeAt(n) === key.charCodeAt(pos + n)) n++;
      if (n < label.length) {
        // Split the edge: a new node for the common part, the old child below it.
        const mid = new TrieNode(label.slice(0, n));
        child.label = label.slice(n);
        mid.children = new Map([[child.label.charCodeAt(0), child]]);
        node.children.set(c, mid);
        node = mid;
      } else {
        node = child;
      }
      pos += n;
    }
    this.count++;
    return (node.slot ??= new Slot()).add(r);
  }

  /** Adds the slots of every node whose key is a prefix of `path`. */
  collect(path: string, request: RouteRequest, out: CompiledRoute[][]): void {
    let node: TrieNode | undefined = this.root;
    let pos = 0;
    for (;;) {
      node.slot?.collect(request, out);
      if (node.children === undefined || pos >= path.length) return;
      node = node.children.get(path.charCodeAt(pos));
      if (node === undefined || !path.startsWith(node.label, pos)) return;
      pos += node.label.length;
    }
  }
}

/** Regex routes without a literal prefix, matched in one RE2::Set pass. */
interface RegexSet {
  readonly set: ReturnType<typeof RE2.Set>;
  readonly routes: readonly CompiledRoute[];
}

/** Where the routes went; for tests, docs and explain. */
export interface RouteIndexShape {
  readonly routes: number;
  readonly exact: number;
  readonly prefix: number;
  readonly regexSet: number;
  readonly connect: number;
  readonly always: number;
  readonly headerBucketed: number;
  readonly neverMatch: number;
}

/** The index of one virtual host (immutable once built). */
export class RouteIndex {
  private readonly exact = new Map<string, Slot>();
  private readonly exactFolded = new Map<string, Slot>();
  private readonly trie = new PrefixTrie();
  private readonly trieFolded = new PrefixTrie();
  private readonly connect = new Slot();
  private readonly always = new Slot();
  private regexSet: RegexSet | undefined;
  private readonly cutAtSemicolon: boolean;
  readonly shape: RouteIndexShape;

  constructor(routes: readonly CompiledRoute[], ignorePathParameters: boolean) {
    this.cutAtSemicolon = ignorePathParameters;
    const unprefixedRegex: CompiledRoute[] = [];
    let exact = 0;
    let neverMatch = 0;
    let bucketed = 0;
    const put = (slot: Slot, r: CompiledRoute): void => {
      if (slot.add(r)) bucketed++;
    };
    const insert = (trie: PrefixTrie, key: string, r: CompiledRoute): void => {
      if (trie.insert(key, r)) bucketed++;
    };
    for (const r of routes) {
      const v = r.pathValue;
      switch (r.pathKind) {
        case 'path': {
          const map = r.caseSensitive ? this.exact : this.exactFolded;
          const key = r.caseSensitive ? v : v.toLowerCase();
          let slot = map.get(key);
          if (slot === undefined) map.set(key, (slot = new Slot()));
          put(slot, r);
          exact++;
          break;
        }
        case 'prefix':
          if (r.caseSensitive) insert(this.trie, v, r);
          else insert(this.trieFolded, v.toLowerCase(), r);
          break;
        case 'path_separated_prefix':
          if (r.caseSensitive) insert(this.trie, v, r);
          // The matcher lowercases only the path's first n characters; for an ASCII value that
          // is a prefix of the lowercased path too. Other values are tested for every request.
          else if (/^[\x00-\x7f]*$/.test(v)) insert(this.trieFolded, v.toLowerCase(), r);
          else put(this.always, r);
          break;
        case 'safe_regex': {
          // case_sensitive does not apply to safe_regex (Envoy); an invalid regex never matches.
          const re = r.pathRegex;
          if (re === undefined) neverMatch++;
          else if (re.literalPrefix !== '') insert(this.trie, re.literalPrefix, r);
          else unprefixedRegex.push(r);
          break;
        }
        case 'connect_matcher':
          put(this.connect, r);
          break;
        case 'unsupported':
          neverMatch++;
          break;
      }
    }
    if (unprefixedRegex.length >= REGEX_SET_MIN) {
      try {
        const set = new RE2.Set(unprefixedRegex.map((r) => r.pathRegex!.pattern), { anchor: 'both' });
        this.regexSet = { set, routes: unprefixedRegex };
      } catch {
        // A set over RE2's memory budget: test them one by one.
      }
    }
    if (this.regexSet === undefined) for (const r of unprefixedRegex) put(this.always, r);
    this.shape = {
      routes: routes.length,
      exact,
      prefix: this.trie.count + this.trieFolded.count,
      regexSet: this.regexSet?.routes.length ?? 0,
      connect: this.connect.size,
      always: this.always.size,
      headerBucketed: bucketed,
      neverMatch,
    };
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
    const lists: CompiledRoute[][] = [];
    const exact = this.exact.get(p);
    if (exact !== undefined) exact.collect(request, lists);
    this.trie.collect(p, request, lists);
    if (this.exactFolded.size > 0 || this.trieFolded.count > 0) {
      const folded = p.toLowerCase();
      this.exactFolded.get(folded)?.collect(request, lists);
      this.trieFolded.collect(folded, request, lists);
    }
    if (this.regexSet !== undefined) {
      const hits = this.regexSet.set.match(p);
      if (hits.length > 0) {
        hits.sort((a, b) => a - b);
        const rs = this.regexSet.routes;
        lists.push(hits.map((i) => rs[i]!));
      }
    }
    if (request.method === 'CONNECT') this.connect.collect(request, lists);
    this.always.collect(request, lists);
    return firstInOrder(lists, pathOnly, request, randomValue, runtime);
  }
}

/** Merges the candidate lists (each in declared order) and returns the first route that matches. */
function firstInOrder(lists: CompiledRoute[][], pathOnly: string, request: RouteRequest, randomValue: number, runtime: RuntimeValues): CompiledRoute | undefined {
  const k = lists.length;
  if (k === 0) return undefined;
  if (k === 1) {
    const l = lists[0]!;
    for (let i = 0; i < l.length; i++) if (matchesRoute(l[i]!, pathOnly, request, randomValue, runtime)) return l[i];
    return undefined;
  }
  const at = new Array<number>(k).fill(0);
  for (;;) {
    let best = -1;
    let bestIndex = Infinity;
    for (let j = 0; j < k; j++) {
      const r = lists[j]![at[j]!];
      if (r !== undefined && r.index < bestIndex) {
        bestIndex = r.index;
        best = j;
      }
    }
    if (best < 0) return undefined;
    const r = lists[best]![at[best]!++]!;
    if (matchesRoute(r, pathOnly, request, randomValue, runtime)) return r;
  }
}

/** Builds the index for a vhost's routes, or undefined when the scan is used (small vhost, or mode `off`). */
export function buildRouteIndex(routes: readonly CompiledRoute[], ignorePathParameters: boolean, mode: RouteIndexMode = 'auto'): RouteIndex | undefined {
  if (mode === 'off' || routes.length === 0) return undefined;
  if (mode === 'auto' && routes.length < ROUTE_INDEX_MIN_ROUTES) return undefined;
  return new RouteIndex(routes, ignorePathParameters);
}
