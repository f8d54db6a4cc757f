// Diagnostics from compileRouteConfig carry the config position (via the loader's positions).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../src/config/load.js';
import { compileRouteConfig, route } from '../../src/core/route.js';
import type { RouteTrace } from '../../src/core/route_types.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const file = root + 'fixtures/core/bad_routes.yaml';

test('regex and duplicate-domain errors point at file:line:col with the JSON path', () => {
  const loaded = loadConfig(readFileSync(file, 'utf8'), file);
  assert.equal(loaded.diagnostics.filter((d) => d.severity === 'error').length, 0);
  const rc = loaded.config!.routeConfigurations[0];
  const { diagnostics, table } = compileRouteConfig(rc);
  assert.deepEqual(
    diagnostics.map((d) => [d.rule, d.line, d.col, d.path.replace(/^.*route_config/, '')]),
    [
      ['route/invalid-regex', 20, 45, '.virtual_hosts[0].routes[0].match.safe_regex.regex'],
      ['route/duplicate-domain', 23, 25, '.virtual_hosts[1].domains[0]'],
    ],
  );
  assert.match(diagnostics[0].message, /no argument for repetition operator: \+/);
  // The trace names the config line of each route tried.
  const tr: RouteTrace = { steps: [] };
  route(table, { authority: 'a.com', path: '/x', method: 'GET', scheme: 'http', headers: {} }, 0, tr);
  const step = tr.steps.find((s) => s.kind === 'route');
  assert.equal(step?.position?.line, 20);
  assert.match(step?.reason ?? '', /failed to compile/);
});
