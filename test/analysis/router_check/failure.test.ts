import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareResults, headerMatchFailure, headerMatcherTypeName } from '../../../src/analysis/router_check/failure.js';

test('compareResults prints Envoy\'s line, and nothing when equal', () => {
  assert.equal(compareResults('instant-server', 'cluster1', 'cluster_name')?.line, 'expected: [cluster1], actual: [instant-server], test type: cluster_name');
  assert.equal(compareResults('', 'x', 'path_redirect')?.line, 'expected: [x], actual: [], test type: path_redirect');
  assert.equal(compareResults(301, 302, 'code_redirect')?.line, 'expected: [302], actual: [301], test type: code_redirect');
  assert.equal(compareResults('a', 'a', 'cluster_name'), undefined);
});

test('header matcher kinds are named as the tool names them', () => {
  assert.equal(headerMatcherTypeName({ name: 'a' }), 'present_match');
  assert.equal(headerMatcherTypeName({ name: 'a', present_match: false }), 'present_match');
  assert.equal(headerMatcherTypeName({ name: 'a', exact_match: 'x' }), 'exact_match');
  assert.equal(headerMatcherTypeName({ name: 'a', range_match: { start: 0n, end: 1n } }), 'range_match');
  assert.equal(headerMatcherTypeName({ name: 'a', safe_regex_match: { regex: 'x' } }), 'safe_regex_match');
  assert.equal(headerMatcherTypeName({ name: 'a', string_match: { prefix: 'x' } }), 'string_match.prefix');
  assert.equal(headerMatcherTypeName({ name: 'a', string_match: { safe_regex: { regex: '.*' } } }), 'string_match.safe_regex');
  assert.equal(headerMatcherTypeName({ name: 'a', string_match: {} }), 'string_match.match_pattern_not_set');
});

test('header failure lines match route_tests.sh expectations', () => {
  const p = 'response_header_matches';
  assert.equal(
    headerMatchFailure({ name: 'content-type', string_match: { exact: 'text/plain' }, invert_match: true }, 'text/plain', p).line,
    'expected: [content-type: text/plain], actual: NOT [content-type: text/plain], test type: response_header_matches.string_match.exact',
  );
  assert.equal(
    headerMatchFailure({ name: 'content-length', range_match: { start: 100n, end: 1000n } }, '25', p).line,
    'actual: [content-length: 25], test type: response_header_matches.range_match',
  );
  assert.equal(
    headerMatchFailure({ name: 'x-ping-response', string_match: { exact: 'pong' } }, 'yes', p).line,
    'expected: [x-ping-response: pong], actual: [x-ping-response: yes], test type: response_header_matches.string_match.exact',
  );
  assert.equal(
    headerMatchFailure({ name: 'x-ping-response', present_match: true, invert_match: true }, 'yes', p).line,
    'expected: [has(x-ping-response):false], actual: [has(x-ping-response):true], test type: response_header_matches.present_match',
  );
  assert.equal(
    headerMatchFailure({ name: 'x-pong-response', present_match: true, invert_match: false }, undefined, p).line,
    'expected: [has(x-pong-response):true], actual: [has(x-pong-response):false], test type: response_header_matches.present_match',
  );
  assert.equal(
    headerMatchFailure({ name: 'X-Client-IP', string_match: { exact: '10.0.0.1' } }, undefined, 'request_header_matches').line,
    'expected: [X-Client-IP: 10.0.0.1], actual: [X-Client-IP: NULL], test type: request_header_matches.string_match.exact',
  );
  assert.equal(
    headerMatchFailure({ name: 'x-a', string_match: { prefix: 'v' } }, 'w', 'request_header_matches').line,
    'actual: [x-a: w], test type: request_header_matches.string_match.prefix',
  );
});
