import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../src/config/load.js';
import type { Diagnostic } from '../../src/config/diagnostic.js';
import type { HttpConnectionManager } from '../../src/config/types.js';
import { fieldPositionOf, jsonPathOf, positionOf } from '../../src/config/position.js';
import { httpConnectionManagers } from '../../src/config/load.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const fixture = (name: string) => readFileSync(`${root}fixtures/config/${name}`, 'utf8');
const errors = (d: Diagnostic[]) => d.filter((x) => x.severity === 'error');

test('bootstrap: listeners, clusters, inline routes, admin, runtime', () => {
  const r = loadConfig(fixture('bootstrap.yaml'), 'bootstrap.yaml');
  assert.deepEqual(errors(r.diagnostics), []);
  const c = r.config!;
  assert.equal(c.kind, 'bootstrap');
  assert.equal(c.listeners.length, 1);
  assert.equal(c.clusters.length, 1);
  assert.equal(c.clusters[0]!.connect_timeout, 250);
  assert.equal(c.clusters[0]!.type, 'STRICT_DNS');
  assert.equal(c.clusters[0]!.circuit_breakers!.thresholds![0]!.max_retries, 2);
  assert.equal(c.clusters[0]!.load_assignment!.endpoints![0]!.lb_endpoints![0]!.load_balancing_weight, 3);
  const opts = c.clusters[0]!.typed_extension_protocol_options!['envoy.extensions.upstreams.http.v3.HttpProtocolOptions']!;
  assert.equal((opts['common_http_protocol_options'] as { idle_timeout: number }).idle_timeout, 60_000);
  assert.equal(c.routeConfigurations.length, 1);
  assert.equal(c.routeConfigurations[0]!.name, 'local_route');
  assert.equal(c.routeConfigurations[0]!.virtual_hosts![0]!.routes![0]!.route!.timeout, 2500);
  assert.equal(c.admin!.address!.socket_address!.port_value, 9901);
  // Later layers override; nested keys are flattened; FractionalPercent objects stay values.
  assert.equal(c.runtime['upstream.maintenance_mode.web'], 50);
  assert.equal(c.runtime['re2.max_program_size.error_level'], 200);
  assert.deepEqual(c.runtime['fault.http.abort'], { numerator: 5, denominator: 'HUNDRED' });
  const hcm = httpConnectionManagers(c.listeners[0]!)[0]! as HttpConnectionManager;
  assert.equal(hcm.stat_prefix, 'ingress_http');
  assert.equal(hcm.stream_idle_timeout, 10_000);
  assert.equal(hcm.http_filters!.length, 3);
  const fault = hcm.http_filters![0]!.typed_config!;
  assert.equal(fault['@type'], 'type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault');
  assert.deepEqual(fault['delay'], { fixed_delay: 100, percentage: { numerator: 50, denominator: 'HUNDRED' } });
  const log = hcm.access_log![0]!.typed_config!;
  assert.deepEqual(log['log_format'], { text_format_source: { inline_string: '%RESPONSE_CODE% %RESPONSE_FLAGS%\n' } });
  // typed_per_filter_config keys are data: never renamed.
  const tpfc = c.routeConfigurations[0]!.virtual_hosts![0]!.routes![0]!.typed_per_filter_config!;
  assert.deepEqual(Object.keys(tpfc), ['envoy.filters.http.fault']);
});

test('bare RouteConfiguration in JSON with trailing commas; int64 bigints; {seconds,nanos}', () => {
  const r = loadConfig(fixture('route_trailing_comma.json'), 'routes.json');
  assert.deepEqual(r.diagnostics, []);
  const c = r.config!;
  assert.equal(c.kind, 'route_configuration');
  const route = c.routeConfigurations[0]!.virtual_hosts![0]!.routes![0]!;
  assert.deepEqual(route.match.headers![0]!.range_match, { start: -9223372036854775808n, end: 9223372036854775807n });
  assert.equal(route.route!.timeout, 3500);
  assert.deepEqual(c.routeConfigurations[0]!.virtual_hosts![0]!.domains, ['api.example.com']);
});

