/**
 * Runs router_check tests against a compiled route table, with the semantics of Envoy's
 * router_check_tool (test/tools/router_check/router.cc `compareEntries`):
 *
 * 1. build the request from `input` (request.ts) and route it with the core's `route()`;
 * 2. finalize headers once: for a forwarding route, the request headers (path and host rewrites,
 *    request header mutations) and the response headers (`additional_response_headers` plus
 *    response header mutations); for a redirect or direct response, the local reply's headers
 *    (`:status`, and `content-length` / `content-type: text/plain` when there is a body) plus
 *    response header mutations;
 * 3. check the assertions present, in Envoy's order: cluster_name, virtual_cluster_name,
 *    virtual_host_name, path_rewrite, host_rewrite, path_redirect, code_redirect, request
 *    headers, response headers, timeout, route_metadata. A forwarding-only assertion reads ""
 *    (or 0) when the route does not forward; path_redirect / code_redirect read "" / 0 unless the
 *    route redirects or responds directly;
 * 4. each passing assertion marks coverage (coverage.ts).
 *
 * Pure: the CLI reads files; randomness comes from the test's `random_value`.
 */
import { compileHeaderMatcher, type CompiledHeaderMatcher } from '../../core/header_matcher.js';
import type { CompileContext } from '../../core/compile_context.js';
import type { HeaderMatcher } from '../../config/types.js';
import { route } from '../../core/route.js';
import type { RouteDecision, RouteTable } from '../../core/route_types.js';
import { Coverage, type CoverageField } from './coverage.js';
import { compareResults, headerMatchFailure, type ValidationFailure } from './failure.js';
import type { TestResult } from './report.js';
import { finalizeForTest, type HeaderLookup } from './finalize.js';
import { routeRequestFor } from './request.js';
import type { RouterCheckSpec, TestHeaderValue, ValidationItem } from './spec.js';

export interface RouterCheckRun {
  results: TestResult[];
  coverage: Coverage;
}

export interface RunResult {
  run?: RouterCheckRun;
  /** Problems in the test file found while preparing it (e.g. a header matcher regex that does not compile). */
  errors: string[];
}

/**
 * Runs every test of `spec` against `table`. `testFile` names the test file in errors;
 * `bodyFiles` holds the contents of `direct_response.body.filename` files (see
 * `directResponseBodyFiles`), read by the caller.
 */
export function runRouterCheck(table: RouteTable, spec: RouterCheckSpec, testFile: string, bodyFiles: ReadonlyMap<string, string> = new Map()): RunResult {
  const ctx: CompileContext = { runtime: spec.runtime, diagnostics: [], file: testFile };
  const compiled = spec.tests.map((t, i) => ({
    request: t.validate.request_header_matches.map((h, j) => compileHeaderMatcher(h, ctx, `$.tests[${i}].validate.request_header_matches[${j}]`)),
    response: t.validate.response_header_matches.map((h, j) => compileHeaderMatcher(h, ctx, `$.tests[${i}].validate.response_header_matches[${j}]`)),
  }));
  const errors = ctx.diagnostics.filter((d) => d.severity === 'error').map((d) => `${testFile}: ${d.path}: ${d.message}`);
  if (errors.length) return { errors };
  const coverage = new Coverage(table);
  const results = spec.tests.map((t, i) => runOne(table, t, compiled[i]!, coverage, bodyFiles));
  results.forEach((r, i) => {
    if (!r.passed) {
      const hint = runtimeHint(table, spec.tests[i]!, compiled[i]!, bodyFiles);
      if (hint) r.hint = hint;
    }
  });
  return { run: { results, coverage }, errors: [] };
}

/**
 * A failing test that passes once `input.runtime` names the runtime key of a `runtime_fraction`
 * route: Envoy's tool enables only that one key per test, so such a route never matches without
 * it. Returns the advice, or undefined.
 */
function runtimeHint(table: RouteTable, t: ValidationItem, cv: CompiledValidation, bodyFiles: ReadonlyMap<string, string>): string | undefined {
  if (t.input.runtime !== '') return undefined;
  const keys: { key: string; route: string }[] = [];
  for (const vh of table.virtualHosts) for (const r of vh.routes) {
    const key = r.config.match.runtime_fraction?.runtime_key;
    if (key && !keys.some((k) => k.key === key)) keys.push({ key, route: r.name ?? `#${r.index} of virtual host "${vh.name}"` });
  }
  for (const { key, route: name } of keys.slice(0, 64)) {
    const retry = runOne(table, { ...t, input: { ...t.input, runtime: key } }, cv, new Coverage(table), bodyFiles);
    if (retry.passed) {
      return `route ${name} matches only when its runtime_fraction is enabled: router_check enables one runtime key per test; add \`runtime: ${key}\` to this test's input`;
    }
  }
  return undefined;
}

