import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../src/config/load.js';
import { needsSharedFolder } from '../shared_folder.js';

// Envoy's router_check route configs (../shared, read in place: never copied into the repo).
const root = fileURLToPath(new URL('../../../', import.meta.url));
const dir = `${root}../shared/conformance/envoy-router-check/`;
const skip = needsSharedFolder(dir);
// `*.golden.proto.yaml` are test files (tsproxy test's input), not route configs.
const files = !skip ? readdirSync(dir).filter((f) => f.endsWith('.yaml') && !f.includes('.golden.')).sort() : [];

test('router_check route configs decode with zero errors', { skip }, () => {
  assert.ok(files.length >= 18, `only ${files.length} files`);
  for (const f of files) {
    const r = loadConfig(readFileSync(dir + f, 'utf8'), f);
    const errors = r.diagnostics.filter((d) => d.severity === 'error');
    assert.deepEqual(errors, [], f);
    assert.ok(r.config, f);
    assert.equal(r.config.routeConfigurations.length, 1, f);
    assert.ok(r.config.routeConfigurations[0]!.virtual_hosts!.length > 0, f);
  }
});

test('ClusterHeaderBootstrap.yaml: a Bootstrap with the same routes as ClusterHeader.yaml', { skip }, () => {
  const b = loadConfig(readFileSync(dir + 'ClusterHeaderBootstrap.yaml', 'utf8'), 'b.yaml').config!;
  const r = loadConfig(readFileSync(dir + 'ClusterHeader.yaml', 'utf8'), 'r.yaml').config!;
  assert.equal(b.kind, 'bootstrap');
  assert.equal(r.kind, 'route_configuration');
  // The bootstrap has one extra (long safe_regex) route after the two of ClusterHeader.yaml.
  const bRoutes = b.routeConfigurations[0]!.virtual_hosts![0]!.routes!;
  assert.deepEqual(bRoutes.slice(0, 2), r.routeConfigurations[0]!.virtual_hosts![0]!.routes);
  assert.equal(bRoutes.length, 3);
  assert.equal(b.runtime['re2.max_program_size.error_level'], 32768);
  assert.equal(b.runtime['envoy.reloadable_features.http_reject_path_with_fragment'], false);
  assert.equal(b.listeners[0]!.address.socket_address!.port_value, 10000);
});

test('TestRoutes.golden.proto.json (trailing comma, not a config) still parses as JSON', { skip }, () => {
  // Detected as a route configuration with an unknown "tests" field: parsing itself succeeds.
  const r = loadConfig(readFileSync(dir + 'TestRoutes.golden.proto.json', 'utf8'), 't.json');
  assert.ok(r.config);
  assert.ok(r.diagnostics.every((d) => d.rule !== 'schema/syntax'));
  assert.equal(r.diagnostics[0]!.rule, 'schema/unknown-field');
  assert.match(r.diagnostics[0]!.message, /router_check test file/);
});