test('camelCase and snake_case mix; wrappers; bytes; enums; metadata keys untouched', () => {
  const r = loadConfig(fixture('route_camel.yaml'), 'camel.yaml');
  assert.deepEqual(errors(r.diagnostics), []);
  const vh = r.config!.routeConfigurations[0]!.virtual_hosts![0]!;
  assert.equal(vh.require_tls, 'EXTERNAL_ONLY');
  const [r0, r1, r2] = vh.routes!;
  assert.deepEqual(r0!.match.safe_regex, { regex: '^/a/[0-9]+$' });
  assert.equal(r0!.match.case_sensitive, false);
  assert.deepEqual(r0!.match.query_parameters, [{ name: 'debug', present_match: true }]);
  assert.deepEqual(r0!.route!.weighted_clusters!.clusters, [{ name: 'a', weight: 30 }, { name: 'b', weight: 70 }]);
  assert.deepEqual(r0!.route!.retry_policy, {
    retry_on: '5xx,connect-failure',
    num_retries: 3,
    per_try_timeout: 500,
    retry_back_off: { base_interval: 25, max_interval: 1000 },
  });
  assert.deepEqual(r0!.route!.hash_policy, [{ header: { header_name: 'x-user' } }]);
  assert.equal(r0!.response_headers_to_add![0]!.append_action, 'OVERWRITE_IF_EXISTS_OR_ADD');
  assert.equal(new TextDecoder().decode(r1!.direct_response!.body!.inline_bytes), 'hello world');
  assert.deepEqual(r2!.redirect, { host_redirect: 'new.example.com', response_code: 'PERMANENT_REDIRECT', strip_query: true });
  assert.deepEqual(vh.metadata!.filter_metadata, { 'my.namespace': { some_key: { nested_key: 1, camelKey: 'two' } } });
});

test('config_dump (camelCase): static and dynamic sections, bootstrap, no duplicates', () => {
  const r = loadConfig(fixture('config_dump_camel.json'), 'dump.json');
  assert.deepEqual(errors(r.diagnostics), []);
  const c = r.config!;
  assert.equal(c.kind, 'config_dump');
  assert.deepEqual(c.listeners.map((l) => l.name), ['admin_listener', '0.0.0.0_8080']);
  // The listener and cluster sections win over the bootstrap's static_resources.
  assert.deepEqual(c.clusters.map((x) => x.name), ['prometheus_stats', 'outbound|8080||web.ns.svc.cluster.local']);
  assert.equal(c.clusters[1]!.circuit_breakers!.thresholds![0]!.max_connections, 4294967295);
  // The EDS cluster gets its endpoints from the dump's EndpointsConfigDump.
  const lb = c.clusters[1]!.load_assignment!.endpoints![0]!.lb_endpoints![0]!;
  assert.equal(lb.endpoint!.address.socket_address!.address, '10.0.0.7');
  assert.equal(lb.health_status, 'HEALTHY');
  assert.equal((c.clusters[1] as unknown as Record<string, unknown>)['@type'], undefined);
  // Static route configs repeat the inline HCM config: counted once.
  assert.deepEqual(c.routeConfigurations.map((x) => x.name), ['inline_stats', '8080']);
  const route = c.routeConfigurations[1]!.virtual_hosts![0]!.routes![0]!;
  assert.equal(route.route!.timeout, 0);
  assert.equal(route.route!.retry_policy!.host_selection_retry_max_attempts, 5);
  assert.equal(c.admin!.address!.socket_address!.port_value, 15000);
  assert.deepEqual(c.runtime, { 'upstream.maintenance_mode.web': 25, someFlag: true });
  // jwt_authn is Envoy's but not modelled: an info that names it.
  const w = r.diagnostics.find((d) => d.rule === 'schema/not-modelled' && d.message.includes('jwt_authn'));
  assert.ok(w, JSON.stringify(r.diagnostics));
  assert.equal(w.severity, 'info');
});

test('the type option forces the kind', () => {
  const text = 'name: x\nvirtual_hosts: []\n';
  assert.equal(loadConfig(text, 'a.yaml').config!.kind, 'route_configuration');
  const forced = loadConfig(text, 'a.yaml', { type: 'bootstrap' });
  assert.equal(forced.config!.kind, 'bootstrap');
  assert.ok(forced.diagnostics.some((d) => d.rule === 'schema/unknown-field' && d.path === '$.name'));
  assert.equal(loadConfig('static_resources: {}\n', 'b.yaml').config!.kind, 'bootstrap');
  assert.equal(loadConfig('{"configs": []}', 'c.json').config!.kind, 'config_dump');
});