/** The `direct_response.body.filename` values of a route table, for the caller to read. */
export function directResponseBodyFiles(table: RouteTable): string[] {
  const out = new Set<string>();
  for (const vh of table.virtualHosts) for (const r of vh.routes) {
    const f = r.config.direct_response?.body?.filename;
    if (f !== undefined && f !== '') out.add(f);
  }
  return [...out];
}

interface CompiledValidation {
  request: CompiledHeaderMatcher[];
  response: CompiledHeaderMatcher[];
}

function runOne(table: RouteTable, t: ValidationItem, cv: CompiledValidation, coverage: Coverage, bodyFiles: ReadonlyMap<string, string>): TestResult {
  const req = routeRequestFor(t.input);
  const decision = route(table, req, t.input.random_value);
  const fin = finalizeForTest(decision, req, t.input.additional_response_headers, bodyFiles);
  const target = coverage.targetFor(decision);
  const v = t.validate;
  const failures: ValidationFailure[] = [];
  const forward = decision.kind === 'forward' ? decision : undefined;
  const local = decision.kind === 'redirect' || decision.kind === 'direct_response' ? decision : undefined;

  const check = (field: CoverageField, expected: string | number | undefined, actual: string | number, covers: boolean): void => {
    if (expected === undefined) return;
    const f = compareResults(actual, expected, field);
    if (f) failures.push(f);
    else if (covers && target) coverage.mark(target, field);
  };

  check('cluster_name', v.cluster_name, forward ? forward.cluster : '', forward !== undefined);
  check('virtual_cluster_name', v.virtual_cluster_name, forward ? (forward.virtualClusterName ?? '') : '', forward !== undefined);
  check('virtual_host_name', v.virtual_host_name, forward ? forward.virtualHost.name : '', forward !== undefined);
  check('path_rewrite', v.path_rewrite, forward ? fin.request(':path')?.[0] ?? '' : '', forward !== undefined);
  check('host_rewrite', v.host_rewrite, forward ? fin.request(':authority')?.[0] ?? '' : '', forward !== undefined);
  check('path_redirect', v.path_redirect, local ? fin.newUri : '', local !== undefined);
  check('code_redirect', v.code_redirect, local ? local.status : 0, local !== undefined);

  failures.push(...headerMatches(v.request_header_matches, cv.request, fin.request, 'request_header_matches'));
  failures.push(...headerFields(v.request_header_fields, fin.request, 'request_header_fields'));
  failures.push(...headerMatches(v.response_header_matches, cv.response, fin.response, 'response_header_matches'));
  failures.push(...headerFields(v.response_header_fields, fin.response, 'response_header_fields'));

  if (v.timeout !== undefined) {
    // Envoy compares routeEntry()->timeout() in milliseconds; no forwarding route reads 0.
    const f = compareResults(forward ? forward.route.timeoutMs : 0, v.timeout, 'timeout');
    if (f) failures.push(f);
  }
  for (const m of v.route_metadata) {
    const f = compareResults(routeMetadataValue(decision, m.namespace, m.key), m.value, 'route_metadata');
    if (f) failures.push(f);
  }
  return { name: t.test_name, passed: failures.length === 0, failures };
}

function headerMatches(config: readonly HeaderMatcher[], compiled: readonly CompiledHeaderMatcher[], lookup: HeaderLookup, prefix: string): ValidationFailure[] {
  const out: ValidationFailure[] = [];
  compiled.forEach((m, i) => {
    const values = lookup(m.name);
    // Envoy's HeaderUtility::matchHeaders: all values joined with ",".
    if (m.matchValue(values === undefined ? undefined : values.join(','))) return;
    out.push(headerMatchFailure(config[i]!, values?.[0], prefix));
  });
  return out;
}

function headerFields(fields: readonly TestHeaderValue[], lookup: HeaderLookup, type: string): ValidationFailure[] {
  const out: ValidationFailure[] = [];
  for (const h of fields) {
    const f = compareResults(lookup(h.key.toLowerCase())?.[0] ?? '', h.value, type);
    if (f) out.push(f);
  }
  return out;
}

/** `filter_metadata[ns][key]` of the matched route as a string ("" when absent). */
function routeMetadataValue(d: RouteDecision, ns: string, key: string): string {
  const r = d.kind === 'no_route' ? undefined : d.route;
  const fm = r?.metadata?.filter_metadata;
  const nsv = fm !== undefined && Object.prototype.hasOwnProperty.call(fm, ns) ? fm[ns] : undefined;
  if (nsv === undefined || !Object.prototype.hasOwnProperty.call(nsv, key)) return '';
  const v = nsv[key];
  return typeof v === 'string' ? v : JSON.stringify(v);
}
