import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../src/config/load.js';
import type { Diagnostic } from '../../src/config/diagnostic.js';
import type { RouteConfiguration } from '../../src/config/types.js';

/** Loads a bare route config and returns it with its diagnostics. */
function load(text: string): { rc?: RouteConfiguration; d: Diagnostic[] } {
  const r = loadConfig(text, 'x.yaml', { type: 'route' });
  return { rc: r.config?.routeConfigurations[0], d: r.diagnostics };
}

const oneRoute = (route: string) => `virtual_hosts:\n- name: v\n  domains: ["*"]\n  routes:\n  - ${route}\n`;

test('unknown field: error at the key, with a suggestion and the JSON path', () => {
  const { d } = load(oneRoute('match: { prefx: "/" }\n    route: { cluster: c }'));
  const u = d.find((x) => x.rule === 'schema/unknown-field')!;
  assert.ok(u, JSON.stringify(d));
  assert.equal(u.severity, 'error');
  assert.equal(u.path, '$.virtual_hosts[0].routes[0].match.prefx');
  assert.deepEqual([u.line, u.col, u.endLine, u.endCol], [5, 14, 5, 19]);
  assert.match(u.message, /unknown field "prefx" in envoy\.config\.route\.v3\.RouteMatch; did you mean "prefix"\?/);
  // And the route match now misses its required path specifier.
  assert.ok(d.some((x) => x.rule === 'schema/required' && x.path === '$.virtual_hosts[0].routes[0].match'));
});

test('camelCase unknown field suggests the snake_case name', () => {
  const { d } = load('virtualHost: []\n');
  assert.match(d[0]!.message, /did you mean "virtual_hosts"\?/);
});

test('bad enum: error with a suggestion; lower case is accepted (as Envoy does) with a note', () => {
  const { d } = load(oneRoute('match: { prefix: "/" }\n    redirect: { response_code: FOUNDD }'));
  const e = d.find((x) => x.rule === 'schema/enum')!;
  assert.equal(e.severity, 'error');
  assert.match(e.message, /did you mean "FOUND"\?/);
  assert.equal(e.path, '$.virtual_hosts[0].routes[0].redirect.response_code');
  const low = load(oneRoute('match: { prefix: "/" }\n    redirect: { response_code: found }'));
  assert.equal(low.rc!.virtual_hosts![0]!.routes![0]!.redirect!.response_code, 'FOUND');
  assert.deepEqual(low.d.map((x) => [x.rule, x.severity]), [['schema/enum', 'info']]);
});

test('durations: strings, {seconds, nanos}, bad forms', () => {
  const t = (v: string) => load(oneRoute(`match: { prefix: "/" }\n    route: { cluster: c, timeout: ${v} }`));
  assert.equal(t('"1.5s"').rc!.virtual_hosts![0]!.routes![0]!.route!.timeout, 1500);
  assert.equal(t('0s').rc!.virtual_hosts![0]!.routes![0]!.route!.timeout, 0);
  assert.equal(t('0.000001s').rc!.virtual_hosts![0]!.routes![0]!.route!.timeout, 0.001);
  assert.equal(t('{ seconds: 2, nanos: 250000000 }').rc!.virtual_hosts![0]!.routes![0]!.route!.timeout, 2250);
  assert.equal(t('{ seconds: "30" }').rc!.virtual_hosts![0]!.routes![0]!.route!.timeout, 30000);
  for (const bad of ['"15"', '"1.5 s"', '15ms', '"-1s"', '5', '{ seconds: 1, nanos: 1000000000 }']) {
    const r = t(bad);
    assert.deepEqual(r.d.map((x) => x.rule), ['schema/format'], `${bad}: ${JSON.stringify(r.d)}`);
    assert.equal(r.rc!.virtual_hosts![0]!.routes![0]!.route!.timeout, undefined);
  }
});

