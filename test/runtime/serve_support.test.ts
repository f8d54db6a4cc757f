// serveUnsupported: every configured feature serve does not implement is a positioned
// `serve/unsupported` diagnostic (warning; error for TLS and network filters serve cannot run),
// and startServer returns them (warnings: the server starts; errors: it does not).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Diagnostic } from '../../src/config/diagnostic.js';
import type { LoadedConfig } from '../../src/config/types.js';
import { loadConfig } from '../../src/config/load.js';
import { serveUnsupported, uncoveredClusterManagerWarnings } from '../../src/runtime/serve_support.js';
import { startServer } from '../../src/runtime/server.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

function loadFixture(name: string): LoadedConfig {
  const file = `fixtures/serve/${name}`;
  const loaded = loadConfig(readFileSync(join(ROOT, file), 'utf8'), file);
  assert.ok(loaded.config);
  assert.deepEqual(loaded.diagnostics.filter((d) => d.severity === 'error'), []);
  return loaded.config;
}

function loadText(yaml: string): LoadedConfig {
  const loaded = loadConfig(yaml, 't.yaml');
  assert.ok(loaded.config, JSON.stringify(loaded.diagnostics));
  assert.deepEqual(loaded.diagnostics.filter((d) => d.severity === 'error'), []);
  return loaded.config;
}

/** `line:col severity path` for compact assertions. */
const brief = (ds: readonly Diagnostic[]): string[] => ds.map((d) => `${d.line}:${d.col} ${d.severity} ${d.path}`);

const HCM = '$.static_resources.listeners[0].filter_chains[0].filters[0].typed_config';
const ROUTE = `${HCM}.route_config.virtual_hosts[0].routes`;

test('fixtures/serve/unsupported.yaml: the exact warnings, positions and paths', () => {
  const ds = serveUnsupported(loadFixture('unsupported.yaml'));
  assert.ok(ds.every((d) => d.rule === 'serve/unsupported' && d.severity === 'warning' && d.file === 'fixtures/serve/unsupported.yaml'));
  assert.deepEqual(
    ds.map((d) => [`${d.line}:${d.col}`, d.path, d.message]),
    [
      ['11:5', '$.static_resources.listeners[0].access_log', 'listener "ingress": listener access_log is not written by serve (only the HTTP connection manager\'s access_log is)'],
      ['21:11', `${HCM}.upgrade_configs`, 'HTTP connection manager "ingress": upgrade_configs[].filters are not run by serve; an upgrade goes through the connection manager\'s own http_filters'],
      ['31:19', `${ROUTE}[0].route.upgrade_configs`, 'virtual host "all", routes[0]: upgrade_configs[].connect_config (CONNECT termination options) is not implemented by serve; CONNECT is tunnelled to the cluster\'s host as is'],
      ['36:19', `${ROUTE}[1].route.request_mirror_policies`, 'virtual host "all", routes[1]: request_mirror_policies (request shadowing) are not implemented by serve; requests are not mirrored'],
      ['38:45', `${ROUTE}[1].route.internal_redirect_policy`, 'virtual host "all", routes[1]: internal_redirect_policy is not implemented by serve; upstream redirects are passed to the client'],
      ['40:31', `${ROUTE}[1].route.retry_policy.retry_on`, 'virtual host "all", routes[1]: retry_policy.retry_on "envoy-ratelimited" is not implemented by serve; those failures are not retried'],
      ['42:21', `${ROUTE}[1].route.retry_policy.retriable_headers`, 'virtual host "all", routes[1]: retry_policy.retriable_headers is not implemented by serve; responses are not retried on their headers'],
      ['49:16', '$.static_resources.clusters[0].lb_policy', 'cluster "web": lb_policy CLUSTER_PROVIDED is not implemented by serve; using ROUND_ROBIN'],
      ['51:5', '$.static_resources.clusters[0].health_checks', 'cluster "web": health_checks (active health checking) are not implemented by serve; every host counts as healthy unless its health_status says otherwise'],
      ['56:24', '$.static_resources.clusters[0].outlier_detection', 'cluster "web": outlier_detection is not implemented by serve; no host is ever ejected'],
      ['60:23', '$.static_resources.clusters[0].circuit_breakers.thresholds[0].retry_budget', 'cluster "web": circuit_breakers retry_budget is not implemented by serve; max_retries limits concurrent retries instead'],
      ['62:7', '$.static_resources.clusters[0].circuit_breakers.per_host_thresholds', 'cluster "web": circuit_breakers.per_host_thresholds is not implemented by serve; only the cluster-wide thresholds apply'],
      ['69:11', '$.static_resources.clusters[1].type', 'cluster "shadow": discovery type EDS is not implemented by serve; the cluster has no hosts (503 UH)'],
    ],
  );
});

