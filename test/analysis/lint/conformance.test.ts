/**
 * Envoy's own router_check route configurations (../shared/conformance/envoy-router-check) are
 * valid Envoy configs: lint must find no errors in them. Warnings and infos are allowed; a few
 * true findings are pinned so the rules are seen to run on real configs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { lintText } from '../../../src/analysis/lint/lint.js';
import { needsSharedFolder } from '../../shared_folder.js';

const root = fileURLToPath(new URL('../../../../', import.meta.url));
const dir = join(root, '..', 'shared', 'conformance', 'envoy-router-check');
const skip = needsSharedFolder(dir);
// `<X>.golden.proto.yaml` files are router_check tests, not route configurations.
const files = !skip ? readdirSync(dir).filter((f) => f.endsWith('.yaml') && !f.includes('.golden.')).sort() : [];

test('router_check route configurations: no lint errors', { skip }, () => {
  assert.ok(files.length >= 15, `only ${files.length} route configs found`);
  for (const f of files) {
    const errors = lintText(readFileSync(join(dir, f), 'utf8'), f).filter((d) => d.severity === 'error');
    assert.deepEqual(errors, [], f);
  }
});

test('router_check route configurations: known true findings', { skip }, () => {
  const lint = (f: string) => lintText(readFileSync(join(dir, f), 'utf8'), f);
  // `path: /new_endpoint2` sits after `prefix: /new_endpoint`, which always matches it first.
  const shadow = lint('DetailedCoverage.yaml').filter((d) => d.rule === 'route/shadowed');
  assert.deepEqual(shadow.map((d) => `${d.line}:${d.col}`), ['14:7']);
  assert.match(shadow[0]!.message, /route "new_endpoint2" can never match: route "new_endpoint" \(line 6\)/);
  // The long regex exceeds the default program size; the runtime that raises it is not in the
  // file, so it is a warning here (router_check passes the runtime with the tests).
  const size = lint('DefaultRuntime.yaml').filter((d) => d.rule === 'regex/program-size');
  assert.deepEqual(size.map((d) => [d.line, d.severity]), [[21, 'warning']]);
  const admin = lint('ClusterHeaderBootstrap.yaml').filter((d) => d.rule === 'admin/non-loopback');
  assert.equal(admin.length, 1);
});
