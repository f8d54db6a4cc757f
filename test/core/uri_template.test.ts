/**
 * URI templates as Envoy's uri_template_lib parses, matches and rewrites them: the syntax rules
 * (variables, `*`, `**`, suffixes, limits) with the offending character, matching on the path
 * without query, and rewrites from captures.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileUriMatchTemplate, compileUriRewriteTemplate, rewriteUriTemplate, uriTemplateCaptures, uriTemplateMatches, type UriMatchTemplate } from '../../src/core/uri_template.js';

function m(t: string): UriMatchTemplate {
  const c = compileUriMatchTemplate(t);
  assert.ok(c.ok, `${t}: ${c.ok ? '' : c.error}`);
  return c;
}

test('matching: literals, * (one non-empty segment), ** (any text), variables, suffixes, trailing slash', () => {
  const cases: [string, string, boolean][] = [
    ['/foo/bar', '/foo/bar', true],
    ['/foo/bar', '/foo/bar/', false],
    ['/foo/*', '/foo/x', true],
    ['/foo/*', '/foo/', false],
    ['/foo/*', '/foo/x/y', false],
    ['/foo/**', '/foo/', true],
    ['/foo/**', '/foo/x/y/z', true],
    ['/foo/**', '/foo', false],
    ['/**.m3u8', '/a/b/c.m3u8', true],
    ['/**.m3u8', '/a/b/c.mp4', false],
    ['/api/{version}/users', '/api/v1/users', true],
    ['/api/{version}/users', '/api//users', false],
    ['/{a=x/*}/end', '/x/y/end', true],
    ['/{a=x/*}/end', '/z/y/end', false],
    ['/dir/', '/dir/', true],
    ['/dir/', '/dir', false],
    // `=` and `*` are not path-glob characters; `.` in a literal is not a regex wildcard.
    ['/a/*', '/a/b=c', false],
    ['/v1.0/x', '/v1x0/x', false],
  ];
  for (const [t, p, want] of cases) assert.equal(uriTemplateMatches(m(t), p), want, `${t} vs ${p}`);
});

test('captures and rewrite, as the Envoy docs example', () => {
  const t = m('/videos/*/{id}/{format}/{rendition}/{segment=**}.ts');
  assert.deepEqual(uriTemplateCaptures(t, '/videos/lib/123/hls/720p/seg/001.ts'), { id: '123', format: 'hls', rendition: '720p', segment: 'seg/001' });
  const r = compileUriRewriteTemplate('/{id}/{format}/{rendition}/{segment}.ts', t);
  assert.ok(r.ok);
  assert.equal(rewriteUriTemplate(r, t, '/videos/lib/123/hls/720p/seg/001.ts'), '/123/hls/720p/seg/001.ts');
  assert.equal(rewriteUriTemplate(r, t, '/other'), undefined);
});

test('invalid match templates: Envoy refuses them, and the offending character is named', () => {
  const cases: [string, RegExp, number][] = [
    ['foo', /starts with "\/"/, 0],
    ['/foo bar', /printable ASCII/, 4],
    ['/foo/{bar', /unmatched variable bracket/, 5],
    ['/foo/{1x}', /invalid variable name "1x"/, 6],
    ['/foo/{x=}', /empty match in variable "x"/, 8],
    ['/foo/b@r!/{x=a/}', /invalid match in variable "x"/, 14],
    ['/foo/ba^r', /invalid character "\^" in literal "ba\^r"/, 7],
    ['/{a}/{b}/{c}/{d}/{e}/{f}', /more than 5 variables/, 22],
    ['/{abcdefghijklmnopq}', /longer than 16 characters/, 2],
    ['/{x}/{x}', /variable "x" is repeated/, 6],
    ['/**/*', /"\*" after "\*\*"/, 4],
    ['/**/{x}', /variable "x" \(an implicit "\*"\) after "\*\*"/, 4],
    ['/{x=**}/{y=*}', /after "\*\*"/, 8],
    ['/*.js/more', /prefix match is not supported/, 5],
  ];
  for (const [t, re, offset] of cases) {
    const c = compileUriMatchTemplate(t);
    assert.equal(c.ok, false, t);
    if (c.ok) continue;
    assert.match(c.error, re, t);
    assert.equal(c.offset, offset, `${t}: ${c.error}`);
  }
});

test('invalid rewrite templates and variables the match template does not capture', () => {
  const t = m('/users/{user}');
  const bad: [string, RegExp][] = [
    ['users/{user}', /starts with "\/"/],
    ['/a//{user}', /may not contain "\/\/"/],
    ['/a/{user', /unmatched variable bracket/],
    ['/a/{u-1}', /invalid variable name/],
    ['/a?b/{user}', /invalid character "\?"/],
    ['/a/{usr}', /variable "usr" is not captured by path_match_policy "\/users\/\{user\}" \(it captures "user"\)/],
  ];
  for (const [r, re] of bad) {
    const c = compileUriRewriteTemplate(r, t);
    assert.equal(c.ok, false, r);
    if (!c.ok) assert.match(c.error, re, r);
  }
});