test('fixtures/serve/tls.yaml: a TLS listener without a certificate is an error at its TLS context', () => {
  const ds = serveUnsupported(loadFixture('tls.yaml'));
  assert.deepEqual(brief(ds), ['11:11 error $.static_resources.listeners[0].filter_chains[0].transport_socket.typed_config.common_tls_context']);
  assert.equal(ds[0]!.rule, 'serve/tls');
  assert.match(ds[0]!.message, /^listener "https": TLS a server \(downstream\) TLS context needs at least one certificate/);
});

test('the demo config uses only what serve implements', () => {
  const loaded = loadConfig(readFileSync(join(ROOT, 'fixtures/demo/envoy.yaml'), 'utf8'), 'envoy.yaml');
  assert.ok(loaded.config);
  assert.deepEqual(serveUnsupported(loaded.config), []);
});

/** A bootstrap with one HCM (extra HCM fields, routes, filters) and clusters, for table tests. */
function bootstrap(o: { chain?: string; hcm?: string; routes?: string; vhost?: string; router?: string; clusters?: string; listener?: string }): string {
  const ind = (s: string | undefined, n: number): string => (s ?? '').split('\n').filter(Boolean).map((l) => ' '.repeat(n) + l).join('\n');
  return `static_resources:
  listeners:
  - name: l
    address: {socket_address: {address: 127.0.0.1, port_value: 0}}
${ind(o.listener, 4)}
    filter_chains:
    - filters:
      - name: envoy.filters.network.http_connection_manager
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
          stat_prefix: h
${ind(o.hcm, 10)}
          route_config:
            virtual_hosts:
            - name: v
              domains: ["*"]
${ind(o.vhost, 14)}
              routes:
${ind(o.routes ?? '- match: {prefix: "/"}\n  route: {cluster: c}', 14)}
          http_filters:
          - name: envoy.filters.http.router
            typed_config:
              "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router
${ind(o.router, 14)}
${ind(o.chain, 6)}
  clusters:
  - name: c
    load_assignment:
      cluster_name: c
      endpoints: [{lb_endpoints: [{endpoint: {address: {socket_address: {address: 127.0.0.1, port_value: 1}}}}]}]
${ind(o.clusters, 2)}
`;
}

const paths = (yaml: string): string[] => serveUnsupported(loadText(yaml)).map((d) => `${d.severity} ${d.path}`);

test('a config without unimplemented features gets nothing', () => {
  assert.deepEqual(paths(bootstrap({})), []);
});

test('HCM fields serve does not act on', () => {
  const hcm = [
    'add_user_agent: true',
    'proxy_100_continue: true',
    // Implemented by serve (core/hcm_request.ts): no warning.
    'normalize_path: true',
    'merge_slashes: true',
    'path_with_escaped_slashes_action: UNESCAPE_AND_FORWARD',
    'via: edge',
    'append_x_forwarded_port: true',
    'internal_address_config: {cidr_ranges: [{address_prefix: 10.0.0.0, prefix_len: 8}]}',
    'scheme_header_transformation: {scheme_to_overwrite: https}',
    'stream_error_on_invalid_http_message: true',
    'drain_timeout: 1s',
    'delayed_close_timeout: 0s',
    'forward_client_cert_details: SANITIZE_SET',
    'common_http_protocol_options: {max_connection_duration: 60s, max_stream_duration: 5s, headers_with_underscores_action: REJECT_REQUEST, idle_timeout: 10s}',
    'http_protocol_options: {enable_trailers: true, accept_http_10: true}',
  ].join('\n');
  const router = 'upstream_log: [{name: l, typed_config: {"@type": type.googleapis.com/envoy.extensions.access_loggers.stream.v3.StdoutAccessLog}}]\nstrict_check_headers: [x-envoy-max-retries]\nrespect_expected_rq_timeout: true\ndynamic_stats: false\nsuppress_envoy_headers: true';
  assert.deepEqual(paths(bootstrap({ hcm, router })), [
    ...[
      'add_user_agent', 'proxy_100_continue',
      'stream_error_on_invalid_http_message', 'delayed_close_timeout',
      'common_http_protocol_options.max_connection_duration',
      'http_protocol_options.enable_trailers',
    ].map((f) => `warning ${HCM}.${f}`),
    ...['upstream_log', 'strict_check_headers', 'respect_expected_rq_timeout', 'dynamic_stats'].map((f) => `warning ${HCM}.http_filters[0].typed_config.${f}`),
  ]);
});

