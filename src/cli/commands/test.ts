/**
 * `tsproxy test`: Envoy's router_check_tool. Reads a route configuration (`-c`, a bare
 * RouteConfiguration, a Bootstrap or a config dump) and a test file (`-t`, JSON, YAML or text
 * proto), runs the tests through the routing core and prints what Envoy's tool prints.
 *
 * Exit codes: 0 all tests passed (and coverage met `-f`), 1 a test failed or coverage is under
 * the floor, 2 usage errors, unreadable files, invalid test files or config errors (printed as
 * `file:line:col: error ...`, never a stack trace).
 *
 * This file does the I/O; the decisions live in src/analysis/router_check (pure).
 */
import type { Command } from 'commander';
import type { ExitBox } from '../exit_box.js';
import { readConfigFile } from '../output/config_loader.js';
import { stdout, stderr } from '../output/std_streams.js';

interface TestFlags {
  configPath?: string;
  /** `--config`: the spelling of match/explain (same option as -c/--config-path). */
  config?: string;
  /** router_check's `-o/--output-path`: where the results are written. */
  outputPath?: string;
  routeConfig?: string;
  testPath?: string;
  details?: boolean;
  onlyShowFailures?: boolean;
  failUnder?: string;
  covall?: boolean;
  detailedCoverage?: boolean;
  disableDeprecationCheck?: boolean;
  json?: boolean;
  type?: string;
}

export function registerTest(program: Command, box: ExitBox): void {
  program
    .command('test')
    .description("run Envoy router_check_tool tests (JSON, YAML or text proto) against a route configuration")
    .option('-c, --config-path <file>', 'route configuration: a RouteConfiguration, a Bootstrap or an admin /config_dump (YAML or JSON); - reads stdin')
    .option('--config <file>', 'alias of -c/--config-path (the spelling of match and explain)')
    .option('-t, --test-path <file>', 'router_check test file: JSON, YAML or text proto (.pb_text); - reads stdin')
    .option('-o, --output-path <file>', 'also write the results there (tsproxy\'s JSON document, docs/router-check.md)')
    .option('--route-config <name>', 'test this route configuration of a config dump (default: the first HTTP connection manager\'s)')
    .option('-d, --details', 'print every test name, and the failures under each failing test')
    .option('--only-show-failures', 'print only the failing tests (with their failures)')
    .option('-f, --fail-under <percent>', 'fail when route coverage is under this percentage')
    .option('--covall', 'comprehensive coverage: count every assertable field, list routes without tests')
    .option('--detailed-coverage', 'list the routes without tests by name')
    .option('--disable-deprecation-check', 'accepted for compatibility with router_check_tool (no effect)')
    .option('--type <type>', 'force the config type: bootstrap, route or config_dump')
    .option('--json', 'print one JSON document (schema tsproxy.router_check.v1, see docs/router-check.md)')
    .action(async (flags: TestFlags) => {
      try {
        box.code = await runTest(flags);
      } catch (e) {
        // Bad input never produces a stack trace; an internal error is still reported plainly.
        stderr().write(`tsproxy test: internal error: ${(e as Error).message}\n`);
        box.code = 2;
      }
    });
}

function usage(msg: string): number {
  stderr().write(`error: ${msg}\n`);
  return 2;
}

function readText(file: string, what: string): string | { error: string } {
  const r = readConfigFile(file);
  return 'error' in r ? { error: `cannot read ${what} ${file}: ${r.reason}` } : r.text;
}

