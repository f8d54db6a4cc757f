/**
 * Every input shape people have (issue 13), through the real CLI: Istio `proxy-config all -o json`
 * dumps with many route configurations and EDS endpoints, Envoy Gateway `egctl x translate`
 * output, resource lists, multi-document YAML, DiscoveryResponse files, custom Envoy builds, and
 * files of other shapes that must say what they are. Fixtures: fixtures/inputs/.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, runCli } from './run_cli.js';

const F = (name: string): string => `fixtures/inputs/${name}`;
const ISTIO = F('istio_proxy_config_all.json');

interface Report {
  listener: { name: string | null; reason: string; filter_chain: { name: string | null } | null } | null;
  connection_manager: { route_config_name: string | null; route_config_source: string } | null;
  route_configuration: { name: string | null } | null;
  virtual_host: { name: string } | null;
  route: { name: string | null } | null;
  outcome: { status: number | null; response_flag: string; details: string; summary: string; stats: string[] };
  notes: string[];
}

function json(args: string[]): { r: ReturnType<typeof runCli>; report: Report } {
  const r = runCli(['match', '--json', ...args]);
  assert.ok(r.status === 0 || r.status === 1, `exit ${r.status}: ${r.stderr}`);
  return { r, report: JSON.parse(r.stdout) as Report };
}

test('Istio dump: the Host port picks the listener, which follows its RDS name to route config "http.8080"', () => {
  const { r, report } = json(['-c', ISTIO, '--host', 'reviews:8080', '--path', '/api']);
  assert.equal(r.status, 0);
  assert.equal(report.listener!.name, '0.0.0.0_8080');
  assert.match(report.listener!.reason, /listens on port 8080, the port the client connects to/);
  assert.equal(report.connection_manager!.route_config_source, 'rds');
  assert.equal(report.route_configuration!.name, 'http.8080');
  assert.equal(report.virtual_host!.name, 'reviews.default.svc.cluster.local:9080');
  assert.equal(report.route!.name, 'default');
  // EDS endpoints from the dump's EndpointsConfigDump: one healthy of two is not panic.
  assert.equal(report.outcome.summary, 'forwarded to cluster "outbound|9080||reviews.default.svc.cluster.local" (2 endpoints: 1 HEALTHY, 1 UNHEALTHY (EDS))');
  // Envoy types tsproxy does not model (set_filter_state, peer_metadata, internal_upstream,
  // udp_proxy) and load_balancing_weight: 0 written by Envoy are never errors, nor warnings.
  assert.doesNotMatch(r.stderr, /error|set_filter_state|internal_upstream|udp_proxy|load_balancing_weight|did you mean/);
  // The port-80 listener routes with "80": a Host without a port reaches it.
  const p80 = json(['-c', ISTIO, '--host', 'reviews', '--path', '/']).report;
  assert.equal(p80.listener!.name, '0.0.0.0_80');
  assert.equal(p80.route_configuration!.name, '80');
  assert.equal(p80.outcome.status, 502);
});

test('Istio dump: explain says 503 UH with the health statuses when no endpoint is healthy and panic is off', () => {
  const r = runCli(['explain', '-c', ISTIO, '--host', 'ratings:8080', '--path', '/r']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /503 UH no_healthy_upstream — cluster "outbound\|9080\|\|ratings\.default\.svc\.cluster\.local" has no healthy endpoint \(EDS\): 2 endpoints: 1 UNHEALTHY, 1 DRAINING; healthy_panic_threshold 0 disables panic mode/);
  assert.match(r.stdout, /cluster\.outbound\|9080\|\|ratings\.default\.svc\.cluster\.local\.upstream_cx_none_healthy/);
});

test('--route-config NAME: follows the one listener routing with it; did-you-mean when absent', () => {
  const { report } = json(['-c', ISTIO, '--host', 'anything', '--path', '/x', '--route-config', 'inbound|9080||']);
  assert.equal(report.listener!.name, 'virtualInbound');
  assert.equal(report.listener!.reason, 'routes with route configuration "inbound|9080||" (--route-config)');
  assert.equal(report.listener!.filter_chain!.name, '0.0.0.0_9080');
  assert.equal(report.route_configuration!.name, 'inbound|9080||');
  assert.equal(report.outcome.summary, 'forwarded to cluster "inbound|9080||" (1 endpoint)');
  const miss = runCli(['explain', '-c', ISTIO, '--host', 'x', '--path', '/', '--route-config', 'http.808']);
  assert.equal(miss.status, 2);
  assert.match(miss.stderr, /no route configuration named "http\.808"; did you mean "http\.8080"\? \(route configurations: "80", "http\.8080", "inbound\|9080\|\|"\)/);
  // With --listener, the listener's RDS name must be the one asked for.
  const clash = runCli(['match', '-c', ISTIO, '--host', 'x', '--path', '/', '--listener', '0.0.0.0_80', '--route-config', 'http.8080']);
  assert.equal(clash.status, 2);
  assert.match(clash.stderr, /listener "0\.0\.0\.0_80" routes with route configuration "80", not "http\.8080"/);
});

test('a Host without a port and several listeners is an ambiguity named in the output, not a silent first pick', () => {
  const r = runCli(['match', '-c', F('many_listeners.yaml'), '--host', 'www.example.com', '--path', '/']);
  assert.equal(r.status, 0, r.stderr);
  const candidates = /ambiguous: 3 listeners could take this request and none listens on the port the client connects to: "public" \(0\.0\.0\.0:8080, routes "public_routes"\); "admin" \(0\.0\.0\.0:9000, routes "admin_routes"\); "metrics" \(0\.0\.0\.0:9901, routes "metrics_routes"\); answering for the first, "public" \(choose with --listener NAME or --port N, or give the Host a port\)/;
  assert.match(r.stdout, /^listener {6}public 0\.0\.0\.0:8080 \(ambiguous: 3 listeners/m);
  assert.match(r.stdout, candidates);
  assert.match(r.stdout, /^note {10}the listener is ambiguous: 3 listeners/m);
  const e = runCli(['explain', '-c', F('many_listeners.yaml'), '--host', 'www.example.com', '--path', '/']);
  assert.match(e.stdout, candidates);
  const withPort = json(['-c', F('many_listeners.yaml'), '--host', 'www.example.com:9000', '--path', '/']).report;
  assert.equal(withPort.listener!.name, 'admin');
  assert.equal(withPort.outcome.status, 403);
});

test('Envoy Gateway egctl x translate output (configKey + configs) routes with its EDS endpoints', () => {
  const { r, report } = json(['-c', F('egctl_translate.yaml'), '--host', 'www.example.com', '--path', '/cart']);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(report.listener!.name, 'default/eg/http');
  assert.equal(report.route_configuration!.name, 'default/eg/http');
  assert.equal(report.route!.name, 'httproute/default/backend/rule/0/match/0/www_example_com');
  assert.equal(report.outcome.summary, 'forwarded to cluster "httproute/default/backend/rule/0" (1 endpoint (EDS))');
  assert.doesNotMatch(r.stderr, /configKey|dynamic_resources/);
});

test('a JSON list of xDS resources: listener, its RDS route configuration, EDS cluster without endpoints (503 UH)', () => {
  const { report } = json(['-c', F('resource_list.json'), '--host', 'shop.example.com', '--path', '/cart/1']);
  assert.equal(report.listener!.name, 'ingress');
  assert.equal(report.route_configuration!.name, 'ingress_routes');
  assert.equal(report.route!.name, 'cart');
  assert.equal(report.outcome.response_flag, 'UH');
  assert.equal(report.outcome.summary, 'cluster "cart" has no endpoints (EDS)');
});

test('multi-document YAML and a DiscoveryResponse: several route configurations, chosen with --route-config', () => {
  const amb = runCli(['match', '-c', F('multi_document.yaml'), '--host', 'www.example.com', '--path', '/']);
  assert.equal(amb.status, 2);
  assert.match(amb.stderr, /ambiguous: the config has 2 route configurations and no listener to choose by; choose one with --route-config NAME: "public", "internal"/);
  const { report } = json(['-c', F('multi_document.yaml'), '--host', 'x', '--path', '/admin/users', '--route-config', 'internal']);
  assert.equal(report.route_configuration!.name, 'internal');
  assert.equal(report.route!.name, 'admin');
  // The cluster document is read too: the route's cluster is known, with its endpoint.
  assert.equal(report.outcome.summary, 'forwarded to cluster "web" (1 endpoint)');
  assert.ok(report.notes.some((n) => n.includes('route configuration "internal" (named "internal")')), report.notes.join('\n'));
  const xds = json(['-c', F('discovery_response.yaml'), '--host', 'other.example.com', '--path', '/', '--route-config', 'other_route']).report;
  assert.equal(xds.route_configuration!.name, 'other_route');
  assert.equal(xds.route!.name, 'other');
});

test('a custom Envoy build (ESPv2) and Wasm: a warning for the type Envoy does not define, and routing answers', () => {
  const { r, report } = json(['-c', F('custom_build.yaml'), '--host', 'x', '--path', '/v1/shelves/1']);
  assert.equal(r.status, 0);
  assert.equal(report.outcome.summary, 'forwarded to cluster "backend-cluster-bookstore" (1 endpoint)');
  assert.match(r.stderr, /custom_build\.yaml:23:24: warning "espv2\.api\.envoy\.v12\.http\.service_control\.FilterConfig" is not a type Envoy's API defines \(a custom Envoy build or Wasm\?\); its config is not checked \[schema\/unknown-type\]/);
  // Envoy's own Wasm filter is known: no warning, no suggestion.
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.doesNotMatch(r.stderr, /envoy\.extensions\.filters\.http\.wasm|did you mean/);
});

test('files of other shapes say what they are', () => {
  const cases: [string, RegExp][] = [
    ['envoy_v2.yaml', /envoy_v2\.yaml:9:20: error this file is an Envoy v2 API config \("envoy\.config\.filter\.network\.http_connection_manager\.v2\.HttpConnectionManager"\): Envoy removed the v2 API in 1\.18/],
    ['gloo_virtualservice.yaml', /error this file is a Kubernetes manifest \(Gloo VirtualService, apiVersion gateway\.solo\.io\/v1\), not an Envoy config: .*glooctl proxy dump/],
    ['emissary_mapping.yaml', /error this file is a Kubernetes manifest \(Emissary-ingress\/Ambassador Mapping, apiVersion getambassador\.io\/v3alpha1\)/],
    ['configmap.yaml', /error this file is a Kubernetes ConfigMap: pass the Envoy config it holds: save data\["envoy\.yaml"\] to a file/],
    ['../lint/config__shape/bad.yaml', /error this file is a Kubernetes manifest \(Gateway API HTTPRoute, .*egctl x translate/],
  ];
  for (const [file, re] of cases) {
    const r = runCli(['explain', '-c', F(file), '--host', 'x', '--path', '/']);
    assert.equal(r.status, 2, file);
    assert.match(r.stderr, re, file);
    assert.doesNotMatch(r.stderr, /unknown field/, file);
  }
});

test('-c - reads the config from stdin for match, explain, test, lint and serve refuses it the same way', () => {
  const text = readFileSync(join(ROOT, ISTIO), 'utf8');
  const run = (args: string[]) => spawnSync(process.execPath, ['bin/tsproxy.js', ...args], { cwd: ROOT, input: text, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  const m = run(['match', '-c', '-', '--host', 'reviews:8080', '--path', '/', '--json']);
  assert.equal(m.status, 0, m.stderr);
  assert.equal((JSON.parse(m.stdout) as Report).route_configuration!.name, 'http.8080');
  const e = run(['explain', '--config-path', '-', '--host', 'ratings:8080', '--path', '/']);
  assert.match(e.stdout, /503 UH/);
  const l = run(['lint', '-c', '-', '--format', 'json']);
  assert.ok(l.status === 0 || l.status === 1, l.stderr);
  assert.match(l.stdout, /<stdin>/);
  const bad = spawnSync(process.execPath, ['bin/tsproxy.js', 'explain', '-c', '-', '--path', '/'], { cwd: ROOT, input: 'apiVersion: v1\nkind: Service\nmetadata: { name: x }\n', encoding: 'utf8' });
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /^<stdin>:1:1: error this file is a Kubernetes manifest \(Service, apiVersion v1\)/m);
});

test('URI templates: a valid config matches and rewrites; invalid templates are load errors with positions', () => {
  const { r, report } = json(['-c', F('uri_template.yaml'), '--host', 'x', '--path', '/videos/lib/123/hls/720p/seg/00001.ts?token=a']);
  assert.equal(r.status, 0, r.stderr);
  assert.doesNotMatch(r.stderr, /@type|unsupported/);
  assert.equal(report.route!.name, 'playlist');
  assert.equal((report as unknown as { action: { path: string } }).action.path, '/123/hls/720p/seg/00001.ts?token=a');
  const e = runCli(['explain', '-c', F('uri_template.yaml'), '--host', 'x', '--path', '/users/ada/posts']);
  assert.match(e.stdout, /miss {2}users fixtures\/inputs\/uri_template\.yaml:23:7: path_match_policy URI template "\/users\/\{user\}\/posts\/\{post\}" does not match "\/users\/ada\/posts"/);
  const hit = runCli(['explain', '-c', F('uri_template.yaml'), '--host', 'x', '--path', '/users/ada/posts/42?x=1']);
  assert.match(hit.stdout, /match users fixtures\/inputs\/uri_template\.yaml:21:5: matched path_match_policy URI template "\/users\/\{user\}\/posts\/\{post\}" \(user="ada", post="42"\)/);
  const bad = runCli(['match', '-c', F('uri_template_bad.yaml'), '--host', 'x', '--path', '/']);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /uri_template_bad\.yaml:12:26: error path_template "\/videos\/\{id\/info" is invalid at character 9: unmatched variable bracket "\{" \[route\/path-template\]/);
  assert.match(bad.stderr, /uri_template_bad\.yaml:27:34: error path_template_rewrite "\/u\/\{usr\}" is invalid at character 5: variable "usr" is not captured/);
});