test('route, virtual host and route configuration features', () => {
  const routes = `- name: r
  match: {prefix: "/", dynamic_metadata: [{filter: f, path: [{key: k}], value: {string_match: {exact: x}}}]}
  decorator: {operation: op}
  stat_prefix: rs
  per_request_buffer_limit_bytes: 10
  route:
    cluster: c
    idle_timeout: 5s
    max_grpc_timeout: 1s
    priority: HIGH
    internal_redirect_action: HANDLE_INTERNAL_REDIRECT
    hash_policy: [{cookie: {name: sticky, ttl: 60s}}, {header: {header_name: x-user}}]
    retry_policy:
      retry_on: "5xx,reset,unavailable,retriable-headers"
      per_try_idle_timeout: 1s
      retriable_request_headers: [{name: x-idempotent}]
      host_selection_retry_max_attempts: 3`;
  const vhost = 'virtual_clusters: [{name: vc, headers: [{name: ":path", string_match: {prefix: /a}}]}]\ninclude_is_timeout_retry_header: true\nrequest_mirror_policies: [{cluster: c}]\nretry_policy: {retry_on: cancelled}';
  const ds = serveUnsupported(loadText(bootstrap({ routes, vhost })));
  const VH = `${HCM}.route_config.virtual_hosts[0]`;
  assert.deepEqual(ds.map((d) => `${d.severity} ${d.path}`), [
    `warning ${VH}.virtual_clusters`,
    `warning ${VH}.include_is_timeout_retry_header`,
    `warning ${VH}.request_mirror_policies`,
    `warning ${VH}.retry_policy.retry_on`,
    `warning ${VH}.routes[0].match.dynamic_metadata`,
    `warning ${VH}.routes[0].stat_prefix`,
    `warning ${VH}.routes[0].per_request_buffer_limit_bytes`,
    `warning ${VH}.routes[0].route.idle_timeout`,
    `warning ${VH}.routes[0].route.priority`,
    `warning ${VH}.routes[0].route.internal_redirect_action`,
    `warning ${VH}.routes[0].route.hash_policy[0].cookie.ttl`,
    `warning ${VH}.routes[0].route.retry_policy.retry_on`,
    `warning ${VH}.routes[0].route.retry_policy.per_try_idle_timeout`,
    `warning ${VH}.routes[0].route.retry_policy.retriable_request_headers`,
    `warning ${VH}.routes[0].route.retry_policy.host_selection_retry_max_attempts`,
  ]);
  const retryOn = ds.find((d) => d.path.endsWith('route.retry_policy.retry_on'))!;
  assert.equal(retryOn.message, 'virtual host "v", route "r": retry_policy.retry_on "unavailable", "retriable-headers" is not implemented by serve; those failures are not retried');
});

test('cluster features: discovery, lb, DNS, circuit breakers, protocol options', () => {
  const clusters = `- name: d
  type: ORIGINAL_DST
  lb_policy: CLUSTER_PROVIDED
- name: rh
  lb_policy: RING_HASH
  ring_hash_lb_config: {hash_function: MURMUR_HASH_2}
  respect_dns_ttl: true
  per_connection_buffer_limit_bytes: 1024
  common_lb_config: {locality_weighted_lb_config: {}, healthy_panic_threshold: {value: 10}}
  circuit_breakers:
    thresholds: [{priority: HIGH, max_connections: 1}, {max_connection_pools: 4}]
  typed_extension_protocol_options:
    envoy.extensions.upstreams.http.v3.HttpProtocolOptions:
      "@type": type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions
      common_http_protocol_options: {idle_timeout: 30s, max_connection_duration: 60s}
      explicit_http_config: {http_protocol_options: {allow_chunked_length: true}}`;
  const C = '$.static_resources.clusters';
  const EXT = `${C}[2].typed_extension_protocol_options["envoy.extensions.upstreams.http.v3.HttpProtocolOptions"]`;
  // ORIGINAL_DST with CLUSTER_PROVIDED is served (original_dst_cluster.ts): nothing to say.
  assert.deepEqual(paths(bootstrap({ clusters })), [
    `warning ${C}[2].ring_hash_lb_config.hash_function`,
    `warning ${C}[2].respect_dns_ttl`,
    `warning ${C}[2].per_connection_buffer_limit_bytes`,
    `warning ${C}[2].common_lb_config.locality_weighted_lb_config`,
    `warning ${C}[2].circuit_breakers.thresholds[0].priority`,
    `warning ${C}[2].circuit_breakers.thresholds[1].max_connection_pools`,
    `warning ${EXT}.common_http_protocol_options.max_connection_duration`,
    `warning ${EXT}.explicit_http_config.http_protocol_options.allow_chunked_length`,
  ]);
});

