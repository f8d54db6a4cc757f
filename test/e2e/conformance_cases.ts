/**
 * The router_check cases of ../shared/conformance/envoy-router-check that forward to a cluster,
 * with what the offline core says about them (cluster, final path, final host): the same
 * `route()` + `finalizeRequest()` that `tsproxy test` uses, on the request `tsproxy test` builds.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../src/config/load.js';
import type { HeaderValueOption, RouteConfiguration } from '../../src/config/types.js';
import type { ForwardDecision } from '../../src/core/route_types.js';
import { compileRouteConfig, finalizeRequest, route } from '../../src/core/route.js';
import { parseTestFile } from '../../src/analysis/router_check/test_file.js';
import { routeRequestFor } from '../../src/analysis/router_check/request.js';
import type { ValidationInput } from '../../src/analysis/router_check/spec.js';
import { finalizeForTest } from '../../src/analysis/router_check/finalize.js';

/** Repo root from dist/test/e2e/<file>.js. */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const CONFORMANCE_DIR = join(REPO_ROOT, '..', 'shared', 'conformance', 'envoy-router-check');

export interface ForwardCase {
  /** `<test file>#<test_name>`. */
  id: string;
  routeFile: string;
  input: ValidationInput;
  /** The request headers `tsproxy test` routes with (x-forwarded-proto, x-envoy-internal, additional). */
  headers: Record<string, string | string[]>;
  expected: { cluster: string; path: string; host: string };
  /**
   * Request headers the test asserts on (`request_header_matches`, `request_header_fields`) with
   * the values the offline finalization gives them (undefined: absent), to compare with what the
   * upstream received.
   */
  expectedHeaders: Record<string, readonly string[] | undefined>;
  /**
   * The static runtime the proxy must run with for this case: router_check enables only the
   * key named by `input.runtime` (by its default fraction) and disables every other
   * `runtime_fraction` key, so those are set to 0 online.
   */
  runtime: Record<string, unknown>;
  /** Cases sharing a profile share one proxy instance. */
  runtimeProfile: string;
}

export interface SkippedCase {
  id: string;
  reason: string;
}

export interface RouteFileCases {
  routeFile: string;
  /** Raw YAML text of the RouteConfiguration (embedded into the generated Bootstrap). */
  routeText: string;
  /** Decoded route configuration (for cluster names). */
  routeConfig: RouteConfiguration;
  cases: ForwardCase[];
  skipped: SkippedCase[];
}

/** Test file -> route file, as the conformance README pairs them. */
export function routeFileFor(testFile: string): string | undefined {
  const m = /^(.*)\.golden\.proto\.(json|yaml|pb_text)$/.exec(testFile);
  if (!m) return undefined;
  const base = m[1]!;
  if (base === 'TestRoutesFailures') return 'TestRoutes.yaml';
  if (base === 'TimeoutFailures') return 'Timeout.yaml';
  return `${base}.yaml`;
}

