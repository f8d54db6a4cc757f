import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderJson, renderText, type ReportOptions, type TestResult } from '../../../src/analysis/router_check/report.js';
import { Coverage, pseudoUuid } from '../../../src/analysis/router_check/coverage.js';
import { compileRouteConfig } from '../../../src/core/route.js';
import { reportFailure } from '../../../src/analysis/router_check/failure.js';

const table = compileRouteConfig({
  virtual_hosts: [{ name: 'v', domains: ['*'], routes: [{ match: { prefix: '/a' }, route: { cluster: 'a' } }, { match: { prefix: '/' }, route: { cluster: 'b' } }, { match: { prefix: '/z' }, route: { cluster: 'z' } }] }],
}).table;

const opts = (o: Partial<ReportOptions> = {}): ReportOptions => ({ details: false, onlyShowFailures: false, comprehensiveCoverage: false, detailedCoverage: false, failUnder: 0, ...o });
const pass: TestResult = { name: 'good', passed: true, failures: [] };
const bad: TestResult = { name: 'bad', passed: false, failures: [reportFailure('x', 'y', 'cluster_name')] };

function coverageOfOne(): Coverage {
  const c = new Coverage(table);
  c.mark({ key: 'r:0:0', routeName: c.uniqueName(table.virtualHosts[0]!.routes[0]!), kind: 'route_entry' }, 'cluster_name');
  return c;
}

test('details / only-show-failures matrix, as router.cc printResults', () => {
  const rs = [pass, bad];
  const show = (o: Partial<ReportOptions>) => renderText(rs, coverageOfOne(), opts(o)).lines.map((l) => `${l.stream}:${l.text}`);
  assert.deepEqual(show({}), []);
  assert.deepEqual(show({ details: true }), ['stdout:good', 'stderr:bad', 'stderr:expected: [y], actual: [x], test type: cluster_name']);
  assert.deepEqual(show({ onlyShowFailures: true }), ['stderr:bad', 'stderr:expected: [y], actual: [x], test type: cluster_name']);
  assert.deepEqual(show({ details: true, onlyShowFailures: true }), ['stderr:bad', 'stderr:expected: [y], actual: [x], test type: cluster_name']);
  assert.equal(renderText(rs, coverageOfOne(), opts()).exitCode, 1);
});

test('coverage line and floor, formatted like C++', () => {
  const ok = renderText([pass], coverageOfOne(), opts({ failUnder: 33.3 }));
  assert.deepEqual(ok.lines, [{ stream: 'stdout', text: 'Current route coverage: 33.3333%' }]);
  assert.equal(ok.exitCode, 0);
  const low = renderText([pass], coverageOfOne(), opts({ failUnder: 33.4 }));
  assert.deepEqual(low.lines[1], { stream: 'stderr', text: 'Failed to meet coverage requirement: 33.4%' });
  assert.equal(low.exitCode, 1);
});

test('JSON report: ok, summary, coverage always present', () => {
  const { report, exitCode } = renderJson([pass, bad], coverageOfOne(), opts({ failUnder: 10 }));
  assert.equal(exitCode, 1);
  assert.equal(report.ok, false);
  assert.deepEqual(report.summary, { total: 2, passed: 1, failed: 1 });
  assert.equal(report.coverage.formatted, '33.3333');
  assert.equal(report.coverage.met, true);
  assert.deepEqual(report.coverage.untested.map((u) => [u.routeIndex, u.match]), [[1, 'prefix: "/"'], [2, 'prefix: "/z"']]);
});

test('route name suffixes are UUID-shaped and deterministic', () => {
  assert.match(pseudoUuid('0/v/1'), /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.equal(pseudoUuid('0/v/1'), pseudoUuid('0/v/1'));
  assert.notEqual(pseudoUuid('0/v/1'), pseudoUuid('0/v/2'));
});
