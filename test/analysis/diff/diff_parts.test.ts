// Pieces of `diff`: strings sampled from regexes (checked with RE2), hosts from domains, the
// longest kept order behind "moved", requests derived from each kind of matcher.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sampleRegex } from '../../../src/analysis/diff/regex_sample.js';
import { longestIncreasing } from '../../../src/analysis/diff/structure.js';
import { sampleHost, sampleRequests } from '../../../src/analysis/diff/sample_requests.js';
import { compileRegex, regexFullMatch } from '../../../src/core/regex.js';
import type { LoadedConfig } from '../../../src/config/types.js';

test('regex samples are full matches', () => {
  const cases = ['/static/.+\\.(css|js)', '/api/v[0-9]+/users/\\d{3}', '(?i)/IMG/.*', '/(a|bc)+x?', '[^/]+/foo', '/x/[[:digit:]]{2,4}', '^/a$', '/users/[^/]+/posts', '.*\\.png', '/(?:v1|v2)/items/[a-z-]+', '/\\x41{2}'];
  for (const p of cases) {
    const s = sampleRegex(p);
    const c = compileRegex(p);
    assert.ok(c.ok && s !== undefined && regexFullMatch(c.regex, s), `${p} -> ${JSON.stringify(s)}`);
  }
  assert.equal(sampleRegex('/\\p{Greek}+'), undefined);
  assert.equal(sampleRegex('/(unclosed'), undefined);
});

test('hosts from domains: exact first, wildcards filled in', () => {
  assert.equal(sampleHost({ name: 'a', domains: ['*.x.com', 'www.x.com'] }), 'www.x.com');
  assert.equal(sampleHost({ name: 'a', domains: ['*.x.com'] }), 'diff-probe.x.com');
  assert.equal(sampleHost({ name: 'a', domains: ['x.*'] }), 'x.diff-probe');
  assert.equal(sampleHost({ name: 'a', domains: ['*'] }), 'diff-probe.example');
});

test('longest increasing subsequence', () => {
  assert.deepEqual([...longestIncreasing([2, 0, 1, 3, 4])].sort(), [1, 2, 3, 4]);
  assert.deepEqual([...longestIncreasing([1, 2, 0])].sort(), [0, 1]);
  assert.deepEqual([...longestIncreasing([])], []);
});

test('requests derived from matchers: headers, inverted, absent, query, grpc, CONNECT', () => {
  const config: LoadedConfig = {
    kind: 'route_configuration', file: 'x', listeners: [], clusters: [], runtime: {},
    routeConfigurations: [{
      name: 'rc',
      virtual_hosts: [{
        name: 'v', domains: ['h.example'],
        routes: [
          { name: 'h', match: { prefix: '/h', headers: [{ name: 'x-a', exact_match: 'A' }, { name: 'x-b', present_match: false }, { name: 'x-c', string_match: { exact: 'c' }, invert_match: true }, { name: ':method', exact_match: 'PUT' }] }, route: { cluster: 'c' } },
          { name: 'q', match: { path: '/q', query_parameters: [{ name: 'k', string_match: { prefix: 'v' } }] }, route: { cluster: 'c' } },
          { name: 'g', match: { prefix: '/g', grpc: {} }, route: { cluster: 'c' } },
          { name: 't', match: { connect_matcher: {} }, route: { cluster: 'c' } },
          { name: 'p', match: { path_match_policy: { name: 'x' } } as never, route: { cluster: 'c' } },
        ],
      }],
    }],
  };
  const { requests, notProbed } = sampleRequests(config, 'old');
  const view = requests.map((r) => [r.origin, r.variant, r.input.method, r.input.path, Object.fromEntries(r.input.headers)]);
  assert.deepEqual(view, [
    ['old:rc/v/h', 'matching', 'PUT', '/h', { 'x-a': 'A', 'x-c': 'tsproxy-diff-probe' }],
    ['old:rc/v/h', 'without headers', 'GET', '/h', {}],
    ['old:rc/v/q', 'matching', 'GET', '/q?k=v', {}],
    ['old:rc/v/q', 'without headers', 'GET', '/q', {}],
    ['old:rc/v/g', 'matching', 'POST', '/g', { 'content-type': 'application/grpc' }],
    ['old:rc/v/g', 'without headers', 'GET', '/g', {}],
    ['old:rc/v/t', 'matching', 'CONNECT', '', {}],
  ]);
  assert.deepEqual(notProbed.map((n) => n.route), ['old:rc/v/p']);
});