test('positions are recorded for messages and fields', () => {
  const r = loadConfig(fixture('route_camel.yaml'), 'camel.yaml');
  const route = r.config!.routeConfigurations[0]!.virtual_hosts![0]!.routes![2]!;
  assert.deepEqual(positionOf(route), { file: 'camel.yaml', line: 32, col: 5, endLine: 33, endCol: 100 });
  const p = fieldPositionOf(route.redirect!, 'host_redirect')!;
  assert.deepEqual([p.line, p.col, p.endLine, p.endCol], [33, 31, 33, 46]);
  const routes = r.config!.routeConfigurations[0]!.virtual_hosts![0]!.routes!;
  assert.equal(positionOf(routes)!.line, 7);
});

test('syntax errors carry the parser position and never throw', () => {
  const r = loadConfig('virtual_hosts:\n  - name: a\n   domains: [x\n', 'bad.yaml');
  assert.equal(r.config, undefined);
  assert.ok(r.diagnostics.length > 0);
  assert.ok(r.diagnostics.every((d) => d.rule === 'schema/syntax' && d.severity === 'error' && d.line >= 2));
  const j = loadConfig('{"virtual_hosts": [ {"name": "a",, } ]}', 'bad.json');
  assert.equal(j.config, undefined);
  assert.equal(j.diagnostics[0]!.rule, 'schema/syntax');
  assert.equal(j.diagnostics[0]!.line, 1);
  assert.equal(j.diagnostics[0]!.col, 34);
});

test('empty and non-mapping documents are diagnostics', () => {
  assert.equal(loadConfig('', 'e.yaml').diagnostics[0]!.rule, 'schema/required');
  assert.equal(loadConfig('- a\n- b\n', 'l.yaml').diagnostics[0]!.rule, 'schema/type');
  assert.equal(loadConfig('42', 'n.json').diagnostics[0]!.rule, 'schema/type');
});

test('limits: size, depth and alias bombs are config/limit errors', () => {
  const big = 'a'.repeat(64 * 1024 * 1024 + 1);
  const s = loadConfig(big, 'big.yaml');
  assert.equal(s.config, undefined);
  assert.equal(s.diagnostics[0]!.rule, 'config/limit');

  const deepJson = '{"a":'.repeat(150) + '1' + '}'.repeat(150);
  const d = loadConfig(deepJson, 'deep.json');
  assert.equal(d.config, undefined);
  assert.equal(d.diagnostics[0]!.rule, 'config/limit');

  const deepYaml = 'a: ' + '['.repeat(150) + ']'.repeat(150) + '\n';
  const dy = loadConfig(deepYaml, 'deep.yaml');
  assert.equal(dy.config, undefined);
  assert.ok(dy.diagnostics.some((x) => x.rule === 'config/limit' || x.rule === 'schema/syntax'), JSON.stringify(dy.diagnostics));

  const lines = ['a0: &a0 [x, x, x, x, x, x, x, x, x, x]'];
  for (let i = 1; i < 10; i++) {
    const prev = `*a${i - 1}`;
    lines.push(`a${i}: &a${i} [${Array(10).fill(prev).join(', ')}]`);
  }
  lines.push('name: bomb');
  const bomb = loadConfig(lines.join('\n'), 'bomb.yaml');
  assert.equal(bomb.config, undefined);
  assert.equal(bomb.diagnostics[0]!.rule, 'config/limit');
  assert.match(bomb.diagnostics[0]!.message, /alias/);
});

test('YAML anchors, aliases and merge keys load', () => {
  const text = [
    'virtual_hosts:',
    '- name: a',
    '  domains: ["a"]',
    '  routes:',
    '  - match: &m { prefix: "/" }',
    '    route: &r { cluster: c1, timeout: 1s }',
    '- name: b',
    '  domains: ["b"]',
    '  routes:',
    '  - match: *m',
    '    route:',
    '      <<: *r',
    '      cluster: c2',
  ].join('\n');
  const r = loadConfig(text, 'anchors.yaml');
  assert.deepEqual(r.diagnostics, []);
  const vhs = r.config!.routeConfigurations[0]!.virtual_hosts!;
  assert.deepEqual(vhs[1]!.routes![0]!.route, { cluster: 'c2', timeout: 1000 });
});

test('rds without the route configuration is named', () => {
  const text = `
static_resources:
  listeners:
  - address: { socket_address: { address: 0.0.0.0, port_value: 80 } }
    filter_chains:
    - filters:
      - name: hcm
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
          stat_prefix: x
          rds: { route_config_name: missing, config_source: { ads: {} } }
`;
  const r = loadConfig(text, 'rds.yaml');
  const w = r.diagnostics.find((d) => d.message.includes('rds "missing"'));
  assert.ok(w, JSON.stringify(r.diagnostics));
  assert.equal(w.severity, 'warning');
});