test('oneof: two path specifiers, two actions', () => {
  const { d } = load(oneRoute('match: { prefix: "/", path: "/x" }\n    route: { cluster: c }\n    direct_response: { status: 200 }'));
  const oneofs = d.filter((x) => x.rule === 'schema/oneof');
  assert.equal(oneofs.length, 2);
  assert.match(oneofs[0]!.message, /only one of "prefix" and "path"/);
  assert.equal(oneofs[1]!.path, '$.virtual_hosts[0].routes[0].direct_response');
});

test('required fields and required oneofs', () => {
  const { d } = load('virtual_hosts:\n- domains: ["*"]\n  routes:\n  - match: { prefix: "/" }\n');
  assert.deepEqual(
    d.map((x) => [x.rule, x.path]),
    [
      ['schema/required', '$.virtual_hosts[0].name'],
      ['schema/required', '$.virtual_hosts[0].routes[0]'],
    ],
  );
  assert.match(d[1]!.message, /needs one of: route, redirect, direct_response/);
});

test('wrong types', () => {
  const { d } = load(oneRoute('match: { prefix: ["/"], case_sensitive: maybe }\n    route: { cluster: c, priority: 1.5 }'));
  assert.deepEqual(
    d.map((x) => [x.rule, x.path]),
    [
      ['schema/type', '$.virtual_hosts[0].routes[0].match.prefix'],
      ['schema/type', '$.virtual_hosts[0].routes[0].match.case_sensitive'],
      ['schema/enum', '$.virtual_hosts[0].routes[0].route.priority'],
    ],
  );
  assert.match(d[0]!.message, /expected a string, got a list/);
  // A single value for a list is read as a list of one, as Envoy's JSON parser does (noted).
  const domains = load('virtual_hosts:\n  name: v\n  domains: "*"\n');
  assert.deepEqual(domains.d.map((x) => [x.rule, x.severity, x.path]), [
    ['schema/type', 'info', '$.virtual_hosts'],
    ['schema/type', 'info', '$.virtual_hosts[0].domains'],
  ]);
  assert.deepEqual(domains.rc!.virtual_hosts, [{ name: 'v', domains: ['*'] }]);
});

test('integers: ranges, strings, uint32 overflow', () => {
  const ok = load(oneRoute('match: { prefix: "/" }\n    direct_response: { status: "503" }'));
  assert.equal(ok.rc!.virtual_hosts![0]!.routes![0]!.direct_response!.status, 503);
  const neg = load(oneRoute('match: { prefix: "/" }\n    direct_response: { status: -1 }'));
  assert.equal(neg.d[0]!.rule, 'schema/type');
  assert.match(neg.d[0]!.message, /out of range for uint32/);
  const big = load(oneRoute('match: { prefix: "/" }\n    route: { cluster: c, weighted_clusters: null }'));
  assert.deepEqual(big.d, []); // null is "not set"
});

test('bytes: base64 decoded, invalid base64 reported', () => {
  const ok = load(oneRoute('match: { prefix: "/" }\n    direct_response: { status: 200, body: { inline_bytes: "AAEC/w==" } }'));
  assert.deepEqual([...ok.rc!.virtual_hosts![0]!.routes![0]!.direct_response!.body!.inline_bytes!], [0, 1, 2, 255]);
  const bad = load(oneRoute('match: { prefix: "/" }\n    direct_response: { status: 200, body: { inline_bytes: "not base64!" } }'));
  assert.equal(bad.d[0]!.rule, 'schema/format');
});

test('runtime_fraction and FractionalPercent', () => {
  const { rc, d } = load(oneRoute('match: { prefix: "/", runtime_fraction: { default_value: { numerator: 20, denominator: TEN_THOUSAND }, runtime_key: k } }\n    route: { cluster: c }'));
  assert.deepEqual(d, []);
  assert.deepEqual(rc!.virtual_hosts![0]!.routes![0]!.match.runtime_fraction, {
    default_value: { numerator: 20, denominator: 'TEN_THOUSAND' },
    runtime_key: 'k',
  });
});

