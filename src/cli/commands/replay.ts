/**
 * `tsproxy replay -c cfg.yaml access.log...`: route every request of Envoy access logs through
 * the config, as `match` would route it, and report hits per virtual host and route, routes
 * never hit, requests that now get 404/503, and with `--against old.yaml` the requests whose
 * outcome changes. Logs are streamed (any size; `.gz` too; `-` is stdin). Exit 0; 1 with
 * `--against` when some request's outcome changes; 2 on usage, config or read errors.
 */
import { Option, type Command } from 'commander';
import type { ExitBox } from '../exit_box.js';

interface ReplayFlags {
  config: string;
  against?: string;
  format: string;
  scheme: string;
  listener?: string;
  port?: string;
  type?: 'bootstrap' | 'route' | 'config_dump';
  json?: boolean;
  examples: string;
  limit: string;
}

export function registerReplay(program: Command, box: ExitBox): void {
  program
    .command('replay')
    .description('route the requests of access logs through a config: hits per route, routes never hit, new 404/503s, changes against another config')
    .argument('[logs...]', 'access log files (.gz too; - or none: stdin)')
    .requiredOption('-c, --config <file>', 'Envoy config: Bootstrap, RouteConfiguration or /config_dump (YAML or JSON)')
    .option('--against <file>', 'the config before: report the requests whose outcome changes (exit 1 when any does)')
    .option('--format <format>', 'log format: envoy (default format), istio, a %COMMAND% format string, or a json_format object as JSON; lines starting with { are read as JSON', 'envoy')
    .option('--scheme <scheme>', 'scheme of requests whose line does not log one (http or https)', 'http')
    .addOption(new Option('--listener <name>', 'listener to use (default: the port the line logs, else the Host port)').conflicts('port'))
    .option('--port <n>', 'listener port to use')
    .addOption(new Option('--type <type>', 'force the config type').choices(['bootstrap', 'route', 'config_dump']))
    .option('--examples <n>', 'example lines kept per group', '3')
    .option('--limit <n>', 'rows per list in the text report', '20')
    .option('--json', 'print the documented JSON report (docs/replay.md)')
    .action(async (logs: string[], flags: ReplayFlags) => {
      try {
        box.code = await runReplay(logs, flags);
      } catch (e) {
        process.stderr.write(`tsproxy replay: ${(e as Error).message}\n`);
        box.code = 2;
      }
    });
}

function usage(msg: string): number {
  process.stderr.write(`tsproxy replay: ${msg}\n`);
  return 2;
}

function count(flag: string, v: string): number | string {
  return /^\d+$/.test(v) ? Number(v) : `${flag} must be a non-negative integer, got "${v}"`;
}

async function runReplay(logs: string[], flags: ReplayFlags): Promise<number> {
  // Loaded on use: other commands do not pay for the routing core and config loader.
  const [{ loadConfigText, readConfigFile }, { formatDiagnostic, hasErrors, sortDiagnostics }, { styleFor }, { compileAnyLogFormat }, { Replay }, { formatReplay }, reader, { ProgressBar }] =
    await Promise.all([
      import('../output/config_loader.js'),
      import('../output/diagnostics.js'),
      import('../output/style.js'),
      import('../../analysis/replay/json_log.js'),
      import('../../analysis/replay/replay.js'),
      import('../output/replay_text.js'),
      import('../output/log_reader.js'),
      import('../output/progress.js'),
    ]);
  const scheme = flags.scheme.toLowerCase();
  if (scheme !== 'http' && scheme !== 'https') return usage(`--scheme must be http or https, got "${flags.scheme}"`);
  const examples = count('--examples', flags.examples);
  if (typeof examples === 'string') return usage(examples);
  const limit = count('--limit', flags.limit);
  if (typeof limit === 'string') return usage(limit);
  let port: number | undefined;
  if (flags.port !== undefined) {
    const p = count('--port', flags.port);
    if (typeof p === 'string' || p > 65535) return usage(`--port must be a port number, got "${flags.port}"`);
    port = p;
  }
  const format = compileAnyLogFormat(flags.format);
  if (!format.ok) return usage(format.error);
  const files = logs.length === 0 ? ['-'] : logs;
  if (files.filter((f) => f === '-').length > 1) return usage('stdin (-) can be read once');

  const err = styleFor(process.stderr);
  const load = (file: string) => {
    const read = readConfigFile(file);
    if ('error' in read) return { error: read.error };
    const loaded = loadConfigText(read.text, file, flags.type);
    for (const d of sortDiagnostics(loaded.diagnostics)) if (d.severity !== 'info') process.stderr.write(formatDiagnostic(d, err) + '\n');
    if (!loaded.config || hasErrors(loaded.diagnostics)) return { error: `${file}: the config has errors` };
    return { config: loaded.config };
  };
  const now = load(flags.config);
  if ('error' in now) return usage(now.error!);
  const before = flags.against !== undefined ? load(flags.against) : undefined;
  if (before !== undefined && 'error' in before) return usage(before.error!);

  const replay = new Replay(now.config!, { format: format.format, scheme, listenerName: flags.listener, port, examples, serverAddress: (await import('../../runtime/local_info.js')).localInfoAddress() }, before?.config);
  for (const r of [replay.router, replay.against]) {
    if (r === undefined) continue;
    for (const d of sortDiagnostics([...r.diagnostics])) if (d.severity !== 'info') process.stderr.write(formatDiagnostic(d, err) + '\n');
    if (r.hasErrors) return usage(`${r.config.file}: a route configuration does not compile`);
  }

  const sizes = files.map(reader.fileSize);
  const total = sizes.every((s) => s !== undefined) ? sizes.reduce((a, b) => a! + b!, 0) : undefined;
  const bar = new ProgressBar(process.stderr, total);
  let doneBefore = 0;
  let linesBefore = 0;
  for (let i = 0; i < files.length; i++) {
    const file = files[i]!;
    const name = file === '-' ? '<stdin>' : file;
    try {
      const n = await reader.forEachLine(file, (line, no) => replay.line(line, name, no), (bytes, lines) => bar.update(doneBefore + bytes, linesBefore + lines, name));
      linesBefore += n;
      doneBefore += sizes[i] ?? 0;
    } catch (e) {
      bar.done();
      const code = (e as NodeJS.ErrnoException).code;
      return usage(`cannot read ${name}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (e as Error).message}`);
    }
  }
  bar.done();
  const report = replay.report();
  if (report.lines.total > 0 && report.lines.parsed === 0) {
    process.stderr.write(formatReplay(report, err, limit));
    return usage(`no line has the log format ${report.format.json ? '(json_format)' : JSON.stringify(report.format.source)}: pass the format the logs were written with (--format)`);
  }
  if (flags.json) process.stdout.write(JSON.stringify(report, null, 2) + '\n');
  else process.stdout.write(formatReplay(report, styleFor(process.stdout), limit));
  return report.changed !== null && report.changed > 0 ? 1 : 0;
}
