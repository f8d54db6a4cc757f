/**
 * The request hash for RING_HASH and MAGLEV clusters, from a route's `hash_policy` list
 * (Envoy's Http::HashPolicyImpl). Each policy may produce a hash:
 * - `header`: xxHash64 of the header's values (sorted, chained seeds, as Envoy), after the
 *   optional `regex_rewrite`; pseudo-headers `:authority`, `:path`, `:method`, `:scheme` read the
 *   request fields;
 * - `cookie`: xxHash64 of the named cookie's value. When the cookie is absent and `ttl` is set,
 *   Envoy generates the cookie and sets it on the response; that needs the response path and is
 *   not done here (no hash from this policy);
 * - `connection_properties.source_ip`: xxHash64 of the downstream address without port;
 * - `query_parameter`: xxHash64 of the first occurrence's raw value (`?a` alone hashes "");
 * - `filter_state`: not implemented (no hash).
 * Hashes combine as `rotl1(previous) ^ new`; a `terminal` policy that produced a hash stops the
 * walk. No hash at all means the load balancer picks randomly.
 *
 * Pure. `compileHashPolicy` compiles regexes once per route; `computeHashKey` is re-entrant.
 */
import type { HashPolicy } from '../config/types.js';
import { xxHash64, xxHash64Bytes } from './lb/xxhash64.js';
import { compileRegex, regexReplaceAll, type CompiledRegex } from './regex.js';
import type { RouteRequest } from './route_types.js';

const MASK = 0xffffffffffffffffn;
const encoder = new TextEncoder();

type CompiledMethod =
  | { kind: 'header'; name: string; rewrite?: { regex: CompiledRegex; substitution: string }; terminal: boolean }
  | { kind: 'cookie'; name: string; terminal: boolean }
  | { kind: 'source_ip'; terminal: boolean }
  | { kind: 'query_parameter'; name: string; terminal: boolean }
  | { kind: 'none'; terminal: boolean };

/** A hash policy list compiled for repeated use. Immutable. */
export interface CompiledHashPolicy {
  readonly methods: readonly CompiledMethod[];
}

/** Compiles a route's `hash_policy` list (regex rewrites compiled once; invalid ones are ignored). */
export function compileHashPolicy(policies: readonly HashPolicy[]): CompiledHashPolicy {
  const methods: CompiledMethod[] = [];
  for (const p of policies) {
    const terminal = p.terminal === true;
    if (p.header) {
      let rewrite: { regex: CompiledRegex; substitution: string } | undefined;
      if (p.header.regex_rewrite) {
        const r = compileRegex(p.header.regex_rewrite.pattern.regex);
        if (r.ok) rewrite = { regex: r.regex, substitution: p.header.regex_rewrite.substitution };
      }
      methods.push({ kind: 'header', name: p.header.header_name.toLowerCase(), rewrite, terminal });
    } else if (p.cookie) methods.push({ kind: 'cookie', name: p.cookie.name, terminal });
    else if (p.connection_properties?.source_ip) methods.push({ kind: 'source_ip', terminal });
    else if (p.query_parameter) methods.push({ kind: 'query_parameter', name: p.query_parameter.name, terminal });
    else methods.push({ kind: 'none', terminal });
  }
  return { methods };
}

const cache = new WeakMap<readonly HashPolicy[], CompiledHashPolicy>();

/** `compileHashPolicy` memoized on the (immutable) policy array, for the router's hot path. */
export function compiledHashPolicyFor(policies: readonly HashPolicy[]): CompiledHashPolicy {
  let c = cache.get(policies);
  if (!c) {
    c = compileHashPolicy(policies);
    cache.set(policies, c);
  }
  return c;
}

/** The hash key for a request, or undefined when no policy produced one. */
export function computeHashKey(policy: CompiledHashPolicy, request: RouteRequest): bigint | undefined {
  let hash: bigint | undefined;
  for (const m of policy.methods) {
    const h = evaluate(m, request);
    if (h !== undefined) {
      // Rotating the old value keeps duplicate policies from cancelling each other (Envoy).
      const old = hash === undefined ? 0n : ((hash << 1n) | (hash >> 63n)) & MASK;
      hash = old ^ h;
    }
    if (m.terminal && hash !== undefined) break;
  }
  return hash;
}

/** Convenience: compile (memoized) and compute in one call. */
export function hashKeyFor(policies: readonly HashPolicy[], request: RouteRequest): bigint | undefined {
  if (policies.length === 0) return undefined;
  return computeHashKey(compiledHashPolicyFor(policies), request);
}

function evaluate(m: CompiledMethod, req: RouteRequest): bigint | undefined {
  switch (m.kind) {
    case 'header': {
      let values = headerValues(req, m.name);
      if (values.length === 0) return undefined;
      if (m.rewrite) {
        const rw = m.rewrite;
        values = values.map((v) => regexReplaceAll(rw.regex, v, rw.substitution));
      }
      // Same hash whatever the order of repeated headers (Envoy sorts them).
      if (values.length > 1) values = [...values].sort();
      let h = 0n;
      for (const v of values) h = xxHash64Bytes(encoder.encode(v), h);
      return h;
    }
    case 'cookie': {
      const v = cookieValue(req.headers['cookie'], m.name);
      return v === undefined || v === '' ? undefined : xxHash64(v);
    }
    case 'source_ip':
      return req.remoteAddress ? xxHash64(req.remoteAddress) : undefined;
    case 'query_parameter': {
      const v = queryParameter(req.path, m.name);
      return v === undefined ? undefined : xxHash64(v);
    }
    case 'none':
      return undefined;
  }
}

function headerValues(req: RouteRequest, name: string): string[] {
  switch (name) {
    case ':authority':
      return req.authority === undefined ? [] : [req.authority];
    case ':path':
      return [req.path];
    case ':method':
      return [req.method];
    case ':scheme':
      return [req.scheme];
  }
  const v = req.headers[name];
  if (v === undefined) return [];
  return typeof v === 'string' ? [v] : v;
}

/** First cookie named `name` across Cookie headers; surrounding double quotes removed (Envoy). */
export function cookieValue(header: string | string[] | undefined, name: string): string | undefined {
  if (header === undefined) return undefined;
  const lines = typeof header === 'string' ? [header] : header;
  for (const line of lines) {
    for (const part of line.split(';')) {
      const eq = part.indexOf('=');
      if (eq < 0) continue;
      if (part.slice(0, eq).trim() !== name) continue;
      let v = part.slice(eq + 1).trim();
      if (v.length >= 2 && v.startsWith('"') && v.endsWith('"')) v = v.slice(1, -1);
      return v;
    }
  }
  return undefined;
}

/** First occurrence of a query parameter, undecoded (Envoy's parseQueryString); `?a` gives "". */
export function queryParameter(path: string, name: string): string | undefined {
  const q = path.indexOf('?');
  if (q < 0) return undefined;
  let end = path.indexOf('#', q);
  if (end < 0) end = path.length;
  for (const pair of path.slice(q + 1, end).split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const key = eq < 0 ? pair : pair.slice(0, eq);
    if (key === name) return eq < 0 ? '' : pair.slice(eq + 1);
  }
  return undefined;
}
