import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { HttpFilter } from '../../../src/config/types.js';
import { httpFiltersFor } from '../../../src/analysis/explain/http_filters.js';

const classify = (f: HttpFilter) => ({ supported: f.name === 'envoy.filters.http.router' });

test('per-route disabled, FilterConfig re-enabling, unsupported filters', () => {
  const filters: HttpFilter[] = [
    { name: 'authz', typed_config: { '@type': 'type.googleapis.com/envoy.extensions.filters.http.ext_authz.v3.ExtAuthz' } },
    { name: 'lua', disabled: true, typed_config: { '@type': 'type.googleapis.com/envoy.extensions.filters.http.lua.v3.Lua' } },
    { name: 'cors', is_optional: true },
    { name: 'envoy.filters.http.router' },
  ];
  const out = httpFiltersFor(
    filters,
    {
      authz: { '@type': 'type.googleapis.com/envoy.extensions.filters.http.ext_authz.v3.ExtAuthzPerRoute', disabled: true },
      lua: { '@type': 'type.googleapis.com/envoy.config.route.v3.FilterConfig', disabled: false },
    },
    classify,
  );
  assert.deepEqual(
    out.map((f) => [f.name, f.status]),
    [
      ['authz', 'disabled'],
      ['lua', 'unsupported'],
      ['cors', 'unsupported'],
      ['envoy.filters.http.router', 'runs'],
    ],
  );
  assert.equal(out[0]!.note, 'disabled on this route (typed_per_filter_config)');
  assert.match(out[1]!.note!, /enabled on this route/);
  assert.equal(out[2]!.optional, true);
  assert.equal(out[0]!.per_route_config?.['disabled'], true);
});
