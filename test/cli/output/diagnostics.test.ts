import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Diagnostic } from '../../../src/config/diagnostic.js';
import { formatDiagnostic, formatDiagnostics } from '../../../src/cli/output/diagnostics.js';
import { makeStyle, wantsColor } from '../../../src/cli/output/style.js';

const d = (line: number, severity: Diagnostic['severity']): Diagnostic => ({
  file: 'envoy.yaml',
  line,
  col: 7,
  severity,
  rule: 'schema/unknown-field',
  message: 'unknown field "prefx"',
  path: '$.virtual_hosts[0]',
});

test('file:line:col: severity message [rule]', () => {
  assert.equal(formatDiagnostic(d(12, 'error')), 'envoy.yaml:12:7: error unknown field "prefx" [schema/unknown-field]');
});

test('sorted by position, filtered by severity', () => {
  const text = formatDiagnostics([d(9, 'warning'), d(3, 'error'), d(1, 'info')], makeStyle(false), 'warning');
  assert.deepEqual(text.split('\n').filter(Boolean).map((l) => l.split(':')[1]), ['3', '9']);
});

test('colour only on a TTY, NO_COLOR wins, FORCE_COLOR forces', () => {
  assert.equal(wantsColor({ isTTY: true }, {}), true);
  assert.equal(wantsColor({ isTTY: false }, {}), false);
  assert.equal(wantsColor({ isTTY: true }, { NO_COLOR: '1' }), false);
  assert.equal(wantsColor({ isTTY: false }, { FORCE_COLOR: '1' }), true);
  assert.equal(makeStyle(true).bad('x'), '\u001b[31mx\u001b[39m');
  assert.equal(makeStyle(false).bad('x'), 'x');
});
