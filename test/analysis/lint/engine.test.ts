/**
 * The lint engine beyond the per-rule fixtures: shadowing edge cases, camelCase input, config
 * dump JSON paths, --rule-off, and that odd configs never throw.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { lintText } from '../../../src/analysis/lint/lint.js';
import { allRules } from '../../../src/analysis/lint/registry.js';

const root = fileURLToPath(new URL('../../../../', import.meta.url));

/** A bare RouteConfiguration with one virtual host holding `routes` (YAML flow lines). */
function routes(...lines: string[]): string {
  return `virtual_hosts:\n- name: vh\n  domains: ["*"]\n  routes:\n${lines.map((l) => `  - ${l}\n`).join('')}`;
}

function shadowed(text: string): number[] {
  return lintText(text, 'r.yaml').filter((d) => d.rule === 'route/shadowed').map((d) => d.line);
}

test('shadowing: predicates on the earlier route keep the later one reachable', () => {
  const r = (m: string) => `{ match: ${m}, route: { cluster: c } }`;
  assert.deepEqual(shadowed(routes(r('{ prefix: "/a", headers: [{ name: x }] }'), r('{ prefix: "/a/b" }'))), []);
  assert.deepEqual(shadowed(routes(r('{ prefix: "/a", query_parameters: [{ name: q }] }'), r('{ prefix: "/a" }'))), []);
  assert.deepEqual(shadowed(routes(r('{ prefix: "/a", grpc: {} }'), r('{ prefix: "/a" }'))), []);
  assert.deepEqual(shadowed(routes(r('{ prefix: "/a", tls_context: { presented: true } }'), r('{ prefix: "/a" }'))), []);
  assert.deepEqual(shadowed(routes(r('{ prefix: "/a", runtime_fraction: { default_value: { numerator: 1 } } }'), r('{ prefix: "/a" }'))), []);
  // ... but not when the later route is identical, predicates and all.
  assert.deepEqual(shadowed(routes(r('{ prefix: "/a", headers: [{ name: x }] }'), r('{ headers: [{ name: x }], prefix: "/a" }'))), [6]);
});

test('shadowing: case sensitivity', () => {
  const r = (m: string) => `{ match: ${m}, route: { cluster: c } }`;
  // A case-sensitive "/api" does not cover a case-insensitive "/api/x" (it misses "/API/x").
  assert.deepEqual(shadowed(routes(r('{ prefix: "/api" }'), r('{ prefix: "/api/x", case_sensitive: false }'))), []);
  // A case-insensitive "/API" covers "/api/x" whatever its case.
  assert.deepEqual(shadowed(routes(r('{ prefix: "/API", case_sensitive: false }'), r('{ prefix: "/api/x" }'))), [6]);
  // "/" has no letters: it covers everything.
  assert.deepEqual(shadowed(routes(r('{ prefix: "/" }'), r('{ path: "/X", case_sensitive: false }'))), [6]);
});

test('shadowing: path, path_separated_prefix, regex', () => {
  const r = (m: string) => `{ match: ${m}, route: { cluster: c } }`;
  assert.deepEqual(shadowed(routes(r('{ path: "/a" }'), r('{ prefix: "/a" }'))), [], 'an exact path does not cover a prefix');
  assert.deepEqual(shadowed(routes(r('{ path_separated_prefix: "/api" }'), r('{ prefix: "/api" }'))), [], '"/apix" still reaches the prefix');
  assert.deepEqual(shadowed(routes(r('{ path_separated_prefix: "/api" }'), r('{ prefix: "/api/v1" }'), r('{ path: "/api" }'))), [6, 7]);
  assert.deepEqual(shadowed(routes(r('{ prefix: "/a" }'), r('{ safe_regex: { regex: "/a.*" } }'))), [], 'only a catch-all covers a regex');
  assert.deepEqual(shadowed(routes(r('{ safe_regex: { regex: "/a.*" } }'), r('{ safe_regex: { regex: "/a.*" } }'))), [6]);
  assert.deepEqual(shadowed(routes(r('{ prefix: "" }'), r('{ safe_regex: { regex: "/b" } }'))), [6]);
});