async function runTest(flags: TestFlags): Promise<number> {
  flags.configPath ??= flags.config;
  if (!flags.configPath || !flags.testPath) return usage('Both --config-path/c and --test-path/t are mandatory');
  if (flags.configPath === '-' && flags.testPath === '-') return usage('only one of --config-path and --test-path can read stdin (-)');
  let failUnder = 0;
  if (flags.failUnder !== undefined) {
    failUnder = Number(flags.failUnder);
    if (flags.failUnder.trim() === '' || !Number.isFinite(failUnder) || failUnder < 0) return usage(`--fail-under expects a percentage, got ${JSON.stringify(flags.failUnder)}`);
  }
  if (flags.type !== undefined && !['bootstrap', 'route', 'config_dump'].includes(flags.type)) {
    return usage(`--type must be bootstrap, route or config_dump, got ${JSON.stringify(flags.type)}`);
  }
  const json = flags.json === true;

  // Loaded on use: other commands do not pay for the routing core.
  const [
    { parseTestFile },
    { loadConfigText },
    { formatDiagnostic },
    { styleFor },
    { compileRouteConfig },
    { runRouterCheck, directResponseBodyFiles },
    { renderText, renderJson },
    { httpConnectionManagers },
    { resolveRouteConfiguration },
    { selectRouteConfiguration, listenersUsingRouteConfig },
    { suggest },
  ] = await Promise.all([
    import('../../analysis/router_check/test_file.js'),
    import('../output/config_loader.js'),
    import('../output/diagnostics.js'),
    import('../output/style.js'),
    import('../../core/route.js'),
    import('../../analysis/router_check/runner.js'),
    import('../../analysis/router_check/report.js'),
    import('../../config/load.js'),
    import('../../core/listener_match.js'),
    import('../../core/route_config_choice.js'),
    import('../../config/suggest.js'),
  ]);
  const errStyle = styleFor(stderr());

  /** Errors before any test ran: text to stderr, or a JSON document with `errors`. */
  const fail = (errors: string[]): number => {
    if (json) {
      stdout().write(JSON.stringify({ schema: 'tsproxy.router_check.v1', ok: false, summary: { total: 0, passed: 0, failed: 0 }, tests: [], coverage: null, errors, warnings: [] }, null, 2) + '\n');
    } else {
      for (const e of errors) stderr().write(e + '\n');
    }
    return 2;
  };

  const configText = readText(flags.configPath, 'config file');
  if (typeof configText !== 'string') return fail([`tsproxy test: ${configText.error}`]);
  const testText = readText(flags.testPath, 'test file');
  if (typeof testText !== 'string') return fail([`tsproxy test: ${testText.error}`]);

  const loaded = loadConfigText(configText, flags.configPath, flags.type as 'bootstrap' | 'route' | 'config_dump' | undefined);
  const warnings: string[] = [];
  const configErrors: string[] = [];
  for (const d of loaded.diagnostics) {
    if (d.severity === 'error') configErrors.push(json ? formatDiagnostic(d) : formatDiagnostic(d, errStyle));
    else if (d.severity === 'warning') warnings.push(json ? formatDiagnostic(d) : formatDiagnostic(d, errStyle));
  }
  if (configErrors.length || !loaded.config) {
    return fail(configErrors.length ? configErrors : [`${flags.configPath}: the config could not be loaded`]);
  }
  // The config is checked first, as Envoy's tool does (a test file given as -c fails on `tests`).
  // The test file's top-level `runtime` still applies when the route table is built below.
  const tf = parseTestFile(testText, flags.testPath);
  if (!tf.spec) return fail(tf.errors);
  const cfg = loaded.config;
  // Envoy's tool takes a bare RouteConfiguration. For a Bootstrap or a config dump, the route
  // configuration of the first HTTP connection manager (inline, or by rds name in a dump), with
  // that HCM's strip_*_host_port; else the first route configuration the file holds.
  let rc = cfg.kind === 'route_configuration' ? cfg.routeConfigurations[0] : undefined;
  let ignorePortInHostMatching = false;
  let candidates = cfg.routeConfigurations.length;
  if (flags.routeConfig !== undefined) {
    // --route-config: that one; the HCM of the listener routing with it sets strip_*_host_port.
    const sel = selectRouteConfiguration(cfg.routeConfigurations, flags.routeConfig, suggest);
    if (!sel.routeConfig) return fail([`${flags.configPath}: ${sel.reason}`]);
    rc = sel.routeConfig;
    candidates = 1;
    const users = listenersUsingRouteConfig(cfg.listeners, flags.routeConfig);
    const hcm = users.length > 0 ? httpConnectionManagers(cfg.listeners[users[0]!]!).find((h) => h.rds?.route_config_name === flags.routeConfig || h.route_config === rc) : undefined;
    ignorePortInHostMatching = hcm?.strip_any_host_port === true || hcm?.strip_matching_host_port === true;
  } else if (cfg.kind !== 'route_configuration') {
    const hcms = cfg.listeners.flatMap((l) => httpConnectionManagers(l));
    const resolved = hcms.map((h) => ({ hcm: h, res: resolveRouteConfiguration(h, cfg.routeConfigurations) })).filter((x) => x.res.routeConfig !== undefined);
    const first = resolved[0];
    if (first) {
      rc = first.res.routeConfig;
      ignorePortInHostMatching = first.hcm.strip_any_host_port === true || first.hcm.strip_matching_host_port === true;
      candidates = resolved.length;
    } else rc = cfg.routeConfigurations[0];
  }
  if (rc === undefined) {
    return fail([`${flags.configPath}: no route configuration found (expected a RouteConfiguration, or a Bootstrap or config dump with a route_config)`]);
  }
  if (candidates > 1) {
    warnings.push(`${flags.configPath}: warning ${candidates} route configurations found; testing the first${rc.name ? ` (${rc.name})` : ''} (choose with --route-config NAME)`);
  }
  const compiled = compileRouteConfig(rc, {
    ignorePortInHostMatching,
    // Bootstrap layered_runtime, then the test file's own runtime on top.
    runtime: { ...cfg.runtime, ...tf.spec.runtime },
    bumpZeroRuntimeNumerator: true,
    file: flags.configPath,
  });
  const compileErrors: string[] = [];
  for (const d of compiled.diagnostics) {
    if (d.severity === 'error') compileErrors.push(json ? formatDiagnostic(d) : formatDiagnostic(d, errStyle));
    else if (d.severity === 'warning') warnings.push(json ? formatDiagnostic(d) : formatDiagnostic(d, errStyle));
  }
  if (compileErrors.length) return fail(compileErrors);

  // direct_response bodies from files: Envoy reads them when it loads the config.
  const bodyFiles = new Map<string, string>();
  for (const file of directResponseBodyFiles(compiled.table)) {
    const body = readText(file, 'direct_response body file');
    if (typeof body !== 'string') return fail([`${flags.configPath}: ${body.error}`]);
    bodyFiles.set(file, body);
  }
  const r = runRouterCheck(compiled.table, tf.spec, flags.testPath, bodyFiles);
  if (!r.run) return fail(r.errors);

  const options = {
    details: flags.details === true,
    onlyShowFailures: flags.onlyShowFailures === true,
    comprehensiveCoverage: flags.covall === true,
    detailedCoverage: flags.detailedCoverage === true,
    failUnder,
  };
  if (flags.outputPath !== undefined) {
    // router_check writes its ValidationResult (a binary proto) there; tsproxy writes its JSON document.
    const { report } = renderJson(r.run.results, r.run.coverage, options);
    const { writeFileSync } = await import('node:fs');
    try {
      writeFileSync(flags.outputPath, JSON.stringify({ ...report, warnings }, null, 2) + '\n');
    } catch (e) {
      return fail([`tsproxy test: cannot write ${flags.outputPath}: ${(e as Error).message}`]);
    }
  }
  if (json) {
    const { report, exitCode } = renderJson(r.run.results, r.run.coverage, options);
    stdout().write(JSON.stringify({ ...report, warnings }, null, 2) + '\n');
    return exitCode;
  }
  for (const w of warnings) stderr().write(w + '\n');
  const text = renderText(r.run.results, r.run.coverage, options);
  for (const l of text.lines) (l.stream === 'stdout' ? stdout() : stderr()).write(l.text + '\n');
  return text.exitCode;
}