test('jsonPathOf: dump resources know where they were written', () => {
  const r = loadConfig(fixture('config_dump_camel.json'), 'dump.json');
  const c = r.config!;
  assert.equal(jsonPathOf(c.routeConfigurations[1]), '$.configs[3].dynamic_route_configs[0].route_config');
  assert.equal(jsonPathOf(c.listeners[1]), '$.configs[1].dynamic_listeners[0].active_state.listener');
  assert.equal(jsonPathOf(c.clusters[0]!.connect_timeout as unknown as object), undefined);
});

test('HTTP filters: empty typed_config is unset; unknown optional filter only warns; raw_value is text', () => {
  const text = `static_resources:
  listeners:
  - address: { socket_address: { address: 0.0.0.0, port_value: 80 } }
    filter_chains:
    - filters:
      - name: hcm
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
          stat_prefix: x
          route_config:
            request_headers_to_add: [{ header: { key: x-raw, raw_value: aGk= } }]
          http_filters:
          - name: mine
            is_optional: true
            typed_config: { "@type": type.googleapis.com/com.example.Mine }
          - name: theirs
            typed_config: { "@type": type.googleapis.com/com.example.Theirs }
          - name: envoy.filters.http.router
            typed_config: {}
`;
  const r = loadConfig(text, 'f.yaml');
  const hcm = httpConnectionManagers(r.config!.listeners[0]!)[0]!;
  assert.equal(hcm.http_filters![2]!.typed_config, undefined);
  assert.deepEqual(
    r.diagnostics.map((d) => [d.rule, d.severity, d.line]),
    [
      ['schema/unknown-type', 'warning', 15],
      ['schema/unknown-type', 'warning', 17],
    ],
  );
  assert.equal(r.config!.routeConfigurations[0]!.request_headers_to_add![0]!.header.raw_value, 'hi');
});

test('config_dump?resource=...: section entries as configs', () => {
  const r = loadConfig(fixture('config_dump_resource.json'), 'res.json');
  assert.deepEqual(r.diagnostics, []);
  assert.equal(r.config!.kind, 'config_dump');
  assert.deepEqual(r.config!.routeConfigurations.map((x) => x.name), ['http.8080']);
  assert.deepEqual(r.config!.clusters.map((x) => [x.name, x.connect_timeout]), [['web', 1000]]);
});

test('CRLF line endings and a BOM keep positions right', () => {
  const text = '\ufeffvirtual_hosts:\r\n- name: a\r\n  domains: ["*"]\r\n  routes:\r\n  - match: { prefx: "/" }\r\n    route: { cluster: c }\r\n';
  const r = loadConfig(text, 'crlf.yaml');
  const u = r.diagnostics.find((d) => d.rule === 'schema/unknown-field')!;
  assert.deepEqual([u.line, u.col, u.endLine, u.endCol], [5, 14, 5, 19]);
  assert.equal(r.config!.routeConfigurations[0]!.virtual_hosts![0]!.name, 'a');
});

test('fieldPositionOf on a list gives the position of one scalar item', () => {
  const r = loadConfig('virtual_hosts:\n- name: a\n  domains: ["a.com", "b.com"]\n', 'd.yaml');
  const domains = r.config!.routeConfigurations[0]!.virtual_hosts![0]!.domains;
  const p = fieldPositionOf(domains, '1')!;
  assert.deepEqual([p.line, p.col, p.endLine, p.endCol], [3, 22, 3, 29]);
  assert.equal(jsonPathOf(domains), '$.virtual_hosts[0].domains');
});

test('file-based xDS (DiscoveryResponse resources) loads like a dump', () => {
  const r = loadConfig(fixture('xds_resources.yaml'), 'xds.yaml');
  assert.deepEqual(r.diagnostics, []);
  assert.equal(r.config!.kind, 'config_dump');
  assert.deepEqual(r.config!.clusters.map((c) => c.name), ['example_proxy_cluster']);
  assert.deepEqual(r.config!.routeConfigurations.map((c) => c.name), ['local_route']);
  assert.equal(jsonPathOf(r.config!.routeConfigurations[0]), '$.resources[1]');
});