/** Collects every forwarding case, grouped by route file; duplicates (same file, same input) once. */
export function collectForwardCases(dir = CONFORMANCE_DIR): RouteFileCases[] {
  if (!existsSync(dir)) return [];
  const byRoute = new Map<string, RouteFileCases>();
  const seen = new Set<string>();
  for (const testFile of readdirSync(dir).sort()) {
    const routeFile = routeFileFor(testFile);
    if (!routeFile || !existsSync(join(dir, routeFile))) continue;
    const parsed = parseTestFile(readFileSync(join(dir, testFile), 'utf8'), testFile);
    if (!parsed.spec) throw new Error(`${testFile}: ${parsed.errors.join('; ')}`);
    let group = byRoute.get(routeFile);
    if (!group) {
      const routeText = readFileSync(join(dir, routeFile), 'utf8');
      const loaded = loadConfig(routeText, routeFile, { type: 'route' });
      const rc = loaded.config?.routeConfigurations[0];
      if (!rc) throw new Error(`${routeFile}: ${loaded.diagnostics.map((d) => d.message).join('; ')}`);
      group = { routeFile, routeText, routeConfig: rc, cases: [], skipped: [] };
      byRoute.set(routeFile, group);
    }
    const { table } = compileRouteConfig(group.routeConfig, {
      runtime: parsed.spec.runtime,
      bumpZeroRuntimeNumerator: true,
      file: routeFile,
    });
    const runtimeKeys = runtimeFractionKeysOf(group.routeConfig);
    for (const t of parsed.spec.tests) {
      const id = `${testFile}#${t.test_name}`;
      const key = `${routeFile}\n${JSON.stringify(t.input)}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const req = routeRequestFor(t.input);
      const decision = route(table, req, t.input.random_value);
      if (decision.kind !== 'forward' || decision.cluster === '') continue;
      // Inputs that only exist inside router_check's mocks cannot be sent over a socket.
      if (t.input.dynamic_metadata.length > 0) {
        group.skipped.push({ id, reason: 'input.dynamic_metadata: no set_metadata filter on the wire' });
        continue;
      }
      // router_check's runtime mock, as a real static runtime: every runtime_fraction key but
      // input.runtime is 0 (disabled); input.runtime is left to its default fraction.
      const runtime: Record<string, unknown> = { ...parsed.spec.runtime };
      for (const k of runtimeKeys) if (k !== t.input.runtime) runtime[k] = 0;
      // What Envoy itself (no mock, no tool-only numerator bump) decides with that runtime.
      const { featureEnabled: _mock, ...plainReq } = req;
      const plain = route(compileRouteConfig(group.routeConfig, { runtime, file: routeFile }).table, plainReq, t.input.random_value);
      if (plain.kind !== 'forward' || plain.cluster !== decision.cluster) {
        group.skipped.push({
          id,
          reason: `router_check-only runtime semantics (a runtime_fraction numerator of 0 counts as 1 in the tool): tool picks ${decision.cluster}, Envoy's runtime would pick ${plain.kind === 'forward' ? plain.cluster : plain.kind}`,
        });
        continue;
      }
      const fin = finalizeRequest(decision, req);
      const finHeaders = finalizeForTest(decision, req, []);
      const expectedHeaders: Record<string, readonly string[] | undefined> = {};
      const names = [
        ...t.validate.request_header_matches.map((h) => h.name.toLowerCase()),
        ...t.validate.request_header_fields.map((h) => h.key.toLowerCase()),
        ...mutatedRequestHeaders(decision, group.routeConfig),
      ];
      for (const n of names) if (!n.startsWith(':')) expectedHeaders[n] = finHeaders.request(n);
      group.cases.push({
        id,
        routeFile,
        input: t.input,
        headers: req.headers as Record<string, string | string[]>,
        expected: { cluster: decision.cluster, path: fin.path, host: fin.authority },
        expectedHeaders,
        runtime,
        runtimeProfile: JSON.stringify(runtime),
      });
    }
  }
  return [...byRoute.values()];
}

/**
 * Names of the request headers the route's mutations touch (route, virtual host, route
 * configuration, weighted cluster): online must add/remove exactly what offline does.
 */
function mutatedRequestHeaders(decision: ForwardDecision, rc: RouteConfiguration): string[] {
  const names: string[] = [];
  const from = (o: { request_headers_to_add?: HeaderValueOption[]; request_headers_to_remove?: string[] } | undefined): void => {
    for (const h of o?.request_headers_to_add ?? []) names.push(h.header.key.toLowerCase());
    for (const h of o?.request_headers_to_remove ?? []) names.push(h.toLowerCase());
  };
  from(decision.route.config);
  from(decision.virtualHost.config);
  from(rc);
  const wc = decision.weightedCluster;
  if (wc) {
    const entry = decision.route.action?.weighted_clusters?.clusters[wc.index];
    from(entry);
  }
  return names;
}

/** Runtime keys of `runtime_fraction` route matchers. */
export function runtimeFractionKeysOf(rc: RouteConfiguration): string[] {
  const keys = new Set<string>();
  for (const vh of rc.virtual_hosts ?? []) {
    for (const r of vh.routes ?? []) {
      const k = r.match?.runtime_fraction?.runtime_key;
      if (k) keys.add(k);
    }
  }
  return [...keys].sort();
}

/** Every cluster name the route configuration may send to (Envoy validates them at load). */
export function clusterNamesOf(rc: RouteConfiguration): string[] {
  const names = new Set<string>();
  for (const vh of rc.virtual_hosts ?? []) {
    for (const m of vh.request_mirror_policies ?? []) if (m.cluster) names.add(m.cluster);
    for (const r of vh.routes ?? []) {
      const a = r.route;
      if (!a) continue;
      if (a.cluster) names.add(a.cluster);
      for (const wc of a.weighted_clusters?.clusters ?? []) if (wc.name) names.add(wc.name);
      for (const m of a.request_mirror_policies ?? []) if (m.cluster) names.add(m.cluster);
    }
  }
  for (const m of rc.request_mirror_policies ?? []) if (m.cluster) names.add(m.cluster);
  return [...names].sort();
}
