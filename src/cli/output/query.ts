/**
 * The part `match` and `explain` share: their flags, reading and loading the config, running the
 * analysis, printing config diagnostics and errors, and the exit code (0 a route matched, 1 none,
 * 2 usage or config errors). Each command supplies only its formatter.
 */
import type { QueryFlags } from './query_options.js';
import type { Diagnostic } from '../../config/diagnostic.js';
import type { LoadedConfig } from '../../config/types.js';
import { analyze } from '../../analysis/explain/analyze.js';
import type { ExplainReport } from '../../analysis/explain/report_types.js';
import { parseHeaderFlag, type RequestInput } from '../../analysis/explain/request.js';
import { loadConfigText, readConfigFile } from './config_loader.js';
import { createRequire } from 'node:module';
import { isLoopbackAddress, parseIpAddress } from '../../core/internal_address.js';
import { parseIpPort, type IpPort } from '../../core/ip_port.js';
import { classifyHttpFilter } from './filter_support.js';
import { formatDiagnostic, hasErrors, sortDiagnostics } from './diagnostics.js';
import { styleFor, type Style } from './style.js';
import type { AdminSource } from './admin_source.js';
import { formatLive, liveFacts, parseLiveClusters, parseStatValues, routedCluster } from '../../analysis/explain/live_state.js';
import { stdout, stderr } from './std_streams.js';

function usage(out: string): number {
  stderr().write(`${out}\n`);
  return 2;
}

function parseNonNegativeInt(flag: string, v: string): number | string {
  if (!/^\d+$/.test(v.trim())) return `${flag} must be a non-negative integer, got "${v}"`;
  const n = Number(v);
  return Number.isSafeInteger(n) ? n : `${flag} is too large: "${v}"`;
}

/** Formats a report for humans. */
export type ReportFormatter = (r: ExplainReport, style: Style) => string;

/**
 * Runs match or explain: returns the exit code. `toJson` selects the JSON shape of the command.
 * Config diagnostics go to stderr as `file:line:col: severity message [rule]` (errors and
 * warnings; with errors, exit 2). `decisionChain: false` (match): the report's steps, near misses
 * and unreached routes are not computed (analyze's option of that name).
 */