test('collections: a list of resources and a multi-document stream merge into one config', () => {
  const list = loadConfig(`[
    {"@type": "type.googleapis.com/envoy.config.route.v3.RouteConfiguration", "name": "r", "virtual_hosts": []},
    {"@type": "type.googleapis.com/envoy.config.cluster.v3.Cluster", "name": "c", "type": "EDS", "eds_cluster_config": {"service_name": "svc"}},
    {"@type": "type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment", "cluster_name": "svc", "endpoints": [{"lb_endpoints": [{"endpoint": {"address": {"socket_address": {"address": "10.0.0.1", "port_value": 80}}}}]}]}
  ]`, 'list.json');
  assert.deepEqual(list.diagnostics, []);
  assert.equal(list.config!.kind, 'config_dump');
  assert.deepEqual(list.config!.routeConfigurations.map((r) => r.name), ['r']);
  assert.equal(list.config!.clusters[0]!.load_assignment!.endpoints![0]!.lb_endpoints!.length, 1);
  const docs = loadConfig('name: a\nvirtual_hosts: []\n---\nname: b\nvirtual_hosts: []\n---\n', 'docs.yaml');
  assert.deepEqual(docs.diagnostics, []);
  assert.equal(docs.config!.kind, 'route_configuration');
  assert.deepEqual(docs.config!.routeConfigurations.map((r) => r.name), ['a', 'b']);
  // Positions stay right in later documents.
  const bad = loadConfig('name: a\nvirtual_hosts: []\n---\nname: b\nvirtual_hots: []\n', 'docs.yaml');
  assert.deepEqual(bad.diagnostics.map((d) => [d.rule, d.line, d.col, d.path]), [['schema/unknown-field', 5, 1, '$[1].virtual_hots']]);
  assert.match(bad.diagnostics[0]!.message, /did you mean "virtual_hosts"/);
});

test('dumps: configKey (egctl), Envoy-written values are info, an empty ScopedRoutesConfigDump says nothing', () => {
  const text = `configKey: default-eg
configs:
- "@type": type.googleapis.com/envoy.admin.v3.ScopedRoutesConfigDump
- "@type": type.googleapis.com/envoy.admin.v3.EndpointsConfigDump
  dynamic_endpoint_configs:
  - endpoint_config:
      "@type": type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment
      cluster_name: x
      endpoints: [{ load_balancing_weight: 0, lb_endpoints: [{ load_balancing_weight: 0, endpoint: { address: { socket_address: { address: 10.0.0.1, port_value: 1 } } } }] }]
`;
  const r = loadConfig(text, 'eg.yaml');
  assert.deepEqual(r.diagnostics.map((d) => [d.rule, d.severity]), [['schema/format', 'info'], ['schema/format', 'info']]);
  assert.match(r.diagnostics[0]!.message, /written by Envoy in its config dump: accepted/);
  // The same value written by a person (a Bootstrap) is Envoy's validation error.
  const b = loadConfig('static_resources:\n  clusters:\n  - name: x\n    load_assignment: { cluster_name: x, endpoints: [{ lb_endpoints: [{ load_balancing_weight: 0, endpoint: { address: { socket_address: { address: 10.0.0.1, port_value: 1 } } } }] }] }\n', 'b.yaml');
  assert.deepEqual(b.diagnostics.map((d) => [d.rule, d.severity]), [['schema/format', 'error']]);
});

test('files of other shapes: one config/shape error that says what the file is', () => {
  const cases: [string, RegExp][] = [
    ['apiVersion: getambassador.io/v3alpha1\nkind: Mapping\nspec: {prefix: /}\n', /Emissary-ingress\/Ambassador Mapping/],
    ['- apiVersion: gateway.networking.k8s.io/v1\n  kind: HTTPRoute\n', /Gateway API HTTPRoute/],
    ['xdsIR: {}\ninfraIR: {}\n', /Envoy Gateway's intermediate representation/],
    ['{"resources": [{"@type": "type.googleapis.com/envoy.api.v2.Listener", "name": "l"}]}', /Envoy v2 API config \("envoy\.api\.v2\.Listener"\)/],
  ];
  for (const [text, re] of cases) {
    const r = loadConfig(text, 'f.yaml');
    assert.equal(r.config, undefined);
    assert.deepEqual(r.diagnostics.map((d) => [d.rule, d.severity]), [['config/shape', 'error']], text);
    assert.match(r.diagnostics[0]!.message, re);
  }
  // Istio's own alpn filter type contains "v2alpha1" but is an Envoy (contrib) v3-era type.
  const istio = loadConfig('virtual_hosts: []\ntyped_per_filter_config:\n  istio.alpn: {"@type": type.googleapis.com/istio.envoy.config.filter.http.alpn.v2alpha1.FilterConfig}\n', 'i.yaml');
  assert.deepEqual(istio.diagnostics.map((d) => [d.rule, d.severity]), [['schema/not-modelled', 'info']]);
});