test('upstream TLS settings Node cannot honour and network filters besides the HCM are errors; plain TLS and raw_buffer are fine', () => {
  const tlsCluster = `- name: secure
  transport_socket:
    name: envoy.transport_sockets.tls
    typed_config: {"@type": type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext, sni: a.test, allow_renegotiation: true}
- name: named_tls
  transport_socket: {name: envoy.transport_sockets.tls}
- name: plain
  transport_socket:
    name: envoy.transport_sockets.raw_buffer
    typed_config: {"@type": type.googleapis.com/envoy.extensions.transport_sockets.raw_buffer.v3.RawBuffer}`;
  const ds = serveUnsupported(loadText(bootstrap({ clusters: tlsCluster })));
  assert.deepEqual(ds.map((d) => `${d.severity} ${d.rule} ${d.path}`), [
    'error serve/tls $.static_resources.clusters[1].transport_socket.typed_config.allow_renegotiation',
  ]);
  assert.match(ds[0]!.message, /^cluster "secure": TLS allow_renegotiation: Node's TLS client does not renegotiate; refusing rather than serve TLS without it$/);

  const yaml = bootstrap({}).replace(
    '    - filters:\n',
    '    - filters:\n      - name: envoy.filters.network.rbac\n        typed_config: {"@type": type.googleapis.com/envoy.extensions.filters.network.rbac.v3.RBAC}\n',
  );
  const net = serveUnsupported(loadText(yaml));
  assert.deepEqual(net.map((d) => `${d.severity} ${d.path}`), ['error $.static_resources.listeners[0].filter_chains[0].filters[0]']);
  assert.match(net[0]!.message, /network filter "envoy\.filters\.network\.rbac" \(envoy\.extensions\.filters\.network\.rbac\.v3\.RBAC\) cannot run/);
});

test('listener features: SNI/ALPN chain matches, listener filters, socket options', () => {
  // bind_to_port: false and the original_dst listener filter are served (original destination hand-off).
  const listener = 'listener_filters: [{name: my.custom.inspector}, {name: envoy.filters.listener.original_dst}]\nper_connection_buffer_limit_bytes: 32768\nbind_to_port: false\nfreebind: true';
  const chain = 'filter_chain_match: {server_names: [a.example.com], application_protocols: [h2], transport_protocol: tls}';
  const L = '$.static_resources.listeners[0]';
  assert.deepEqual(paths(bootstrap({ listener, chain })), [
    `warning ${L}.listener_filters[0]`,
    `warning ${L}.per_connection_buffer_limit_bytes`,
    `warning ${L}.freebind`,
    `warning ${L}.filter_chains[0].filter_chain_match.server_names`,
    `warning ${L}.filter_chains[0].filter_chain_match.application_protocols`,
    `warning ${L}.filter_chains[0].filter_chain_match.transport_protocol`,
  ]);
});

test("cluster manager warnings already reported with a position are not logged twice", () => {
  const ds = serveUnsupported(loadFixture('unsupported.yaml'));
  const cm = [
    "cluster 'web': lb_policy CLUSTER_PROVIDED is not implemented; using ROUND_ROBIN",
    "cluster 'web': circuit_breakers.per_host_thresholds is not implemented",
    "cluster 'shadow': discovery type EDS is not implemented; it has no hosts",
    "cluster 'web': something new the cluster manager learned to say",
    "cluster 'other': lb_policy MAGLEV is not implemented",
  ];
  assert.deepEqual(uncoveredClusterManagerWarnings(cm, ds), cm.slice(3));
});

test('startServer: warnings come back beside a running server; errors start nothing', async () => {
  const started = await startServer(loadFixture('unsupported.yaml'));
  try {
    assert.ok(started.server, JSON.stringify(started.diagnostics));
    assert.equal(started.diagnostics.filter((d) => d.rule === 'serve/unsupported').length, 13);
    assert.ok(started.diagnostics.every((d) => d.severity !== 'error'));
  } finally {
    await started.server?.stop(0);
  }
  let built = false;
  const refused = await startServer(loadFixture('tls.yaml'), {
    createClusterManager: () => {
      built = true;
      throw new Error('must not be built');
    },
  });
  assert.equal(refused.server, undefined);
  assert.equal(built, false);
  assert.deepEqual(refused.diagnostics.map((d) => `${d.severity} ${d.rule}`), ['error serve/tls']);
});

test('ORIGINAL_DST clusters Envoy would refuse are errors (serve/original-dst); metadata_key is a warning', () => {
  const clusters = `- name: no_lb
  type: ORIGINAL_DST
- name: rr
  type: ORIGINAL_DST
  lb_policy: ROUND_ROBIN
  load_assignment: {cluster_name: rr}
- name: hdr
  type: ORIGINAL_DST
  lb_policy: CLUSTER_PROVIDED
  original_dst_lb_config: {http_header_name: x-dst, metadata_key: {key: k, path: [{key: p}]}}
- name: fine
  type: ORIGINAL_DST
  lb_policy: CLUSTER_PROVIDED
  cleanup_interval: 1s
  original_dst_lb_config: {use_http_header: true, http_header_name: x-dst, upstream_port_override: 8080}`;
  const C = '$.static_resources.clusters';
  const ds = serveUnsupported(loadText(bootstrap({ clusters })));
  assert.deepEqual(ds.map((d) => `${d.severity} ${d.rule} ${d.path}`), [
    `error serve/original-dst ${C}[1].type`,
    `error serve/original-dst ${C}[2].lb_policy`,
    `error serve/original-dst ${C}[2].load_assignment`,
    `error serve/original-dst ${C}[3].original_dst_lb_config.http_header_name`,
    `warning serve/unsupported ${C}[3].original_dst_lb_config.metadata_key`,
  ]);
  assert.equal(ds[0]!.message, "cluster \"no_lb\": LB policy ROUND_ROBIN is not valid for Cluster type ORIGINAL_DST. Only 'CLUSTER_PROVIDED' is allowed with cluster type 'ORIGINAL_DST'");
  assert.equal(ds[2]!.message, 'cluster "rr": ORIGINAL_DST clusters must have no load assignment configured');
  assert.match(ds[3]!.message, /invalid config http_header_name=x-dst and use_http_header is false/);
});

test('typed configs serve runs without are named: Envoy types not modelled, types Envoy does not define', () => {
  const routes = [
    '- match: {prefix: "/"}',
    '  route: {cluster: c}',
    '  typed_per_filter_config:',
    '    envoy.filters.http.lua:',
    '      "@type": type.googleapis.com/envoy.extensions.filters.http.lua.v3.LuaPerRoute',
    '      disabled: true',
    '    my.custom:',
    '      "@type": type.googleapis.com/com.example.CustomPerRoute',
  ].join('\n');
  const listener = 'listener_filters: [{name: tls, typed_config: {"@type": type.googleapis.com/envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector}}]';
  const ds = serveUnsupported(loadText(bootstrap({ routes, listener })));
  const by = (p: RegExp) => ds.filter((d) => p.test(d.path)).map((d) => `${d.severity} ${d.message}`);
  assert.deepEqual(by(/envoy\.filters\.http\.lua/), ['warning the HTTP filter envoy.filters.http.lua (envoy.extensions.filters.http.lua.v3.LuaPerRoute) is not implemented by serve; serve runs without it']);
  assert.deepEqual(by(/my\.custom/), ['warning "com.example.CustomPerRoute" (not a type Envoy defines) is not implemented by serve; serve runs without it']);
  // The TLS inspector runs (network/tls_inspector.ts): no warning.
  assert.deepEqual(by(/listener_filters/), []);
});