test('typed_per_filter_config: keys kept, a type Envoy does not define is a warning with suggestion, an Envoy type not modelled an info', () => {
  const { rc, d } = load(oneRoute(`match: { prefix: "/" }
    route: { cluster: c }
    typed_per_filter_config:
      envoy.filters.http.ext_authz:
        "@type": type.googleapis.com/envoy.extensions.filters.http.ext_authz.v3.ExtAuthzPerRoute
        disabled: true
      my.fault:
        "@type": type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFalt
        abort: { http_status: 500 }`));
  const tpfc = rc!.virtual_hosts![0]!.routes![0]!.typed_per_filter_config!;
  assert.deepEqual(Object.keys(tpfc), ['envoy.filters.http.ext_authz', 'my.fault']);
  // Unknown and unsupported types are kept raw.
  assert.deepEqual(tpfc['envoy.filters.http.ext_authz'], {
    '@type': 'type.googleapis.com/envoy.extensions.filters.http.ext_authz.v3.ExtAuthzPerRoute',
    disabled: true,
  });
  const [w, e] = d;
  assert.equal(w!.rule, 'schema/not-modelled');
  assert.equal(w!.severity, 'info');
  assert.match(w!.message, /the HTTP filter envoy\.filters\.http\.ext_authz \(envoy\.extensions\.filters\.http\.ext_authz\.v3\.ExtAuthzPerRoute\) is an Envoy type tsproxy does not model/);
  assert.equal(w!.path, '$.virtual_hosts[0].routes[0].typed_per_filter_config["envoy.filters.http.ext_authz"]["@type"]');
  assert.equal(e!.rule, 'schema/unknown-type');
  assert.equal(e!.severity, 'warning');
  assert.match(e!.message, /did you mean "envoy\.extensions\.filters\.http\.fault\.v3\.HTTPFault"\?/);
});

test('known typed config decoded by @type; unknown field inside it reported', () => {
  const { rc, d } = load(oneRoute(`match: { prefix: "/" }
    route: { cluster: c }
    typed_per_filter_config:
      envoy.filters.http.fault:
        "@type": type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault
        abort: { httpStatus: 418, percentage: { numerator: 5 } }
        delayy: {}`));
  const f = rc!.virtual_hosts![0]!.routes![0]!.typed_per_filter_config!['envoy.filters.http.fault']!;
  assert.deepEqual(f, {
    '@type': 'type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault',
    abort: { http_status: 418, percentage: { numerator: 5 } },
  });
  assert.equal(d.length, 1);
  assert.equal(d[0]!.rule, 'schema/unknown-field');
  assert.match(d[0]!.message, /did you mean "delay"\?/);
});

test('deprecated fields load with a warning; unsupported fields warn and name the feature', () => {
  const { rc, d } = load(oneRoute(`match: { prefix: "/", headers: [{ name: x, exact_match: "a" }] }
    route: { cluster: c, hedge_policy: { hedge_on_per_try_timeout: true } }`));
  assert.equal(rc!.virtual_hosts![0]!.routes![0]!.match.headers![0]!.exact_match, 'a');
  assert.deepEqual(d.map((x) => [x.rule, x.severity]), [['schema/deprecated', 'warning'], ['schema/unsupported', 'warning']]);
  assert.match(d[1]!.message, /request hedging/);
});

test('Percent: value form, plain number, out of range', () => {
  const base = (v: string) => loadConfig(`static_resources:\n  clusters:\n  - name: c\n    common_lb_config: { healthy_panic_threshold: ${v} }\n`, 'b.yaml');
  assert.equal(base('{ value: 25 }').config!.clusters[0]!.common_lb_config!.healthy_panic_threshold, 25);
  assert.equal(base('30.5').config!.clusters[0]!.common_lb_config!.healthy_panic_threshold, 30.5);
  assert.equal(base('{ value: 101 }').diagnostics[0]!.rule, 'schema/format');
});

