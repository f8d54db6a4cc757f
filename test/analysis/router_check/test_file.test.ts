import { test } from 'node:test';
import assert from 'node:assert/strict';
import { detectTestFileFormat, parseTestFile } from '../../../src/analysis/router_check/test_file.js';

const JSON_TESTS = `{
  "tests": [
    {
      "testName": "camel",
      "input": {"authority": "a.example", "path": "/x", "method": "GET", "randomValue": 42, "ssl": true,
                "additionalRequestHeaders": [{"key": "x-a", "value": "1"}]},
      "validate": {"clusterName": "", "code_redirect": 301, "timeout": "1.5s",
                   "response_header_matches": [{"name": "content-length", "range_match": {"start": 0, "end": 9223372036854775807}}]},
    },
  ],
}`;

test('JSON with trailing commas and lowerCamelCase names', () => {
  const r = parseTestFile(JSON_TESTS, 'tests.json');
  assert.deepEqual(r.errors, []);
  const t = r.spec!.tests[0]!;
  assert.equal(t.test_name, 'camel');
  assert.equal(t.input.random_value, 42);
  assert.equal(t.input.ssl, true);
  assert.equal(t.input.internal, false);
  assert.equal(t.input.method, 'GET');
  assert.deepEqual(t.input.additional_request_headers, [{ key: 'x-a', value: '1' }]);
  assert.equal(t.validate.cluster_name, '');
  assert.equal(t.validate.virtual_host_name, undefined);
  assert.equal(t.validate.code_redirect, 301);
  assert.equal(t.validate.timeout, 1500);
  assert.deepEqual(t.validate.response_header_matches[0]!.range_match, { start: 0n, end: 9223372036854775807n });
});

test('YAML test files', () => {
  const r = parseTestFile(
    'tests:\n- test_name: y\n  input: {authority: h, path: /, method: GET, random_value: 7, runtime: rt.key}\n  validate: {path_redirect: "", route_metadata: [{namespace: ns, key: k, value: v}]}\n',
    'tests.yaml',
  );
  assert.deepEqual(r.errors, []);
  assert.equal(r.format, 'yaml');
  const t = r.spec!.tests[0]!;
  assert.equal(t.input.random_value, 7);
  assert.equal(t.input.runtime, 'rt.key');
  assert.equal(t.validate.path_redirect, '');
  assert.deepEqual(t.validate.route_metadata, [{ namespace: 'ns', key: 'k', value: 'v' }]);
});

test('text proto with wrapper messages, Duration and Struct in message form', () => {
  const r = parseTestFile(
    `tests {
       test_name: "t"
       input: {
         authority: "h" path: "/" method: "GET"
         dynamic_metadata { metadata_namespace: "ns" allow_overwrite: true
           value { fields { key: "foo" value { string_value: "bar" } } } }
       }
       validate: { cluster_name: { value: "c" } code_redirect { value: 302 } timeout { seconds: 2 nanos: 500000000 } }
     }`,
    'tests.pb_text',
  );
  assert.deepEqual(r.errors, []);
  const t = r.spec!.tests[0]!;
  assert.equal(t.validate.cluster_name, 'c');
  assert.equal(t.validate.code_redirect, 302);
  assert.equal(t.validate.timeout, 2500);
  assert.deepEqual(t.input.dynamic_metadata, [{ metadata_namespace: 'ns', allow_overwrite: true, value: { foo: 'bar' } }]);
});

test('Duration strings', () => {
  const t = (d: string) =>
    parseTestFile(`{"tests": [{"test_name": "a", "input": {"authority": "h", "path": "/", "method": "GET"}, "validate": {"timeout": "${d}"}}]}`, 'd.json').spec?.tests[0]?.validate.timeout;
  assert.equal(t('15s'), 15000);
  assert.equal(t('0s'), 0);
  assert.equal(t('0.25s'), 250);
  assert.equal(t('-0.5s'), -500);
  assert.equal(t('1.000000001s'), 1000.000001);
});

test('top-level runtime values', () => {
  const r = parseTestFile('{"runtime": {"re2.max_program_size.error_level": 32768}, "tests": [{"test_name": "a", "input": {"authority": "h", "path": "/", "method": "GET"}, "validate": {}}]}', 'x.json');
  assert.deepEqual(r.errors, []);
  assert.deepEqual(r.spec!.runtime, { 're2.max_program_size.error_level': 32768 });
});