test('shadowing reports once per route, naming the earliest shadowing route', () => {
  const r = (m: string, name: string) => `{ name: ${name}, match: ${m}, route: { cluster: c } }`;
  const ds = lintText(routes(r('{ prefix: "/" }', 'all'), r('{ prefix: "/a" }', 'a'), r('{ prefix: "/a/b" }', 'ab')), 'r.yaml').filter((d) => d.rule === 'route/shadowed');
  assert.equal(ds.length, 2);
  assert.match(ds[1]!.message, /route "ab" can never match: route "all" \(line 5\) matches every path/);
  assert.equal(ds[1]!.path, '$.virtual_hosts[0].routes[2].match');
});

test('camelCase configs are linted like snake_case ones, positions included', () => {
  const text = readFileSync(join(root, 'fixtures/lint/route__per-try-timeout/bad.yaml'), 'utf8').replace(/per_try_timeout/g, 'perTryTimeout').replace(/retry_policy/g, 'retryPolicy');
  const ds = lintText(text, 'x.yaml').filter((d) => d.rule === 'route/per-try-timeout');
  assert.deepEqual(ds.map((d) => [d.line, d.col]), [[23, 64]]);
  const domains = lintText('virtualHosts:\n- name: a\n  domains: ["x.com:80", "*"]\n', 'd.yaml').filter((d) => d.rule === 'vhost/domain-with-port');
  assert.deepEqual(domains.map((d) => [d.line, d.col, d.endCol, d.path]), [[3, 13, 23, '$.virtual_hosts[0].domains[0]']]);
});

test('config dump findings carry the dump path of their resource', () => {
  const text = readFileSync(join(root, 'fixtures/lint/listener__unknown-route-config/bad.yaml'), 'utf8');
  const d = lintText(text, 'dump.yaml').find((x) => x.rule === 'listener/unknown-route-config');
  assert.equal(d?.path, '$.configs[0].dynamic_listeners[1].active_state.listener.filter_chains[0].filters[0].typed_config.rds.route_config_name');
  // The same dump as JSON (the fast scanner's tree): same path.
  const json = JSON.stringify((await_yaml(text)));
  const j = lintText(json, 'dump.json').find((x) => x.rule === 'listener/unknown-route-config');
  assert.equal(j?.path, d?.path);
  assert.equal(j?.line, 1);
});

import { parse } from 'yaml';
function await_yaml(text: string): unknown {
  return parse(text);
}

test('--rule-off drops loader and semantic findings alike', () => {
  const text = 'virtual_hosts:\n- name: a\n  domains: ["x.com"]\n  routes:\n  - { match: { prefix: "/" }, route: { clustr: a } }\n';
  const all = lintText(text, 'x').map((d) => d.rule).sort();
  assert.ok(all.includes('schema/unknown-field') && all.includes('route-config/no-default-vhost'), all.join());
  const off = lintText(text, 'x', { ruleOff: new Set(['schema/unknown-field', 'route-config/no-default-vhost']) }).map((d) => d.rule);
  assert.ok(!off.includes('schema/unknown-field') && !off.includes('route-config/no-default-vhost'), off.join());
});

test('odd but parseable configs never throw and never report lint/internal', () => {
  const inputs = [
    '', '[]', '42', 'virtual_hosts: 5', 'virtual_hosts: [5, null, {}]', 'static_resources: { listeners: [{}], clusters: [{}] }',
    'static_resources:\n  listeners:\n  - address: { socket_address: { address: 0.0.0.0 } }\n    filter_chains: [{ filters: [{ name: envoy.filters.network.http_connection_manager }] }]\n',
    'configs: [{}]', 'virtual_hosts:\n- name: a\n  domains: ["*"]\n  routes: [{ match: {}, route: {} }, { match: { prefix: 5 } }]\n',
  ];
  for (const t of inputs) {
    const ds = lintText(t, 'odd.yaml');
    assert.ok(!ds.some((d) => d.rule === 'lint/internal'), `${t}: ${JSON.stringify(ds)}`);
  }
});

