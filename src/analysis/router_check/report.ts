/**
 * What `tsproxy test` prints, decided here and written by the CLI: Envoy's router_check_tool
 * output in text mode (router.cc `printResults`, router_check.cc `main`), or tsproxy's own
 * documented JSON document (docs/router-check.md, schema `tsproxy.router_check.v1`).
 *
 * Text mode, as Envoy:
 * - with `--details`, every test name is printed (passing ones on stdout, failing ones on stderr
 *   followed by their failure lines); with `--only-show-failures`, only failing tests are;
 *   with neither, failures are not itemised (the exit code says it);
 * - on any failure the run stops there with exit 1: coverage is not computed;
 * - otherwise `Current route coverage: N%` (C++ `%g` formatting) on stdout, preceded by the
 *   untested routes under `--covall` or `--detailed-coverage`; under `-f PCT`, a coverage below
 *   PCT prints `Failed to meet coverage requirement: PCT%` on stderr and exits 1.
 *
 * Pure.
 */
import { formatCppDouble } from './cpp_format.js';
import type { Coverage, CoverageReport } from './coverage.js';
import type { ValidationFailure } from './failure.js';

/** The outcome of one test. */
export interface TestResult {
  name: string;
  passed: boolean;
  failures: ValidationFailure[];
  /**
   * tsproxy's own advice for a failing test (not Envoy output): e.g. the test passes once
   * `input.runtime` names the runtime key of a `runtime_fraction` route.
   */
  hint?: string;
}

export interface ReportOptions {
  details: boolean;
  onlyShowFailures: boolean;
  /** `--covall`: comprehensive coverage. */
  comprehensiveCoverage: boolean;
  /** `--detailed-coverage`: list untested routes by name. */
  detailedCoverage: boolean;
  /** `-f/--fail-under`: 0 means "not enforced", as in Envoy. */
  failUnder: number;
}

/** One line for stdout or stderr, in output order. */
export interface OutputLine {
  stream: 'stdout' | 'stderr';
  text: string;
}

export interface TextReport {
  lines: OutputLine[];
  exitCode: 0 | 1;
}

/** Envoy's text output and exit code. */
export function renderText(results: readonly TestResult[], coverage: Coverage, o: ReportOptions): TextReport {
  const lines: OutputLine[] = [];
  for (const r of results) {
    const show = (o.details && !o.onlyShowFailures) || (o.onlyShowFailures && r.failures.length > 0);
    if (!show) continue;
    if (r.failures.length === 0) lines.push({ stream: 'stdout', text: r.name });
    else {
      lines.push({ stream: 'stderr', text: r.name });
      for (const f of r.failures) lines.push({ stream: 'stderr', text: f.line });
    }
  }
  if (results.some((r) => !r.passed)) {
    // After Envoy's own lines, so they stay exactly Envoy's.
    for (const r of results) if (r.hint) lines.push({ stream: 'stderr', text: `tsproxy: hint: test "${r.name}": ${r.hint}` });
    return { lines, exitCode: 1 };
  }
  const rep = coverageReport(coverage, o);
  for (const m of rep.missing) lines.push({ stream: 'stdout', text: m });
  lines.push({ stream: 'stdout', text: `Current route coverage: ${formatCppDouble(rep.percent)}%` });
  if (o.failUnder !== 0 && rep.percent < o.failUnder) {
    lines.push({ stream: 'stderr', text: `Failed to meet coverage requirement: ${formatCppDouble(o.failUnder)}%` });
    return { lines, exitCode: 1 };
  }
  return { lines, exitCode: 0 };
}

function coverageReport(coverage: Coverage, o: ReportOptions): CoverageReport {
  return o.comprehensiveCoverage ? coverage.comprehensiveReport() : coverage.report(o.detailedCoverage);
}

/** The `--json` document (schema `tsproxy.router_check.v1`, see docs/router-check.md). */
export interface JsonReport {
  schema: 'tsproxy.router_check.v1';
  /** True when every test passed and the coverage floor (if any) was met. */
  ok: boolean;
  summary: { total: number; passed: number; failed: number };
  tests: {
    name: string;
    passed: boolean;
    failures: { type: string; expected?: string; actual: string; negated?: boolean; line: string }[];
    /** tsproxy's advice for a failing test (e.g. a runtime key to enable); absent otherwise. */
    hint?: string;
  }[];
  coverage: {
    mode: 'routes' | 'comprehensive';
    /** Percent, or null when the route table has no routes. */
    percent: number | null;
    /** As Envoy prints it, e.g. "7.44863". */
    formatted: string;
    failUnder: number | null;
    met: boolean;
    untested: { virtualHost: string; routeName: string; routeIndex: number; match: string }[];
  };
  /** Problems that stopped the run (exit 2); empty otherwise. */
  errors: string[];
  /** Config warnings (filled by the CLI). */
  warnings: string[];
}

/** Builds the JSON document; coverage is always computed (the text mode skips it on failure). */
export function renderJson(results: readonly TestResult[], coverage: Coverage, o: ReportOptions): { report: JsonReport; exitCode: 0 | 1 } {
  const rep = coverageReport(coverage, { ...o, detailedCoverage: false });
  const failed = results.filter((r) => !r.passed).length;
  const met = o.failUnder === 0 || rep.percent >= o.failUnder;
  const ok = failed === 0 && met;
  const report: JsonReport = {
    schema: 'tsproxy.router_check.v1',
    ok,
    summary: { total: results.length, passed: results.length - failed, failed },
    tests: results.map((r) => ({ name: r.name, passed: r.passed, failures: r.failures.map((f) => ({ ...f })), ...(r.hint ? { hint: r.hint } : {}) })),
    coverage: {
      mode: o.comprehensiveCoverage ? 'comprehensive' : 'routes',
      percent: Number.isFinite(rep.percent) ? rep.percent : null,
      formatted: formatCppDouble(rep.percent),
      failUnder: o.failUnder === 0 ? null : o.failUnder,
      met,
      untested: rep.untested.map((u) => ({ ...u, match: u.match.trimEnd() })),
    },
    errors: [],
    warnings: [],
  };
  return { report, exitCode: ok ? 0 : 1 };
}
