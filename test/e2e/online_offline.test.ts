/**
 * Issue 3 acceptance: online == offline. Every router_check case of
 * ../shared/conformance/envoy-router-check that forwards to a cluster is replayed through the real
 * data plane (in-process `startServer`, real sockets) against echo upstreams, one per cluster
 * name; the cluster that answered, the path and the Host it received must equal what the offline
 * core (`route()` + `finalizeRequest()`, as `tsproxy test` runs them) says. Weighted-cluster picks
 * use the case's `random_value` through the server's injected random source.
 *
 * Skipped (with the reason) when ../shared is absent, and failing instead in CI (CI=true). Cases that only exist inside router_check's mocks (a mocked
 * runtime snapshot, injected dynamic metadata) are listed as skipped with the reason.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clusterNamesOf, collectForwardCases, CONFORMANCE_DIR, type ForwardCase } from './conformance_cases.js';
import { startEchoUpstreams } from './echo_upstreams.js';
import { bootstrapYaml } from './bootstrap.js';
import { send, sendH2, startProxy } from './proxy.js';
import type { EchoReply } from './echo_upstreams.js';
import { needsSharedFolder } from '../shared_folder.js';

const skip = needsSharedFolder(CONFORMANCE_DIR);

/**
 * Known online/offline divergences, each a data-plane bug with its cause. The test fails on any
 * other divergence; remove an entry once the bug is fixed (the test then tells you it agrees).
 */
const KNOWN_DIVERGENCES: Readonly<Record<string, string>> = {};

/**
 * router_check's `internal: true` stands for a request the connection manager judged internal
 * (it adds `x-envoy-internal: true`). Online, such a request must come from an internal client:
 * the proxy treats 10/8 as internal (`internal_address_config: {}`) and, with use_remote_address
 * false, trusts a single XFF address; every other case arrives without XFF and is external (the
 * proxy then drops a client-sent x-envoy-internal, as Envoy does).
 */
const HCM_EXTRA = 'internal_address_config: {}';

/** Sends a case's request; returns what the echo upstream saw, or why there was none. */
async function replay(port: number, c: ForwardCase, sender: typeof send): Promise<{ cluster: string; path: string; host: string; headers: EchoReply['headers'] } | string> {
  try {
    const headers = c.input.internal ? { ...c.headers, 'x-forwarded-for': '10.0.0.1' } : c.headers;
    const res = await sender(port, { method: c.input.method, path: c.input.path, authority: c.input.authority, headers }, 2000);
    if (res.status === 200 && res.headers['x-echo-cluster'] !== undefined) {
      const e = JSON.parse(res.body) as EchoReply;
      return { cluster: e.cluster, path: e.path, host: e.host ?? '', headers: e.headers };
    }
    return `status ${res.status} ${res.body.slice(0, 120)}`;
  } catch (err) {
    return `request failed: ${(err as Error).message}`;
  }
}

/** Asserted request headers: offline values (joined as node joins repeats) vs what the upstream got. */
function compareHeaders(expected: Record<string, readonly string[] | undefined>, got: EchoReply['headers']): string[] {
  const diffs: string[] = [];
  for (const [name, values] of Object.entries(expected)) {
    const online = got[name];
    const onlineText = online === undefined ? undefined : Array.isArray(online) ? online.join(', ') : online;
    const offlineText = values === undefined || values.length === 0 ? undefined : values.join(', ');
    if (onlineText !== offlineText) diffs.push(`header ${name}: offline ${JSON.stringify(offlineText)} online ${JSON.stringify(onlineText)}`);
  }
  return diffs;
}

test('online == offline on every forwarding router_check case', { skip, timeout: 120_000 }, async (t) => {
  await onlineOffline(t, send, 'HTTP/1.1');
});

test('online == offline over h2c (codec AUTO, prior knowledge): the same cases, the same answers', { skip, timeout: 120_000 }, async (t) => {
  await onlineOffline(t, sendH2, 'HTTP/2');
});

