/**
 * Differential test: every forwarding router_check case of ../shared/conformance (the
 * online==offline suite), sent to a real `serve` with hostile client headers (a spoofed XFF,
 * a flipped x-forwarded-proto, x-envoy-internal, x-envoy-* timeout/retry controls), and asked of
 * `match`'s analysis (analyze(), the function the CLI runs) with the same headers and peer, under
 * Envoy's defaults and under the edge settings. Whatever the connection manager decides
 * (internal or external, which headers survive, a redirect because x-envoy-internal was dropped,
 * a normalised path), serve and match must agree: same status, cluster, path, Host and
 * sanitised headers.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { loadConfig } from '../../src/config/load.js';
import { analyze } from '../../src/analysis/explain/analyze.js';
import type { ExplainReport } from '../../src/analysis/explain/report_types.js';
import { localInfoAddress } from '../../src/runtime/local_info.js';
import { clusterNamesOf, collectForwardCases, CONFORMANCE_DIR, type ForwardCase } from './conformance_cases.js';
import { startEchoUpstreams, type EchoReply } from './echo_upstreams.js';
import { bootstrapYaml } from './bootstrap.js';
import { send, startProxy } from './proxy.js';

const present = existsSync(CONFORMANCE_DIR);

const PROFILES: readonly (readonly [string, string])[] = [
  ["Envoy's defaults + internal_address_config", 'internal_address_config: {}'],
  ['edge settings', 'use_remote_address: true\nnormalize_path: true\nmerge_slashes: true\npath_with_escaped_slashes_action: UNESCAPE_AND_FORWARD\ninternal_address_config: {}\nvia: edge-1'],
];

/** Headers whose value at the upstream must be what match says the upstream gets. */
const COMPARED = ['x-forwarded-for', 'x-forwarded-proto', 'x-envoy-internal', 'x-envoy-external-address', 'x-envoy-retry-on', 'x-envoy-decorator-operation', 'via'];

/** The case's request plus what a hostile client adds (a flipped x-forwarded-proto). */
function hostileHeaders(c: ForwardCase): Record<string, string | string[]> {
  const xfp = c.headers['x-forwarded-proto'] === 'https' ? 'http' : 'https';
  return {
    ...c.headers,
    'x-forwarded-for': '10.0.0.1',
    'x-forwarded-proto': xfp,
    'x-envoy-internal': 'true',
    'x-envoy-upstream-rq-timeout-ms': '4000',
    'x-envoy-retry-on': '5xx',
    'x-envoy-decorator-operation': 'op',
  };
}

/** The upstream request headers match predicts: the routed request plus the route's mutations. */
function offlineUpstreamHeaders(r: ExplainReport): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = { ...r.request.headers };
  for (const ch of r.action.request_header_changes) out[ch.name] = ch.op === 'remove' ? undefined : (ch.value ?? undefined);
  return out;
}

function compare(c: ForwardCase, r: ExplainReport, online: { status: number; echo: EchoReply | undefined }): string[] {
  const diffs: string[] = [];
  if (r.outcome.status !== null) {
    if (online.status !== r.outcome.status || online.echo !== undefined) diffs.push(`status: match ${r.outcome.status} (${r.outcome.details}) serve ${online.status}`);
    return diffs;
  }
  const e = online.echo;
  if (e === undefined) return [`match forwards to ${r.action.cluster?.name}, serve answered ${online.status}`];
  if (e.cluster !== r.action.cluster?.name) diffs.push(`cluster: match ${r.action.cluster?.name} serve ${e.cluster}`);
  if (e.path !== r.action.path) diffs.push(`path: match ${r.action.path} serve ${e.path}`);
  if ((e.host ?? null) !== r.action.host) diffs.push(`host: match ${r.action.host} serve ${e.host}`);
  const want = offlineUpstreamHeaders(r);
  for (const h of COMPARED) {
    const got = e.headers[h];
    const g = Array.isArray(got) ? got.join(',') : got;
    if (g !== want[h]) diffs.push(`${h}: match ${JSON.stringify(want[h])} serve ${JSON.stringify(g)}`);
  }
  const timeout = want['x-envoy-upstream-rq-timeout-ms'] ?? String(r.action.timeout_ms);
  if (r.action.timeout_ms !== 0 && e.headers['x-envoy-expected-rq-timeout-ms'] !== timeout) {
    diffs.push(`expected timeout: match ${timeout} serve ${String(e.headers['x-envoy-expected-rq-timeout-ms'])}`);
  }
  void c;
  return diffs;
}

test('online == offline with hostile client headers: serve and match agree on every forwarding case', { skip: present ? false : `${CONFORMANCE_DIR} absent`, timeout: 180_000 }, async (t) => {
  const disagreements: string[] = [];
  let total = 0;
  let internal = 0;
  let local = 0;
  for (const [profile, hcmExtraYaml] of PROFILES) {
    for (const g of collectForwardCases()) {
      if (g.cases.length === 0) continue;
      const names = new Set([...clusterNamesOf(g.routeConfig), ...g.cases.map((c) => c.expected.cluster)]);
      const echo = await startEchoUpstreams([...names].sort());
      try {
        const byRuntime = new Map<string, ForwardCase[]>();
        for (const c of g.cases) byRuntime.set(c.runtimeProfile, [...(byRuntime.get(c.runtimeProfile) ?? []), c]);
        for (const cases of byRuntime.values()) {
          const yaml = bootstrapYaml({ routeText: g.routeText, clusterPorts: echo.ports, runtime: cases[0]!.runtime, hcmExtraYaml });
          const loaded = loadConfig(yaml, 'e2e-bootstrap.yaml', { type: 'bootstrap' });
          assert.ok(loaded.config);
          const proxy = await startProxy(yaml);
          try {
            for (const c of cases) {
              total++;
              const headers = hostileHeaders(c);
              proxy.randomValue = c.input.random_value;
              const res = await send(proxy.port, { method: c.input.method, path: c.input.path, authority: c.input.authority, headers }, 2000);
              const echoed = res.status === 200 && res.headers['x-echo-cluster'] !== undefined ? (JSON.parse(res.body) as EchoReply) : undefined;
              const pairs = Object.entries(headers).flatMap(([k, v]) => (Array.isArray(v) ? v.map((x) => [k, x] as [string, string]) : [[k, v] as [string, string]]));
              const a = analyze(
                loaded.config,
                { host: c.input.authority, path: c.input.path, method: c.input.method, scheme: 'http', headers: pairs, randomValue: c.input.random_value, remoteAddress: '127.0.0.1' },
                { classify: () => ({ supported: true }), serverAddress: localInfoAddress() },
              );
              assert.ok(a.ok, `${c.id}: ${a.ok ? '' : a.error}`);
              const rh = a.report.connection_manager?.request_handling;
              if (rh?.internal) internal++;
              if (a.report.outcome.status !== null) local++;
              for (const d of compare(c, a.report, { status: res.status, echo: echoed })) disagreements.push(`${profile} ${c.id}: ${d}`);
            }
          } finally {
            await proxy.stop();
          }
        }
      } finally {
        await echo.close();
      }
    }
  }
  t.diagnostic(`hostile online==offline: ${total - disagreements.length}/${total} requests agree (${internal} judged internal, ${local} answered without forwarding)`);
  for (const d of disagreements) t.diagnostic(`DISAGREE ${d}`);
  assert.ok(total > 0, 'no forwarding cases found');
  assert.ok(internal > 0 && internal < total, 'both internal and external requests are exercised');
  assert.deepEqual(disagreements, []);
});