test('docs/lint-rules.md documents every rule with its severity', () => {
  const doc = readFileSync(join(root, 'docs', 'lint-rules.md'), 'utf8');
  for (const r of allRules) {
    const at = doc.indexOf(`#### \`${r.id}\``);
    assert.ok(at >= 0, `${r.id} missing from docs`);
    assert.ok(doc.slice(at, at + 200).includes(`Severity: **${r.severity}**`), `${r.id} severity`);
  }
});

test('cluster references are not checked when clusters come from CDS or the file is a bare route config', () => {
  const base = readFileSync(join(root, 'fixtures/lint/route__unknown-cluster/bad.yaml'), 'utf8');
  assert.equal(lintText(base, 'b.yaml').filter((d) => d.rule === 'route/unknown-cluster').length, 3);
  const cds = `dynamic_resources:\n  cds_config: { ads: {} }\n${base}`;
  assert.deepEqual(lintText(cds, 'b.yaml').filter((d) => d.rule === 'route/unknown-cluster'), []);
  const bare = 'virtual_hosts:\n- name: a\n  domains: ["*"]\n  routes: [{ match: { prefix: "/" }, route: { cluster: nowhere } }]\n';
  assert.deepEqual(lintText(bare, 'r.yaml').filter((d) => d.rule === 'route/unknown-cluster'), []);
});

test('regexes are checked wherever Envoy compiles them (CORS origins, retriable headers)', () => {
  const text = 'virtual_hosts:\n- name: a\n  domains: ["*"]\n  cors: { allow_origin_string_match: [{ safe_regex: { regex: "(" } }] }\n' +
    '  routes: [{ match: { prefix: "/" }, route: { cluster: c, retry_policy: { retry_on: 5xx, retriable_request_headers: [{ name: x, string_match: { safe_regex: { regex: "[" } } }] } } }]\n';
  const ds = lintText(text, 'r.yaml').filter((d) => d.rule === 'regex/invalid');
  assert.deepEqual(ds.map((d) => d.path), [
    '$.virtual_hosts[0].cors.allow_origin_string_match[0].safe_regex.regex',
    '$.virtual_hosts[0].routes[0].route.retry_policy.retriable_request_headers[0].string_match.safe_regex.regex',
  ]);
});

test('listeners with bind_to_port: false neither conflict on their address nor count as edge', () => {
  const bad = readFileSync(join(root, 'fixtures/lint/listener__duplicate-address/bad.yaml'), 'utf8');
  assert.equal(lintText(bad, 'l.yaml').filter((d) => d.rule === 'listener/duplicate-address').length, 1);
  const virtual = bad.replace('  - name: other\n', '  - name: other\n    bind_to_port: false\n');
  assert.notEqual(virtual, bad);
  assert.deepEqual(lintText(virtual, 'l.yaml').filter((d) => d.rule === 'listener/duplicate-address'), []);
  const edge = readFileSync(join(root, 'fixtures/lint/http__use-remote-address-off/bad.yaml'), 'utf8').replace('  - name: main\n', '  - name: main\n    bind_to_port: false\n');
  assert.deepEqual(lintText(edge, 'e.yaml').filter((d) => d.rule === 'http/use-remote-address-off'), []);
});

test('admin in a config dump is reported under its BootstrapConfigDump', () => {
  const dump = 'configs:\n- "@type": type.googleapis.com/envoy.admin.v3.BootstrapConfigDump\n  bootstrap:\n    admin:\n' +
    '      address: { socket_address: { address: 0.0.0.0, port_value: 9901 } }\n';
  const ds = lintText(dump, 'd.yaml').filter((d) => d.rule === 'admin/non-loopback');
  assert.deepEqual(ds.map((d) => [d.line, d.col, d.path]), [[5, 45, '$.configs[0].bootstrap.admin.address.socket_address.address']]);
});