export function runQuery(
  flags: QueryFlags,
  format: ReportFormatter,
  toJson: (r: ExplainReport) => unknown,
  admin?: AdminSource,
  opts: { readonly decisionChain?: boolean } = {},
): number {
  const err = styleFor(stderr());
  const out = styleFor(stdout());
  const random = parseNonNegativeInt('--random', flags.random);
  if (typeof random === 'string') return usage(`tsproxy: ${random}`);
  let port: number | undefined;
  if (flags.port !== undefined) {
    const p = parseNonNegativeInt('--port', flags.port);
    if (typeof p === 'string' || p > 65535) return usage(`tsproxy: --port must be a port number, got "${flags.port}"`);
    port = p;
  }
  const scheme = flags.scheme.toLowerCase();
  if (scheme !== 'http' && scheme !== 'https') return usage(`tsproxy: --scheme must be http or https, got "${flags.scheme}"`);
  if (!flags.path!.startsWith('/') && flags.path !== '*') return usage(`tsproxy: --path must start with "/", got "${flags.path}"`);
  const headers: [string, string][] = [];
  for (const h of flags.header) {
    const parsed = parseHeaderFlag(h);
    if (typeof parsed === 'string') return usage(`tsproxy: ${parsed}`);
    headers.push(parsed);
  }
  const remoteAddress = flags.remoteAddress ?? flags.sourceIp;
  if (remoteAddress !== undefined && parseIpAddress(remoteAddress) === undefined) {
    return usage(`tsproxy: --remote-address must be an IP address without port, got "${remoteAddress}"`);
  }
  let destinationPort: number | undefined;
  if (flags.destPort !== undefined) {
    const p = parseNonNegativeInt('--dest-port', flags.destPort);
    if (typeof p === 'string' || p > 65535) return usage(`tsproxy: --dest-port must be a port number, got "${flags.destPort}"`);
    destinationPort = p;
  }
  if (flags.destIp !== undefined && parseIpAddress(flags.destIp) === undefined) {
    return usage(`tsproxy: --dest-ip must be an IP address without port, got "${flags.destIp}"`);
  }
  let originalDst: IpPort | undefined;
  if (flags.originalDst !== undefined) {
    originalDst = parseIpPort(flags.originalDst);
    if (originalDst === undefined) return usage(`tsproxy: --original-dst must be IP:PORT (10.0.0.1:80, [fd00::1]:80), got "${flags.originalDst}"`);
  }
  // --admin: the running proxy's /config_dump stands in for the config file.
  const configName = admin !== undefined ? `${admin.display}/config_dump` : flags.config!;
  let text: string;
  if (admin !== undefined) text = admin.configText;
  else {
    const read = readConfigFile(flags.config!);
    if ('error' in read) return usage(`tsproxy: ${read.error}`);
    text = read.text;
  }
  const loaded = loadConfigText(text, configName, admin !== undefined ? 'config_dump' : flags.type);
  printDiagnostics(loaded.diagnostics, err);
  if (!loaded.config || hasErrors(loaded.diagnostics)) {
    stderr().write(`tsproxy: ${configName}: the config has errors\n`);
    return 2;
  }
  const input: RequestInput = {
    host: flags.host,
    path: flags.path!,
    method: flags.method.toUpperCase(),
    scheme,
    headers,
    randomValue: random,
    remoteAddress,
    sni: flags.sni,
    alpn: flags.alpn?.split(',').map((s) => s.trim()).filter(Boolean),
    ...(flags.destIp !== undefined ? { destinationIp: flags.destIp } : {}),
    ...(destinationPort !== undefined ? { destinationPort } : {}),
  };
  const result = analyzeSafely(loaded.config, input, flags.listener, port, originalDst, flags.routeConfig, opts.decisionChain !== false);
  printDiagnostics(result.diagnostics, err);
  if (!result.ok) {
    stderr().write(`tsproxy: ${result.error}\n`);
    return 2;
  }
  // --admin: the live facts about the routed cluster (live_state.ts).
  const cluster = admin !== undefined ? routedCluster(result.report) : undefined;
  const live = admin !== undefined && cluster !== undefined
    ? liveFacts(admin.display, cluster, parseLiveClusters(admin.clusters), parseStatValues(admin.stats), loaded.config, result.report)
    : undefined;
  if (flags.json) stdout().write(JSON.stringify(admin !== undefined ? { ...(toJson(result.report) as object), live: live ?? null } : toJson(result.report), null, 2) + '\n');
  else stdout().write(format(result.report, out) + (live !== undefined ? '\n' + formatLive(live) : ''));
  return result.report.matched ? 0 : 1;
}

function analyzeSafely(
  config: LoadedConfig,
  input: RequestInput,
  listenerName: string | undefined,
  port: number | undefined,
  originalDst: IpPort | undefined,
  routeConfigName: string | undefined,
  decisionChain: boolean,
) {
  try {
    // Envoy's own address matters only for a loopback peer (appended to x-forwarded-for): the
    // runtime module that finds it is loaded then only.
    const serverAddress = input.remoteAddress !== undefined && isLoopbackAddress(input.remoteAddress) ? serverLocalAddress() : undefined;
    return analyze(config, input, { listenerName, port, routeConfigName, classify: classifyHttpFilter, ...(serverAddress !== undefined ? { serverAddress } : {}), originalDst, decisionChain });
  } catch (e) {
    // A bug, not bad input; still no stack trace for the user (exit 2 with the message).
    return { ok: false as const, error: `internal error while analysing: ${(e as Error).message}`, diagnostics: [] as Diagnostic[] };
  }
}

/** serve's local_info address (runtime/local_info.ts), loaded on use. */
function serverLocalAddress(): string {
  const mod = createRequire(import.meta.url)('../../runtime/local_info.js') as { localInfoAddress: () => string };
  return mod.localInfoAddress();
}

function printDiagnostics(ds: readonly Diagnostic[], style: Style): void {
  for (const d of sortDiagnostics(ds)) {
    if (d.severity === 'info') continue;
    stderr().write(formatDiagnostic(d, style) + '\n');
  }
}
