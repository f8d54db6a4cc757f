// `tsproxy match --json` / `explain` through the real CLI give the same answer as a real `serve`
// (in-process, real sockets, a recording upstream) for requests the connection manager
// normalises, rejects or sanitises: status, details, the path and the headers the upstream got.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './run_cli.js';
import { bootstrap, cluster, rawRequest, startProxy, startUpstream } from '../runtime/http/harness.js';
import type { ExplainReport } from '../../src/analysis/explain/report_types.js';

const ROUTES = `- match: {prefix: "/admin"}
  direct_response: {status: 403, body: {inline_string: "admin blocked"}}
- match: {prefix: "/"}
  route: {cluster: web}`;

const EDGE = 'use_remote_address: true\nnormalize_path: true\nmerge_slashes: true\npath_with_escaped_slashes_action: UNESCAPE_AND_REDIRECT\ninternal_address_config: {}\nvia: edge-1';

interface Case {
  readonly path: string;
  readonly host: string;
  readonly headers: readonly [string, string][];
}

const CASES: readonly Case[] = [
  { path: '/public/../admin', host: 'a.com', headers: [] },
  { path: '//admin///x', host: 'a.com', headers: [] },
  { path: '/a//b/./c?q=//x', host: 'a.com', headers: [] },
  { path: '/static%2F..%2Fadmin', host: 'a.com', headers: [] },
  { path: '/', host: 'evil.com/path', headers: [] },
  { path: '/x', host: 'a.com', headers: [['x-forwarded-proto', 'http'], ['x-forwarded-for', '10.0.0.1'], ['x-envoy-upstream-rq-timeout-ms', '5000'], ['x-envoy-retry-on', '5xx'], ['x-envoy-internal', 'true']] },
  { path: '/x', host: 'a.com', headers: [['x-forwarded-proto', 'https'], ['x-envoy-upstream-rq-timeout-ms', '5000'], ['x-envoy-decorator-operation', 'op']] },
];

/** Headers whose upstream value must equal what match reports. */
const COMPARED = ['x-forwarded-for', 'x-forwarded-proto', 'x-envoy-internal', 'x-envoy-external-address', 'x-envoy-retry-on', 'x-envoy-decorator-operation', 'via'];

for (const [name, hcm] of [['edge settings', EDGE], ["Envoy's defaults", undefined]] as const) {
  test(`match --json agrees with serve (${name})`, async () => {
    const up = await startUpstream('web');
    const yaml = bootstrap({ routes: ROUTES, clusters: cluster('web', [up.port]), ...(hcm ? { hcmExtra: hcm } : {}) });
    const p = await startProxy(yaml);
    const dir = mkdtempSync(join(tmpdir(), 'tsproxy-match-serve-'));
    const file = join(dir, 'envoy.yaml');
    writeFileSync(file, yaml);
    try {
      for (const c of CASES) {
        const label = `${c.host}${c.path} ${JSON.stringify(c.headers)}`;
        const before = up.received.length;
        const raw = await rawRequest(p.port, `GET ${c.path} HTTP/1.1\r\nHost: ${c.host}\r\n${c.headers.map(([k, v]) => `${k}: ${v}\r\n`).join('')}Connection: close\r\n\r\n`);
        const online = Number(/^HTTP\/1\.1 (\d{3})/.exec(raw.text)?.[1]);
        const cli = runCli(['match', '-c', file, '--host', c.host, '--path', c.path, '--remote-address', '127.0.0.1', ...c.headers.flatMap(([k, v]) => ['-H', `${k}: ${v}`]), '--json']);
        assert.ok(cli.status === 0 || cli.status === 1, `${label}: exit ${cli.status} ${cli.stderr}`);
        const r = JSON.parse(cli.stdout) as ExplainReport;
        const reached = up.received.length > before;
        if (r.outcome.status !== null) {
          assert.equal(online, r.outcome.status, `${label}: status`);
          assert.equal(reached, false, `${label}: serve must not forward what match answers locally`);
          const location = /\r\nlocation: ([^\r]*)/i.exec(raw.text)?.[1];
          assert.equal(location ?? null, r.connection_manager?.request_handling?.local_reply?.location ?? null, `${label}: location`);
          await p.waitStreams(p.infos.length + 1);
          assert.equal(p.infos[p.infos.length - 1]!.responseCodeDetails, r.outcome.details, `${label}: details`);
        } else {
          assert.equal(online, 200, `${label}: forwarded`);
          assert.ok(reached, `${label}: the upstream got it`);
          const got = up.received[up.received.length - 1]!;
          assert.equal(got.url, r.action.path, `${label}: path`);
          for (const h of COMPARED) assert.equal(got.headers[h], r.request.headers[h], `${label}: ${h}`);
          // The router consumes x-envoy-upstream-rq-timeout-ms (when it survived the connection
          // manager) and announces the timeout it applies in x-envoy-expected-rq-timeout-ms.
          const timeout = r.request.headers['x-envoy-upstream-rq-timeout-ms'] ?? String(r.action.timeout_ms);
          assert.equal(got.headers['x-envoy-expected-rq-timeout-ms'], timeout, `${label}: the timeout the router applies`);
          const rid = r.request.headers['x-request-id'];
          const clientRid = c.headers.find(([k]) => k === 'x-request-id')?.[1];
          assert.equal(got.headers['x-request-id'] === clientRid, rid === clientRid, `${label}: x-request-id kept or replaced alike`);
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await p.close();
      await up.close();
    }
  });
}

test('explain shows the path before and after normalisation, the headers changed, and a local reply as the outcome', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsproxy-explain-'));
  const file = join(dir, 'envoy.yaml');
  writeFileSync(file, bootstrap({ routes: ROUTES, clusters: cluster('web', [1]), hcmExtra: EDGE }));
  try {
    const r = runCli(['explain', '-c', file, '--host', 'a.com', '--path', '/public/./x/../y', '-H', 'x-forwarded-proto: https', '-H', 'x-envoy-retry-on: 5xx']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^Request GET http:\/\/a\.com\/public\/\.\/x\/\.\.\/y$/m, 'the request as sent');
    assert.match(r.stdout, /path \/public\/\.\/x\/\.\.\/y -> \/public\/y\n {5}normalize_path \/public\/\.\/x\/\.\.\/y -> \/public\/y/);
    assert.match(r.stdout, /x-forwarded-proto: https -> http/);
    assert.match(r.stdout, /x-envoy-retry-on: 5xx -> \(removed\)/);
    assert.match(r.stdout, /x-forwarded-for: \(none\) -> 203\.0\.113\.1/, 'an external client by default');
    assert.match(r.stdout, /downstream 203\.0\.113\.1, external \(edge request\)/);
    const redirect = runCli(['explain', '-c', file, '--host', 'a.com', '--path', '/a%2Fb']);
    assert.equal(redirect.status, 1);
    assert.match(redirect.stdout, /307 path_normalization_failed: .*\(Location: \/a\/b\)/);
    assert.match(redirect.stdout, /status 307, response flag -, details path_normalization_failed\n {3}stats: http\.ingress\.downstream_rq_redirected_with_normalized_path/);
    assert.doesNotMatch(redirect.stdout, /Virtual hosts/, 'nothing is routed');
    const host = runCli(['match', '-c', file, '--host', 'a b', '--path', '/']);
    assert.equal(host.status, 1);
    assert.match(host.stdout, /outcome +400 DPE http\.invalid_authority/);
    const bad = runCli(['match', '-c', file, '--host', 'a.com', '--path', '/', '--remote-address', 'nope']);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /--remote-address must be an IP address/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
