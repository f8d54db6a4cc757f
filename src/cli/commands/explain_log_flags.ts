/**
 * The `explain --log` and `explain --flags` parts of `tsproxy explain` (explain.ts registers
 * them in one marked block):
 * - `--log '<access log line>'`: the request the line carries (replay's parsers: Envoy's default
 *   format, `--log-format`, JSON lines) is explained as if given with --host/--path/-H; what the
 *   line logged is shown first, and the response flags it logged are explained for the route
 *   the request takes;
 * - `--flags UF,URX --route NAME` (and/or `--cluster NAME`): the config knobs and stats behind
 *   those flags on that route.
 */
import type { Command } from 'commander';
import type { QueryFlags } from '../output/query_options.js';
import type { ExplainReport } from '../../analysis/explain/report_types.js';
import type { LogRecord } from '../../analysis/replay/log_format.js';
import type { LoadedConfig } from '../../config/types.js';
import type { Style } from '../output/style.js';
import { stdout, stderr } from '../output/std_streams.js';

/** The flags this part adds to explain. */
export interface LogFlagsOptions {
  log?: string;
  logFormat: string;
  flags?: string;
  route?: string;
  cluster?: string;
}

/** Adds --log, --log-format, --flags, --route, --cluster; --path is then only required without --log/--flags. */
export function addLogFlagsOptions(cmd: Command): Command {
  const path = cmd.options.find((o) => o.long === '--path');
  if (path) path.mandatory = false;
  return cmd
    .option('--log <line>', 'explain the request of an access log line (Envoy default format; JSON lines too), and the response flags it logged')
    .option('--log-format <format>', 'format of the --log line: envoy, istio, a %COMMAND% format string, or a json_format as JSON', 'envoy')
    .option('--flags <flags>', 'explain response flags (UF,URX ...): the config knobs and stats behind them, for --route and/or --cluster')
    .option('--route <name>', 'with --flags: the route (name, vhost/name or route_config/vhost/name)')
    .option('--cluster <name>', 'with --flags: a cluster');
}

/** True when this part handles the command line. */
export function wantsLogOrFlags(f: LogFlagsOptions): boolean {
  return f.log !== undefined || f.flags !== undefined;
}

function usage(msg: string): number {
  stderr().write(`tsproxy explain: ${msg}\n`);
  return 2;
}

/** Runs explain --log / --flags; returns the exit code. */
export async function runLogOrFlags(f: QueryFlags & LogFlagsOptions): Promise<number> {
  const [{ runQuery }, { formatExplain }, { readLogLine }, { explainFlags }, { formatFlags }, { loadConfigText, readConfigFile }, { styleFor }] = await Promise.all([
    import('../output/query.js'),
    import('../output/explain_text.js'),
    import('../../analysis/replay/log_request.js'),
    import('../../analysis/flags/explain_flags.js'),
    import('../output/flags_text.js'),
    import('../output/config_loader.js'),
    import('../output/style.js'),
  ]);
  const loadQuietly = (): LoadedConfig | string => {
    const read = readConfigFile(f.config!);
    if ('error' in read) return read.error;
    const loaded = loadConfigText(read.text, f.config!, f.type);
    if (!loaded.config || loaded.diagnostics.some((d) => d.severity === 'error')) return `${f.config}: the config has errors (run tsproxy lint)`;
    return loaded.config;
  };

  if (f.log === undefined) {
    // --flags alone.
    if (f.route === undefined && f.cluster === undefined) return usage('--flags needs --route NAME and/or --cluster NAME (or --log with a line)');
    const config = loadQuietly();
    if (typeof config === 'string') return usage(config);
    const r = explainFlags(config, f.flags!, { route: f.route, cluster: f.cluster });
    if (!r.ok) return usage(r.error);
    stdout().write(f.json ? JSON.stringify(r.report, null, 2) + '\n' : formatFlags(r.report, styleFor(stdout())));
    return 0;
  }

  const read = readLogLine(f.log, f.logFormat);
  if (!read.ok) return usage(read.error);
  const rec = read.record;
  const q: QueryFlags = {
    ...f,
    host: rec.authority ?? f.host,
    path: rec.path ?? '',
    method: rec.method ?? f.method,
    header: [...f.header, ...rec.headers.map(([k, v]) => `${k}: ${v}`)],
    scheme: rec.scheme ?? f.scheme,
    sourceIp: rec.remoteAddress ?? f.sourceIp,
    sni: rec.requestedServerName ?? f.sni,
  };
  // The flags to explain: --flags, else those the line logged (NR is what the routing shows).
  const logged = (rec.responseFlags ?? '').split(',').filter((x) => x !== '' && x !== '-' && x !== 'NR');
  const flagText = f.flags ?? logged.join(',');
  let config: LoadedConfig | undefined;
  if (flagText !== '') {
    const c = loadQuietly();
    if (typeof c !== 'string') config = c;
  }
  const flagsFor = (r: ExplainReport) => {
    if (config === undefined || flagText === '') return undefined;
    const route = r.route && r.route_configuration ? `${r.route_configuration.name ?? ''}/${r.virtual_host?.name}/${r.route.label}` : undefined;
    const res = explainFlags(config, flagText, { route, cluster: f.cluster });
    return res.ok ? res.report : undefined;
  };
  const format = (r: ExplainReport, style: Style) => {
    const fl = flagsFor(r);
    return logHeader(rec, style) + formatExplain(r, style) + (fl ? `\n${style.bold(`response flags ${fl.flags.map((x) => x.flag).join(',')}`)} ${style.dim('(logged)')}\n${formatFlags(fl, style)}` : '');
  };
  const toJson = (r: ExplainReport) => ({ ...r, log: { record: recordJson(rec), response_flags: flagsFor(r) ?? null } });
  return runQuery(q, format, toJson);
}

/** What the line logged, before the explanation. */
function logHeader(rec: LogRecord, style: Style): string {
  const parts = [
    rec.status !== undefined ? `status ${rec.status}` : undefined,
    rec.responseFlags && rec.responseFlags !== '-' ? `flags ${rec.responseFlags}` : undefined,
    rec.responseCodeDetails ? `details ${rec.responseCodeDetails}` : undefined,
    rec.routeName ? `route ${rec.routeName}` : undefined,
    rec.upstreamCluster ? `cluster ${rec.upstreamCluster}` : undefined,
    rec.upstreamHost ? `upstream ${rec.upstreamHost}` : undefined,
    rec.localPort !== undefined ? `local port ${rec.localPort} (--port ${rec.localPort} picks that listener)` : undefined,
  ].filter((x): x is string => x !== undefined);
  return `${style.bold('log line'.padEnd(14))}${rec.method ?? 'GET'} ${rec.authority ?? '(no Host)'}${rec.path ?? ''}${rec.protocol ? ` ${rec.protocol}` : ''}\n${style.bold('logged'.padEnd(14))}${parts.join(', ') || '-'}\n`;
}

function recordJson(rec: LogRecord): Record<string, unknown> {
  return {
    method: rec.method ?? null, authority: rec.authority ?? null, path: rec.path ?? null, protocol: rec.protocol ?? null,
    headers: Object.fromEntries(rec.headers), status: rec.status ?? null, response_flags: rec.responseFlags ?? null,
    response_code_details: rec.responseCodeDetails ?? null, route_name: rec.routeName ?? null, upstream_cluster: rec.upstreamCluster ?? null,
    upstream_host: rec.upstreamHost ?? null, local_port: rec.localPort ?? null, start_time: rec.startTime ?? null,
  };
}
