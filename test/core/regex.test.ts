import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkRegex, compileRegex, regexFullMatch, regexReplaceAll } from '../../src/core/regex.js';
import { estimateProgramSize } from '../../src/core/re2_program_size.js';

test('checkRegex: ok, syntax error, program size over the error level', () => {
  const ok = checkRegex('^/api/v[0-9]+/.*$');
  assert.equal(ok.ok, true);
  const bad = checkRegex('(+invalid');
  assert.equal(bad.ok, false);
  assert.match(!bad.ok ? bad.error : '', /invalid regex/);
  const big = '(?:[a-zA-Z]{3,6}[0-9]{2,4}[A-Z]{1,3}\\d{0,2}\\W{0,2}){10,20}|(?:[a-zA-Z0-9!@#\\$%\\^\\&\\*\\)\\(+=._-]{25,50})|(?:[A-Z])';
  const over = checkRegex(big);
  assert.equal(over.ok, false);
  assert.match(!over.ok ? over.error : '', /RE2 program size of \d+ > max program size of 100 set for the error level threshold/);
  // DefaultRuntime.golden: raising re2.max_program_size.error_level accepts it.
  assert.equal(checkRegex(big, { 're2.max_program_size.error_level': 32768 }).ok, true);
});

test('warn level produces a warning, not an error', () => {
  const r = checkRegex('abcdefghij', { 're2.max_program_size.warn_level': 3 });
  assert.equal(r.ok, true);
  assert.match(r.ok && r.warning ? r.warning : '', /warn level threshold/);
});

test('RE2 is linear: catastrophic backtracking patterns are fast', () => {
  const r = compileRegex('(a+)+$');
  assert.ok(r.ok);
  if (!r.ok) return;
  const start = performance.now();
  assert.equal(regexFullMatch(r.regex, 'a'.repeat(28) + 'b'), false);
  assert.ok(performance.now() - start < 100);
});

test('full match semantics and replace-all', () => {
  const r = compileRegex('a|ab');
  assert.ok(r.ok);
  if (!r.ok) return;
  assert.equal(regexFullMatch(r.regex, 'ab'), true);
  const g = compileRegex('o');
  assert.ok(g.ok);
  if (g.ok) assert.equal(regexReplaceAll(g.regex, 'foo boo', '0'), 'f00 b00');
});

test('program size estimate: simple regexes are small, repetition expands', () => {
  assert.ok(estimateProgramSize('/api/v[0-9]+/.*') < 50);
  assert.ok(estimateProgramSize('a{1000}') > 1000);
  assert.ok(estimateProgramSize('^abc') < estimateProgramSize('abc') + 1);
});

test('literalPrefix is conservative', async () => {
  const { literalPrefix } = await import('../../src/core/regex.js');
  assert.equal(literalPrefix('/re5/[0-9]+'), '/re5/');
  assert.equal(literalPrefix('^/api/v1$'), '/api/v1');
  assert.equal(literalPrefix('/ab*'), '/a');
  assert.equal(literalPrefix('/a\\.b/.*'), '/a.b/');
  assert.equal(literalPrefix('/a\\d'), '/a');
  assert.equal(literalPrefix('/a|/b'), '');
  assert.equal(literalPrefix('(?i)/abc'), '');
  assert.equal(literalPrefix('.*/x'), '');
  assert.equal(literalPrefix('/é/x+'), '/é/');
});

test('program size estimate matches RE2 sizes published by Envoy users', () => {
  const published: Record<string, number> = {
    '/asdf/.*': 24,
    '.*foo.*': 35,
    '.*Chrome.*': 38,
    'x-envoy-(a|b|c)': 15,
    'x-envoy-(a|b|c)-[grep]{3}': 28,
    'a.*b.*c.*d.*e.*f.*g.*': 109,
    '/static/[a-zA-Z0-9._-]{0,200}/[a-zA-Z0-9._-]{0,200}': 2013,
  };
  for (const [p, size] of Object.entries(published)) assert.equal(estimateProgramSize(p), size, p);
  // Envoy's regex_test: ten "/asdf/.*" exceed the default error level of 100.
  assert.ok(estimateProgramSize('/asdf/.*'.repeat(10)) > 100);
});
