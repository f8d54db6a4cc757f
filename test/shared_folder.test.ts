// The ../shared guard: a missing folder skips with a reason outside CI (in CI it registers a
// failing test instead, which test/config/conformance.test.ts & co. show when run without it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inCI, needsSharedFolder } from './shared_folder.js';

test('inCI: CI=true (or any value but empty, 0, false) marks a CI run', () => {
  assert.equal(inCI({ CI: 'true' }), true);
  assert.equal(inCI({ CI: '1' }), true);
  assert.equal(inCI({ CI: 'false' }), false);
  assert.equal(inCI({ CI: 'FALSE' }), false);
  assert.equal(inCI({ CI: '0' }), false);
  assert.equal(inCI({ CI: '' }), false);
  assert.equal(inCI({}), false);
});

test('needsSharedFolder: false for a present folder, the printed skip reason for a missing one outside CI', () => {
  assert.equal(needsSharedFolder(tmpdir(), {}), false);
  const missing = join(tmpdir(), 'tsproxy-no-such-shared-folder');
  assert.equal(needsSharedFolder(missing, {}), `${missing} is missing (the ../shared conformance data); skipped outside CI`);
});
