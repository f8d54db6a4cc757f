/**
 * `tsproxy serve -c envoy.yaml [--log-level info] [--drain-time-s 5]`: loads the config, refuses
 * to start on any error diagnostic (printed as file:line:col, exit 2), starts every listener, and
 * runs until SIGTERM/SIGINT: then it stops accepting, lets in-flight requests finish for up to
 * --drain-time-s seconds, flushes the access logs and exits 0. Bind failures exit 1. SIGUSR1
 * reopens the access logs, SIGHUP is ignored, a fatal error flushes the access logs and exits 70
 * (src/cli/run_helper.ts).
 *
 * Configured Envoy features serve does not implement are printed at startup as
 * `file:line:col: warning ... [serve/unsupported]` (src/runtime/serve_support.ts) and serve starts
 * without them; the ones that would be a security hole to skip (TLS, network filters other than
 * the HCM) are errors: exit 2, nothing bound.
 */
import type { Command } from 'commander';
import type { ExitBox } from '../exit_box.js';
import { loadConfigText, readConfigFile } from '../output/config_loader.js';
import { formatDiagnostic, hasErrors, sortDiagnostics } from '../output/diagnostics.js';
import { startServer, type LogLevel, type ServerLogger } from '../../runtime/server.js';
import { RunHelper } from '../run_helper.js';
import { tsproxyVersion } from '../version.js';

const LEVELS: readonly LogLevel[] = ['trace', 'debug', 'info', 'warn', 'error', 'critical', 'off'];

interface ServeFlags {
  config?: string;
  logLevel: string;
  drainTimeS: string;
  adminPort?: string;
  adminAddress?: string;
}

function stderrLogger(initial: LogLevel): ServerLogger {
  let min = initial;
  let minRank = LEVELS.indexOf(min);
  return {
    setLevel(level) {
      min = level;
      minRank = LEVELS.indexOf(level);
    },
    level: () => min,
    log(level, message) {
      if (LEVELS.indexOf(level) >= minRank && min !== 'off') {
        process.stderr.write(`[${new Date().toISOString()}][${level}] ${message}\n`);
      }
    },
  };
}

/** Runs serve; resolves with the exit code once the server has stopped. */
export async function runServe(flags: ServeFlags): Promise<number> {
  const file = flags.config;
  if (!file) {
    process.stderr.write('tsproxy serve: -c/--config-path is required\n');
    return 2;
  }
  const level = flags.logLevel as LogLevel;
  if (!LEVELS.includes(level)) {
    process.stderr.write(`tsproxy serve: --log-level must be one of ${LEVELS.join(', ')}\n`);
    return 2;
  }
  const drainS = Number(flags.drainTimeS);
  if (!Number.isFinite(drainS) || drainS < 0) {
    process.stderr.write('tsproxy serve: --drain-time-s must be a non-negative number\n');
    return 2;
  }
  const adminPort = flags.adminPort === undefined ? undefined : Number(flags.adminPort);
  if (adminPort !== undefined && !(Number.isInteger(adminPort) && adminPort >= 0 && adminPort <= 65535)) {
    process.stderr.write('tsproxy serve: --admin-port must be a port number (0-65535)\n');
    return 2;
  }
  const read = readConfigFile(file);
  if ('error' in read) {
    process.stderr.write(`tsproxy serve: ${read.error}\n`);
    return 2;
  }
  const text = read.text;
  const logger = stderrLogger(level);
  logger.log('info', `tsproxy ${tsproxyVersion()} on Node.js ${process.version} (llhttp ${process.versions.llhttp}), config ${file}`);
  const helper = new RunHelper(logger);
  try {
    return await serveConfig(text, file, level, logger, helper, drainS, adminPort, flags.adminAddress);
  } finally {
    helper.uninstall();
  }
}

/** Loads, starts and serves the config until the RunHelper says it stopped; returns the exit code. */
async function serveConfig(
  text: string,
  file: string,
  level: LogLevel,
  logger: ServerLogger,
  helper: RunHelper,
  drainS: number,
  adminPort: number | undefined,
  adminAddress: string | undefined,
): Promise<number> {
  const loaded = loadConfigText(text, file, undefined);
  const printAll = (ds: typeof loaded.diagnostics): void => {
    for (const d of sortDiagnostics(ds)) {
      if (d.severity === 'error' || level === 'debug' || level === 'trace') process.stderr.write(formatDiagnostic(d) + '\n');
      else if (d.severity === 'warning' && LEVELS.indexOf(level) <= LEVELS.indexOf('warn')) process.stderr.write(formatDiagnostic(d) + '\n');
    }
  };
  printAll(loaded.diagnostics);
  if (!loaded.config || hasErrors(loaded.diagnostics)) {
    process.stderr.write(`tsproxy serve: ${file} has errors; not starting\n`);
    return 2;
  }
  let started;
  try {
    started = await startServer(loaded.config, {
      logger,
      admin: {
        ...(adminPort !== undefined ? { port: adminPort } : {}),
        ...(adminAddress !== undefined ? { address: adminAddress } : {}),
        drainTimeMs: drainS * 1000,
        commandLineOptions: {
          version: `tsproxy/${tsproxyVersion()}/Node.js ${process.version}`,
          config_path: file,
          log_level: level,
          drain_time: `${drainS}s`,
          ...(adminPort !== undefined ? { admin_port: adminPort } : {}),
          ...(adminAddress !== undefined ? { admin_address: adminAddress } : {}),
          mode: 'Serve',
          concurrency: 1,
        },
      },
    });
  } catch (err) {
    process.stderr.write(`tsproxy serve: ${(err as Error).message}\n`);
    return 1;
  }
  printAll(started.diagnostics);
  const server = started.server;
  if (!server) {
    process.stderr.write(`tsproxy serve: ${file} cannot be served; not starting\n`);
    return 2;
  }
  return helper.run(server, drainS * 1000);
}

/** Adds the `serve` command; its exit code goes to `box` when the server has stopped. */
export function registerServe(program: Command, box: ExitBox): void {
  program
    .command('serve')
    .description('run the proxy: every listener of an Envoy v3 bootstrap, until SIGTERM/SIGINT')
    .option('-c, --config-path <file>', 'Envoy v3 bootstrap (YAML or JSON)')
    .option('--config <file>', 'alias of --config-path')
    .option('-l, --log-level <level>', `log level (${LEVELS.join(', ')})`, 'info')
    .option('--drain-time-s <seconds>', 'how long in-flight requests may take to finish on shutdown', '5')
    .option('--admin-port <port>', 'serve the admin API on this port (127.0.0.1 unless admin.address or --admin-address says otherwise)')
    .option('--admin-address <ip>', 'address of the admin listener (overrides admin.address)')
    .action(async (opts: { configPath?: string; config?: string; logLevel: string; drainTimeS: string; adminPort?: string; adminAddress?: string }) => {
      box.code = await runServe({ ...opts, config: opts.configPath ?? opts.config });
    });
}