test('snake_case and camelCase of one field together is a duplicate', () => {
  const { d } = load('name: a\nvirtual_hosts: []\nvirtualHosts: []\n');
  assert.equal(d[0]!.rule, 'schema/duplicate-field');
});

test("Envoy's value rules: status range, empty names, port range", () => {
  const status = load(oneRoute('match: { prefix: "/" }\n    direct_response: { status: 99 }'));
  assert.deepEqual(status.d.map((x) => [x.rule, x.path, x.message]), [
    ['schema/format', '$.virtual_hosts[0].routes[0].direct_response.status', '"status" must be at least 100, got 99'],
  ]);
  const names = load('virtual_hosts:\n- name: ""\n  domains: ["a", ""]\n');
  assert.deepEqual(names.d.map((x) => [x.rule, x.path]), [
    ['schema/format', '$.virtual_hosts[0].name'],
    ['schema/format', '$.virtual_hosts[0].domains'],
  ]);
  const port = loadConfig('admin: { address: { socket_address: { address: 127.0.0.1, port_value: 70000 } } }\n', 'a.yaml');
  assert.equal(port.diagnostics[0]!.rule, 'schema/format');
  assert.match(port.diagnostics[0]!.message, /at most 65535/);
});

test('booleans: YAML 1.1 spellings as yaml-cpp reads them', () => {
  for (const [text, want] of [['yes', true], ['On', true], ['"true"', true], ['no', false], ['OFF', false]] as const) {
    const { rc, d } = load(oneRoute(`match: { prefix: "/", case_sensitive: ${text} }\n    route: { cluster: c }`));
    assert.deepEqual(d, [], text);
    assert.equal(rc!.virtual_hosts![0]!.routes![0]!.match.case_sensitive, want, text);
  }
  assert.equal(load(oneRoute('match: { prefix: "/", case_sensitive: maybe }\n    route: { cluster: c }')).d[0]!.rule, 'schema/type');
});

test('durations that Envoy requires to be positive', () => {
  const r = loadConfig('static_resources:\n  clusters:\n  - name: c\n    connect_timeout: 0s\n', 'c.yaml');
  assert.deepEqual(r.diagnostics.map((d) => [d.rule, d.path, d.message]), [
    ['schema/format', '$.static_resources.clusters[0].connect_timeout', '"connect_timeout" must be greater than 0'],
  ]);
});

test('string, enum and bool values: the plain ones taken as they are, the rest decoded the general way with the field path in its diagnostics', () => {
  // Strings written as other scalars keep their text; a null item of a string list becomes its text.
  const r = loadConfig(
    'static_resources:\n  clusters:\n  - name: 0x1F\n    connect_timeout: 1s\n    lb_policy: round_robin\n    respect_dns_ttl: yes\n  - name: c2\n    lb_policy: LEAST_REQUEST\n    respect_dns_ttl: false\n  - name: c3\n    lb_policy: SLOWEST\n',
    'c.yaml',
  );
  const clusters = r.config!.clusters as unknown as Array<{ name: string; lb_policy?: string; respect_dns_ttl?: boolean }>;
  assert.deepEqual(clusters.map((c) => [c.name, c.lb_policy, c.respect_dns_ttl]), [['0x1F', 'ROUND_ROBIN', true], ['c2', 'LEAST_REQUEST', false], ['c3', undefined, undefined]]);
  assert.deepEqual(
    r.diagnostics.filter((d) => d.rule === 'schema/enum').map((d) => [d.severity, d.path]),
    [['info', '$.static_resources.clusters[0].lb_policy'], ['error', '$.static_resources.clusters[2].lb_policy']],
  );
  const domains = load('name: rc\nvirtual_hosts:\n- name: v\n  domains: [a.example, 8080, ~, "b"]\n  routes: [{ match: { prefix: "/" }, route: { cluster: c } }]\n');
  assert.deepEqual(domains.rc!.virtual_hosts![0]!.domains, ['a.example', '8080', '~', 'b']);
});
