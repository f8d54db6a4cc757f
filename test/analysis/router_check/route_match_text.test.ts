import { test } from 'node:test';
import assert from 'node:assert/strict';
import { routeMatchText, cEscape } from '../../../src/analysis/router_check/route_match_text.js';

test('prints a RouteMatch in protobuf text format, fields in field-number order', () => {
  assert.equal(routeMatchText({ prefix: '/' }), 'prefix: "/"\n');
  assert.equal(routeMatchText({ prefix: '' }), 'prefix: ""\n');
  assert.equal(
    routeMatchText({
      safe_regex: { regex: '^/a$' },
      case_sensitive: false,
      headers: [{ name: ':method', string_match: { exact: 'GET' } }, { name: 'x-p' }],
      grpc: {},
    }),
    [
      'case_sensitive {',
      '}',
      'headers {',
      '  name: ":method"',
      '  string_match {',
      '    exact: "GET"',
      '  }',
      '}',
      'headers {',
      '  name: "x-p"',
      '}',
      'grpc {',
      '}',
      'safe_regex {',
      '  regex: "^/a$"',
      '}',
      '',
    ].join('\n'),
  );
  assert.equal(
    routeMatchText({ prefix: '/r', runtime_fraction: { runtime_key: 'k', default_value: { numerator: 30, denominator: 'HUNDRED' } } }),
    'prefix: "/r"\nruntime_fraction {\n  default_value {\n    numerator: 30\n  }\n  runtime_key: "k"\n}\n',
  );
});

test('C-escapes strings like protobuf', () => {
  assert.equal(cEscape('a"b\\c\n\'é'), 'a\\"b\\\\c\\n\\\'\\303\\251');
});