async function onlineOffline(t: { diagnostic(msg: string): void }, sender: typeof send, protocol: string): Promise<void> {
  const groups = collectForwardCases();
  let total = 0;
  let agree = 0;
  let skipped = 0;
  const disagreements: string[] = [];
  const known: string[] = [];
  let headersCompared = 0;
  const fixedKnown: string[] = [];
  // A data plane that answers nothing would make every case wait for its timeout: stop early.
  let consecutiveTransportFailures = 0;
  const MAX_CONSECUTIVE_TRANSPORT_FAILURES = 3;
  for (const g of groups) {
    if (consecutiveTransportFailures >= MAX_CONSECUTIVE_TRANSPORT_FAILURES) break;
    skipped += g.skipped.length;
    if (g.cases.length === 0) continue;
    // cluster_header routes name their clusters only in requests: add the expected ones too.
    const names = new Set([...clusterNamesOf(g.routeConfig), ...g.cases.map((c) => c.expected.cluster)]);
    const echo = await startEchoUpstreams([...names].sort());
    try {
      const profiles = new Map<string, typeof g.cases>();
      for (const c of g.cases) profiles.set(c.runtimeProfile, [...(profiles.get(c.runtimeProfile) ?? []), c]);
      for (const cases of profiles.values()) {
        if (consecutiveTransportFailures >= MAX_CONSECUTIVE_TRANSPORT_FAILURES) break;
        const proxy = await startProxy(bootstrapYaml({ routeText: g.routeText, clusterPorts: echo.ports, runtime: cases[0]!.runtime, hcmExtraYaml: HCM_EXTRA }));
        try {
          for (const c of cases) {
            if (consecutiveTransportFailures >= MAX_CONSECUTIVE_TRANSPORT_FAILURES) {
              disagreements.push(`stopped after ${MAX_CONSECUTIVE_TRANSPORT_FAILURES} requests in a row got no response`);
              break;
            }
            total++;
            proxy.randomValue = c.input.random_value;
            const got = await replay(proxy.port, c, sender);
            if (typeof got === 'string' && got.startsWith('request failed')) consecutiveTransportFailures++;
            else consecutiveTransportFailures = 0;
            const headerDiffs = typeof got === 'string' ? [] : compareHeaders(c.expectedHeaders, got.headers);
            const same =
              typeof got !== 'string' &&
              got.cluster === c.expected.cluster &&
              got.path === c.expected.path &&
              got.host === c.expected.host &&
              headerDiffs.length === 0;
            const line =
              typeof got === 'string'
                ? `${c.id}: offline ${JSON.stringify(c.expected)} online ${got}`
                : `${c.id}: offline ${JSON.stringify(c.expected)} online ${JSON.stringify({ cluster: got.cluster, path: got.path, host: got.host })}${headerDiffs.map((d) => ` ${d}`).join('')}`;
            headersCompared += Object.keys(c.expectedHeaders).length;
            if (same) {
              agree++;
              if (KNOWN_DIVERGENCES[c.id] !== undefined) fixedKnown.push(c.id);
            } else if (KNOWN_DIVERGENCES[c.id] !== undefined) {
              known.push(`${line} (known: ${KNOWN_DIVERGENCES[c.id]})`);
            } else {
              disagreements.push(line);
            }
          }
        } finally {
          await proxy.stop();
        }
      }
    } finally {
      await echo.close();
    }
  }
  t.diagnostic(`online==offline (${protocol}): ${agree}/${total} forwarding cases agree (cluster, path, host and ${headersCompared} request headers that routes mutate or tests assert), ${known.length} known divergences (${skipped} skipped: router_check-only inputs)`);
  for (const g of groups) for (const s of g.skipped) t.diagnostic(`skipped ${s.id}: ${s.reason}`);
  for (const d of known) t.diagnostic(`KNOWN DIVERGENCE ${d}`);
  for (const d of disagreements) t.diagnostic(`DISAGREE ${d}`);
  assert.ok(total > 0, 'no forwarding cases found');
  assert.deepEqual(disagreements, []);
  assert.deepEqual(fixedKnown, [], 'these known divergences agree now: remove them from KNOWN_DIVERGENCES');
}