test('validation.proto rules and unknown fields are errors with a JSON path', () => {
  const r = parseTestFile(
    '{"tests": [{"test_name": "", "input": {"authority": "", "path": "/", "method": "GE", "bogus": 1}, "validate": {"cluster": "x"}}]}',
    'bad.json',
  );
  assert.deepEqual(r.errors, [
    'bad.json: $.tests[0].test_name: value length must be at least 1 byte',
    'bad.json: $.tests[0].input.bogus: unknown field "bogus"',
    'bad.json: $.tests[0].input.authority: value length must be at least 1 byte',
    'bad.json: $.tests[0].input.method: value length must be at least 3 bytes',
    'bad.json: $.tests[0].validate.cluster: unknown field "cluster"',
  ]);
  assert.equal(r.spec, undefined);
  assert.deepEqual(parseTestFile('{"tests": []}', 'e.json').errors, ['e.json: $.tests: at least one test is required']);
  assert.deepEqual(parseTestFile('{"tests": [{"test_name": "a"}]}', 'e.json').errors, [
    'e.json: $.tests[0].input: value is required',
    'e.json: $.tests[0].validate: value is required',
  ]);
  assert.match(parseTestFile('{"tests": [{"test_name": "a", "input": {"authority": "h", "path": "/", "method": "GET"}, "validate": {"timeout": "10"}}]}', 'e.json').errors[0]!, /bad Duration "10"/);
});

test('syntax errors carry file:line:col', () => {
  assert.deepEqual(parseTestFile('{\n "tests": [\n}', 'a.json').errors, ["a.json:3:1: invalid JSON: unexpected character \"}\""]);
  assert.deepEqual(parseTestFile('{\n  "a": 1\n  "b": 2\n}', 'b.json').errors, ['b.json:3:3: invalid JSON: expected "," or "}"']);
  assert.deepEqual(parseTestFile('\ufeff{"tests": [}', 'c.json').errors, ['c.json:1:12: invalid JSON: unexpected character "}"']);
  assert.deepEqual(parseTestFile('{"tests": [{"a": 1, "a": 2}]}', 'd.json').errors, ['d.json:1:21: invalid JSON: duplicate key "a"']);
  assert.match(parseTestFile('tests:\n  - a: [\n', 'a.yaml').errors[0]!, /^a\.yaml:\d+:\d+: invalid YAML: /);
  assert.match(parseTestFile('tests {\n', 'a.pb_text').errors[0]!, /^a\.pb_text:2:1: invalid text proto: expected '}'/);
  assert.deepEqual(parseTestFile('', 'a.yaml').errors, ['a.yaml: the test file is empty']);
});

test('format detection: extension first, then content', () => {
  assert.equal(detectTestFileFormat('a.golden.proto.json', 'tests {'), 'json');
  assert.equal(detectTestFileFormat('a.golden.proto.pb_text', '{}'), 'text_proto');
  assert.equal(detectTestFileFormat('a.yml', ''), 'yaml');
  assert.equal(detectTestFileFormat('tests', '  {"tests": []}'), 'json');
  assert.equal(detectTestFileFormat('tests', '# c\ntests {\n}'), 'text_proto');
  assert.equal(detectTestFileFormat('tests', 'tests:\n- a'), 'yaml');
});

test('YAML through the config layer front end: anchors, merge keys, int64, BOM, duplicate keys', () => {
  const r = parseTestFile(
    '\ufefftests:\n- test_name: a\n  input: &in {authority: h, path: /, method: GET}\n  validate: &v {response_header_matches: [{name: n, range_match: {start: 0, end: 9223372036854775807}}]}\n- test_name: b\n  input: {<<: *in, path: /b}\n  validate: *v\n',
    'tests.yaml',
  );
  assert.deepEqual(r.errors, []);
  assert.deepEqual(r.spec!.tests[1]!.input.path, '/b');
  assert.deepEqual(r.spec!.tests[1]!.input.authority, 'h');
  assert.deepEqual(r.spec!.tests[1]!.validate.response_header_matches[0]!.range_match, { start: 0n, end: 9223372036854775807n });
  assert.match(parseTestFile('tests:\n- test_name: a\n  test_name: b\n', 'd.yaml').errors[0]!, /^d\.yaml:3:3: invalid YAML: Map keys must be unique/);
});
