import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  describeHttpFilter, httpFilterConfigParser, httpFilterKind, unwrapPerFilterConfig, HTTP_FILTER_CONFIG_PARSERS, FAULT_TYPE,
} from '../../src/config/filters.js';
import { loadConfig, httpConnectionManagers } from '../../src/config/load.js';
import type { Any } from '../../src/config/types.js';

const tc = (t: string): Any => ({ '@type': `type.googleapis.com/${t}` });

test('httpFilterKind by @type, whatever the name', () => {
  assert.equal(httpFilterKind({ name: 'anything', typed_config: tc('envoy.extensions.filters.http.router.v3.Router') }), 'router');
  assert.equal(httpFilterKind({ name: 'x', typed_config: tc(FAULT_TYPE) }), 'fault');
  assert.equal(httpFilterKind({ name: 'x', typed_config: tc('envoy.extensions.filters.http.cors.v3.Cors') }), 'cors');
  assert.equal(httpFilterKind({ name: 'envoy.router', typed_config: tc('envoy.extensions.filters.http.ext_authz.v3.ExtAuthz') }), 'known_unsupported');
  assert.equal(httpFilterKind({ name: 'x', typed_config: tc('com.example.Mine') }), 'unknown');
});

test('httpFilterKind by legacy name without typed_config', () => {
  assert.equal(httpFilterKind({ name: 'envoy.filters.http.router' }), 'router');
  assert.equal(httpFilterKind({ name: 'envoy.router' }), 'router');
  assert.equal(httpFilterKind({ name: 'envoy.fault' }), 'fault');
  assert.equal(httpFilterKind({ name: 'envoy.filters.http.lua' }), 'known_unsupported');
  assert.equal(httpFilterKind({ name: 'envoy.ext_authz' }), 'known_unsupported');
  assert.equal(httpFilterKind({ name: 'my_filter' }), 'unknown');
});

test('describeHttpFilter names unsupported filters', () => {
  assert.equal(describeHttpFilter({ name: 'j', typed_config: tc('envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication') }), 'the HTTP filter envoy.filters.http.jwt_authn');
  assert.equal(describeHttpFilter({ name: 'envoy.filters.http.rbac' }), 'the HTTP filter envoy.filters.http.rbac');
  assert.equal(describeHttpFilter({ name: 'envoy.lua' }), 'the HTTP filter envoy.filters.http.lua');
  assert.equal(describeHttpFilter({ name: 'x', typed_config: tc('envoy.extensions.filters.http.set_filter_state.v3.Config') }), 'the HTTP filter envoy.filters.http.set_filter_state');
  assert.equal(describeHttpFilter({ name: 'x', typed_config: tc('com.google.espv2.filters.http.service_control.FilterConfig') }), 'unknown filter type com.google.espv2.filters.http.service_control.FilterConfig');
});

test('parser table: keyed by type name; fault semantic checks with positions', () => {
  assert.deepEqual([...HTTP_FILTER_CONFIG_PARSERS.values()].map((p) => p.kind), ['router', 'fault', 'cors', 'health_check']);
  const text = `static_resources:
  listeners:
  - address: { socket_address: { address: 0.0.0.0, port_value: 80 } }
    filter_chains:
    - filters:
      - name: hcm
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
          stat_prefix: x
          http_filters:
          - name: f
            typed_config:
              "@type": type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault
              abort: { http_status: 700, percentage: { numerator: 200 } }
          - name: envoy.filters.http.router
`;
  const cfg = loadConfig(text, 'f.yaml').config!;
  const filters = httpConnectionManagers(cfg.listeners[0]!)[0]!.http_filters!;
  const fault = httpFilterConfigParser(filters[0]!)!;
  assert.equal(fault.kind, 'fault');
  const parsed = fault.parseFilterConfig(filters[0]!.typed_config, '$.f');
  assert.deepEqual(parsed.diagnostics.map((d) => [d.rule, d.severity, d.line]), [
    ['schema/format', 'error', 14],
    ['schema/format', 'warning', 14],
  ]);
  assert.equal(httpFilterConfigParser(filters[1]!)!.kind, 'router');
  const wrong = fault.parsePerRouteConfig(tc('envoy.extensions.filters.http.cors.v3.CorsPolicy'), '$.r');
  assert.equal(wrong.diagnostics[0]!.rule, 'schema/type');
});

test('unwrapPerFilterConfig handles the FilterConfig wrapper', () => {
  const inner = tc(FAULT_TYPE);
  assert.deepEqual(unwrapPerFilterConfig(inner), { config: inner, disabled: false, isOptional: false });
  const w = { '@type': 'type.googleapis.com/envoy.config.route.v3.FilterConfig', config: inner, disabled: true } as Any;
  assert.deepEqual(unwrapPerFilterConfig(w), { config: inner, disabled: true, isOptional: false });
});
