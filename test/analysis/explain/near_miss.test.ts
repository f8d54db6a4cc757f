import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { TraceStep } from '../../../src/core/route_types.js';
import { findNearMisses } from '../../../src/analysis/explain/near_miss.js';

const req = (authority: string | undefined) => ({ authority, path: '/x', method: 'GET', scheme: 'http', headers: {} });

test('host port near miss names the HCM option that fits the listener port', () => {
  const steps: TraceStep[] = [
    { kind: 'virtual_host', name: 'api', index: 0, matched: false, reason: 'no domain', predicate: 'domain', nearMiss: 'Host "a.com:80" carries a port; domain "a.com" would match' },
    { kind: 'virtual_host', name: '*', index: -1, matched: false, reason: 'no *', predicate: 'default_virtual_host', nearMiss: 'no virtual host has the "*" domain' },
  ];
  const hcm = { stat_prefix: 'in' };
  const same = findNearMisses({ request: req('a.com:80'), steps, hcm, listenerPort: 80 });
  assert.deepEqual(
    same.map((n) => n.kind),
    ['host_port', 'no_wildcard_virtual_host'],
  );
  assert.match(same[0]!.message, /strip_matching_host_port: true .*the port equals the listener port/);
  const other = findNearMisses({ request: req('a.com:80'), steps, hcm, listenerPort: 10000 });
  assert.doesNotMatch(other[0]!.message, /strip_matching_host_port/);
  assert.match(other[0]!.message, /strip_any_host_port: true/);
  // A bare route configuration has no HCM to change.
  const bare = findNearMisses({ request: req('a.com:80'), steps, hcm: undefined, listenerPort: undefined });
  assert.doesNotMatch(bare[0]!.message, /strip_/);
  assert.match(bare[0]!.message, /ignore_port_in_host_matching: true/);
});

test('route near misses are classified from the core trace', () => {
  const steps: TraceStep[] = [
    { kind: 'route', name: '#0', index: 0, matched: false, reason: 'x', predicate: 'prefix', nearMiss: '"/a" misses prefix "/a/" only by the trailing slash' },
    { kind: 'route', name: 'b', index: 1, matched: false, reason: 'x', predicate: 'prefix', nearMiss: '"/A" differs from prefix "/a" only in case (case_sensitive is true)' },
    { kind: 'route', name: 'c', index: 2, matched: false, reason: 'x', predicate: 'header', nearMiss: 'header "x-a" is absent from the request' },
    { kind: 'route', name: 'd', index: 3, matched: false, reason: 'x', predicate: 'prefix' },
  ];
  const out = findNearMisses({ request: req('h'), steps, hcm: undefined, listenerPort: undefined });
  assert.deepEqual(
    out.map((n) => [n.kind, n.message.split(':')[0]]),
    [
      ['trailing_slash', 'route #0'],
      ['path_case', 'route "b"'],
      ['header_absent', 'route "c"'],
    ],
  );
});
