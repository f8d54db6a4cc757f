/** Text excerpts and GitHub workflow-command escaping. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatText, sourceExcerpt, formatSummary } from '../../../src/cli/format/text.js';
import { escapeData, escapeProperty, formatGithub } from '../../../src/cli/format/github.js';
import { formatJson } from '../../../src/cli/format/json.js';
import { makeStyle } from '../../../src/cli/output/style.js';
import type { Diagnostic } from '../../../src/config/diagnostic.js';

const plain = makeStyle(false);
const d = (over: Partial<Diagnostic> = {}): Diagnostic => ({
  file: 'a.yaml', line: 2, col: 12, endLine: 2, endCol: 18, severity: 'warning', rule: 'r/x', message: 'm', path: '$.a', ...over,
});

test('excerpt: the line and a caret under the span; a multi-line span gets one caret', () => {
  const src = 'a: 1\nb: { cluster: backnd }\n';
  assert.equal(sourceExcerpt(src, d(), plain), '2 | b: { cluster: backnd }\n  |            ^^^^^^');
  assert.equal(sourceExcerpt(src, d({ endLine: 3, endCol: 1 }), plain), '2 | b: { cluster: backnd }\n  |            ^');
  assert.equal(sourceExcerpt(src, d({ line: 9 }), plain), '', 'no such line');
});

test('excerpt: long lines are cut around the column', () => {
  const long = 'x'.repeat(300) + 'TARGET' + 'y'.repeat(300);
  const ex = sourceExcerpt(long, { line: 1, col: 301, endLine: 1, endCol: 307 }, plain).split('\n');
  assert.ok(ex[0]!.length < 140, ex[0]);
  const caretAt = ex[1]!.indexOf('^');
  assert.equal(ex[0]!.slice(caretAt, caretAt + 6), 'TARGET');
});

test('text output and summary; colour only when asked', () => {
  const out = formatText([d()], 'a: 1\nb: { cluster: backnd }\n', plain);
  assert.equal(out, 'a.yaml:2:12: warning m [r/x]\n2 | b: { cluster: backnd }\n  |            ^^^^^^\n');
  assert.equal(formatSummary({ error: 1, warning: 2, info: 0 }, 1, plain), '1 error, 2 warnings, 0 infos in 1 file');
  const coloured = formatText([d({ severity: 'error' })], undefined, makeStyle(true));
  assert.match(coloured, /\u001b\[31merror\u001b\[39m/);
});

test('github: severities map to error/warning/notice; data and properties are escaped', () => {
  assert.equal(escapeData('50% a\nb\r'), '50%25 a%0Ab%0D');
  assert.equal(escapeProperty('a:b,c'), 'a%3Ab%2Cc');
  const out = formatGithub([d({ severity: 'info', message: 'line1\nline2', file: 'dir/a,b.yaml' })]);
  assert.equal(out, '::notice file=dir/a%2Cb.yaml,line=2,col=12,endLine=2,endColumn=18,title=tsproxy r/x::line1%0Aline2\n');
  assert.match(formatGithub([d({ severity: 'error', endLine: undefined, endCol: undefined })]), /^::error file=a\.yaml,line=2,col=12,endLine=2,endColumn=12,/);
});

test('json: end position defaults to the start', () => {
  const [j] = JSON.parse(formatJson([d({ endLine: undefined, endCol: undefined })])) as Record<string, unknown>[];
  assert.deepEqual(j, { file: 'a.yaml', line: 2, col: 12, endLine: 2, endCol: 12, severity: 'warning', rule: 'r/x', message: 'm', path: '$.a', concerns: 'config' });
});
