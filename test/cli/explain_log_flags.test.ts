// `explain --log` and `explain --flags` through the real CLI, and the flag table against the
// runtime's (the names the access log prints).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from './run_cli.js';
import { FLAG_NAMES, flagInfo } from '../../src/analysis/flags/catalog.js';
import type { FlagsReport } from '../../src/analysis/flags/explain_flags.js';
import { KNOWN_RESPONSE_FLAGS, shortFlagOf } from '../../src/runtime/access_log/response_flags.js';

const BOOT = 'fixtures/explain/bootstrap.yaml';

test('the flag table knows every flag the access log prints, by short and long name', () => {
  for (const short of KNOWN_RESPONSE_FLAGS) {
    const f = flagInfo(short);
    assert.ok(f, `flag ${short}`);
    assert.equal(shortFlagOf(f.long), short, `long name of ${short}`);
    assert.equal(flagInfo(f.long)?.short, short);
  }
  assert.equal(FLAG_NAMES.length, KNOWN_RESPONSE_FLAGS.size);
});

test('--flags UF,URX --route: the knobs of the route and its clusters, with positions or defaults, and the stats', () => {
  const r = runCli(['explain', '-c', BOOT, '--flags', 'URX,uf', '--route', 'api', '--json']);
  assert.equal(r.status, 0, r.stderr);
  const rep = JSON.parse(r.stdout) as FlagsReport;
  assert.equal(rep.schema, 'tsproxy.flags/v1');
  assert.deepEqual(rep.route, { route_configuration: 'ingress_routes', virtual_host: 'api', name: 'api', index: 1, position: { file: BOOT, line: 65, col: 17 } });
  assert.deepEqual(rep.clusters, ['api_v1', 'api_v2']);
  assert.equal(rep.connection_manager, 'ingress_http');
  // Envoy's order: UF before URX, whatever order they were asked in.
  assert.deepEqual(rep.flags.map((f) => f.flag), ['UF', 'URX']);
  const uf = rep.flags[0]!;
  const knob = (field: string, owner?: string) => uf.knobs.find((k) => k.field === field && (owner === undefined || k.owner === owner));
  assert.deepEqual(knob('connect_timeout', 'cluster api_v1'), {
    owner: 'cluster api_v1', field: 'connect_timeout', value: '5s (default)', default: true, position: null,
    note: 'a connection not established within it fails the attempt (UF, upstream_cx_connect_timeout)',
  });
  assert.equal(knob('retry_policy.retry_on')?.value, '5xx,connect-failure');
  assert.deepEqual(knob('retry_policy.num_retries')?.position, { file: BOOT, line: 72, col: 34 });
  assert.ok(uf.stats.includes('cluster.api_v1.upstream_cx_connect_fail') && uf.stats.includes('cluster.api_v2.upstream_cx_connect_timeout'), uf.stats.join());
  const urx = rep.flags[1]!;
  assert.ok(urx.knobs.some((k) => k.field === 'circuit_breakers.thresholds[DEFAULT].max_retries' && k.value === '3 (default)'));
  assert.ok(urx.stats.includes('cluster.api_v2.upstream_rq_retry_limit_exceeded'));
  assert.match(rep.together ?? '', /every attempt failed to connect/);
});

test('--flags text, a cluster alone, and the errors (unknown flag, route, cluster; nothing to explain)', () => {
  const t = runCli(['explain', '-c', BOOT, '--flags', 'UH', '--cluster', 'empty']);
  assert.equal(t.status, 0, t.stderr);
  assert.match(t.stdout, /^clusters {2}empty\n\nUH NoHealthyUpstream — 503\n/);
  assert.match(t.stdout, /cluster empty load_assignment: 0 endpoints \(STATIC\)/);
  assert.match(t.stdout, /no endpoint: every request gets 503 UH/);
  assert.match(t.stdout, /stats {2}cluster\.empty\.upstream_cx_none_healthy/);
  const bad = (args: string[], re: RegExp) => {
    const r = runCli(['explain', '-c', BOOT, ...args]);
    assert.equal(r.status, 2, r.stdout);
    assert.match(r.stderr, re);
  };
  bad(['--flags', 'UX', '--route', 'api'], /unknown response flag "UX"; did you mean "UF"\?/);
  bad(['--flags', 'UF', '--route', 'apii'], /no route named "apii" in fixtures\/explain\/bootstrap\.yaml; did you mean "api"\?/);
  bad(['--flags', 'UF', '--cluster', 'webb'], /no cluster named "webb" .*did you mean "web"\?/);
  bad(['--flags', 'UF'], /--flags needs --route NAME and\/or --cluster NAME/);
  bad([], /required option '--path <path>' not specified/);
});

test('--log: the request of a default-format line is explained, and the flags it logged for the route it takes', () => {
  const line = '[2026-12-01T10:00:00.000Z] "GET /api/v1/users?id=7 HTTP/1.1" 503 UF,URX 0 91 3012 - "10.0.0.9" "curl/8.5.0" "req-9" "api.example.com" "10.1.0.7:8080"';
  const r = runCli(['explain', '-c', BOOT, '--log', line, '--json']);
  assert.equal(r.status, 0, r.stderr);
  const rep = JSON.parse(r.stdout) as { request: { authority: string; path: string; headers: Record<string, string> }; route: { label: string }; log: { record: Record<string, unknown>; response_flags: FlagsReport | null } };
  assert.equal(rep.request.authority, 'api.example.com');
  assert.equal(rep.request.path, '/api/v1/users?id=7');
  assert.equal(rep.request.headers['user-agent'], 'curl/8.5.0');
  assert.equal(rep.route.label, 'api');
  assert.equal(rep.log.record['status'], 503);
  assert.equal(rep.log.record['response_flags'], 'UF,URX');
  assert.equal(rep.log.record['upstream_host'], '10.1.0.7:8080');
  assert.deepEqual(rep.log.response_flags?.flags.map((f) => f.flag), ['UF', 'URX']);
  assert.equal(rep.log.response_flags?.route?.name, 'api');

  const text = runCli(['explain', '-c', BOOT, '--log', line]);
  assert.equal(text.status, 0, text.stderr);
  assert.match(text.stdout, /^log line {6}GET api\.example\.com\/api\/v1\/users\?id=7 HTTP\/1\.1\nlogged {8}status 503, flags UF,URX, upstream 10\.1\.0\.7:8080\n/);
  assert.match(text.stdout, /\nresponse flags UF,URX \(logged\)\nroute {2}ingress_routes \/ api \/ api /);
});

test('--log: JSON lines (Istio keys), a custom --log-format, and a line of another shape', () => {
  const json = '{"method":"GET","path":"/healthz","authority":"api.example.com","response_code":200,"response_flags":"-"}';
  const j = runCli(['explain', '-c', BOOT, '--log', json, '--json']);
  assert.equal(j.status, 0, j.stderr);
  const rep = JSON.parse(j.stdout) as { route: { label: string }; log: { response_flags: unknown } };
  assert.equal(rep.route.label, 'health');
  assert.equal(rep.log.response_flags, null);
  const custom = runCli(['explain', '-c', BOOT, '--log', 'GET api.example.com /old', '--log-format', '%REQ(:METHOD)% %REQ(:AUTHORITY)% %REQ(:PATH)%']);
  assert.equal(custom.status, 0, custom.stderr);
  assert.match(custom.stdout, /redirect/i);
  const bad = runCli(['explain', '-c', BOOT, '--log', 'not a log line']);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /the line does not have the log format/);
});
