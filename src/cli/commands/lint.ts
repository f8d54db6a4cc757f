/**
 * `tsproxy lint FILE... [-]`: validate Envoy configs for CI. Reads the files (or stdin for `-`),
 * runs the lint engine on each, prints one report in the chosen format, and returns the exit
 * code: 0 when no finding about the config reaches `--fail-on` (default error), 1 when one does
 * (a malformed file included) or, with `--fail-on-unsupported`, when a finding about tsproxy is a
 * warning or worse (analysis/lint/concerns.ts), 2 for usage errors or unreadable files.
 */
import { readFileSync, statSync } from 'node:fs';
import { relative, resolve, sep } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import type { Diagnostic, Severity } from '../../config/diagnostic.js';
import { MAX_CONFIG_BYTES } from '../../config/defaults.js';
import { lintText, type ConfigType } from '../../analysis/lint/lint.js';
import { allRules, ruleMeta } from '../../analysis/lint/registry.js';
import { closest } from '../../analysis/lint/walk.js';
import { concernOf, failsLint } from '../../analysis/lint/concerns.js';
import type { ExitBox } from '../exit_box.js';
import { formatGithub } from '../format/github.js';
import { formatJson } from '../format/json.js';
import { formatSarif, pathToUri } from '../format/sarif.js';
import { formatSummary, formatText } from '../format/text.js';
import { formatRuleList } from '../format/rules.js';
import { styleFor } from '../output/style.js';
import { stdout, stderr } from '../output/std_streams.js';

export type LintFormat = 'text' | 'json' | 'sarif' | 'github';

export interface LintCommandOptions {
  format: LintFormat;
  failOn: Severity;
  ruleOff: string[];
  quiet: boolean;
  listRules: boolean;
  type?: ConfigType;
  /** Findings about tsproxy (a feature it does not implement) also fail the run. */
  failOnUnsupported?: boolean;
}

/** The name stdin's diagnostics carry. */
export const STDIN_NAME = '<stdin>';

const RANK: Record<Severity, number> = { info: 0, warning: 1, error: 2 };

/** Severity at or above `min`. */
export function reaches(s: Severity, min: Severity): boolean {
  return RANK[s] >= RANK[min];
}

/** Streams the command writes to, injectable for tests. */
export interface LintIo {
  readonly stdout: { write(s: string): unknown; isTTY?: boolean };
  readonly stderr: { write(s: string): unknown };
  readonly readFile: (file: string) => string;
  /** Size in bytes of a file, to refuse huge ones before reading them. */
  readonly fileSize: (file: string) => number;
  readonly readStdin: () => string;
  readonly cwd: string;
}

const defaultIo = (): LintIo => ({
  stdout: stdout(),
  stderr: stderr(),
  readFile: (f) => readFileSync(f, 'utf8'),
  fileSize: (f) => statSync(f).size,
  readStdin: () => readFileSync(0, 'utf8'),
  cwd: process.cwd(),
});

/** URI of a file relative to `cwd`, for SARIF and GitHub annotations. */
function relUri(file: string, cwd: string): string {
  if (file === STDIN_NAME) return 'stdin';
  const rel = relative(cwd, resolve(cwd, file));
  return rel.split(sep).join('/');
}

/** Runs `tsproxy lint`; returns the exit code. */
export function runLint(files: string[], opts: LintCommandOptions, io: LintIo = defaultIo()): number {
  const style = styleFor(io.stdout);
  if (opts.listRules) {
    // JSON for tooling (`--list-rules --format json`); text otherwise.
    io.stdout.write(
      opts.format === 'json'
        ? JSON.stringify(allRules.map((r) => ({ id: r.id, severity: r.severity, category: r.category, summary: r.summary, help: r.help, example: r.example })), null, 2) + '\n'
        : formatRuleList(allRules, style),
    );
    return 0;
  }
  if (files.length === 0) {
    io.stderr.write('tsproxy lint: no files given (pass FILE... or - for stdin; --list-rules to see the rules)\n');
    return 2;
  }
  for (const id of opts.ruleOff) {
    if (ruleMeta(id) === undefined) {
      const hint = closest(id, allRules.map((r) => r.id));
      io.stderr.write(`tsproxy lint: unknown rule "${id}" in --rule-off${hint ? ` (did you mean "${hint}"?)` : ''}; see --list-rules\n`);
      return 2;
    }
  }
  const ruleOff = new Set(opts.ruleOff);
  let unreadable = false;
  const reports: { file: string; source: string | undefined; diagnostics: Diagnostic[] }[] = [];
  let stdinUsed = false;
  for (const f of files) {
    let source: string;
    const name = f === '-' ? STDIN_NAME : f;
    try {
      if (f === '-') {
        if (stdinUsed) continue;
        stdinUsed = true;
        source = io.readStdin();
      } else {
        const size = io.fileSize(f);
        if (size > MAX_CONFIG_BYTES) {
          // The loader refuses these too; do not read a huge file into memory just to say so.
          const d: Diagnostic = {
            file: name, line: 1, col: 1, severity: 'error', rule: 'config/limit', path: '$',
            message: `config is ${size} bytes, over the 64 MiB limit; refusing to load it`,
          };
          reports.push({ file: name, source: undefined, diagnostics: ruleOff.has(d.rule) ? [] : [d] });
          continue;
        }
        source = io.readFile(f);
      }
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : code === 'EACCES' ? 'permission denied' : (err as Error).message;
      io.stderr.write(`tsproxy lint: cannot read ${name}: ${reason}\n`);
      unreadable = true;
      continue;
    }
    let all: Diagnostic[];
    try {
      all = lintText(source, name, opts.type !== undefined ? { type: opts.type, ruleOff } : { ruleOff });
    } catch (err) {
      // The loader and rules promise not to throw; if one does, report it on this file and go on.
      const why = err instanceof Error ? err.message : String(err);
      all = [{ file: name, line: 1, col: 1, severity: 'error', rule: 'lint/internal', path: '$', message: `tsproxy failed on this file (${why}); please report it` }];
    }
    const shown = opts.quiet ? all.filter((d) => failsLint(d, opts.failOn, opts.failOnUnsupported === true)) : all;
    reports.push({ file: name, source, diagnostics: shown });
  }
  const everything = reports.flatMap((r) => r.diagnostics);
  switch (opts.format) {
    case 'json':
      io.stdout.write(formatJson(everything, (d) => concernOf(d.rule)));
      break;
    case 'sarif':
      io.stdout.write(formatSarif(everything, { rules: allRules, uriOf: (f) => pathToUri(relUri(f, io.cwd)), toolVersion: '0.1.0', concernOf: (d) => concernOf(d.rule) }));
      break;
    case 'github':
      io.stdout.write(formatGithub(everything, (f) => relUri(f, io.cwd), (d) => concernOf(d.rule) === 'tsproxy' && opts.failOnUnsupported !== true));
      break;
    case 'text': {
      for (const r of reports) io.stdout.write(formatText(r.diagnostics, r.source, style, (d) => concernOf(d.rule) === 'tsproxy'));
      if (!opts.quiet) {
        const counts = { error: 0, warning: 0, info: 0, unsupported: 0 };
        for (const d of everything) {
          // Findings about tsproxy are counted apart (infos stay infos).
          if (concernOf(d.rule) === 'tsproxy' && d.severity !== 'info') counts.unsupported++;
          else counts[d.severity]++;
        }
        io.stdout.write(formatSummary(counts, reports.length, style) + '\n');
      }
      break;
    }
  }
  if (unreadable) return 2;
  return everything.some((d) => failsLint(d, opts.failOn, opts.failOnUnsupported === true)) ? 1 : 0;
}

function choice<T extends string>(values: readonly T[], what: string): (v: string) => T {
  return (v) => {
    if ((values as readonly string[]).includes(v)) return v as T;
    throw new InvalidArgumentError(`${what} must be one of ${values.join(', ')}`);
  };
}

/** Registers `lint` on the program; the action stores its exit code in `box`. */
export function registerLint(program: Command, box: ExitBox): void {
  program
    .command('lint')
    .description('validate Envoy configs for CI: schema and semantic checks with file:line:col, text/json/sarif/github output')
    .argument('[files...]', 'config files (YAML or JSON: Bootstrap, RouteConfiguration or /config_dump); - reads stdin')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json', 'sarif', 'github']).default('text'))
    .addOption(new Option('--fail-on <severity>', 'exit 1 when a finding about the config reaches this severity').choices(['error', 'warning', 'info']).default('error'))
    .option('--fail-on-unsupported', 'also exit 1 on findings about tsproxy (a feature of the config it does not implement: category tsproxy)', false)
    .option('--rule-off <id>', 'do not report this rule (repeatable)', (v: string, prev: string[]) => [...prev, v], [] as string[])
    .option('-q, --quiet', 'print only findings that reach --fail-on, and no summary', false)
    .option('--list-rules', 'print every rule with its id, severity and an example', false)
    .option('-c, --config <file>', 'a config file, as in the other commands (repeatable; - reads stdin)', (v: string, prev: string[]) => [...prev, v], [] as string[])
    .option('--config-path <file>', "alias of -c (Envoy's spelling)", (v: string, prev: string[]) => [...prev, v], [] as string[])
    .addOption(new Option('--type <type>', 'force the document kind instead of detecting it').argParser(
      (v: string): ConfigType => {
        // `route_configuration` is the LoadedConfig kind's spelling; accept it too.
        if (v === 'route_configuration') return 'route';
        return choice(['bootstrap', 'route', 'config_dump'] as const, '--type')(v);
      },
    ))
    .action((files: string[], o: { format: LintFormat; failOn: Severity; failOnUnsupported: boolean; ruleOff: string[]; quiet: boolean; listRules: boolean; type?: ConfigType; config: string[]; configPath: string[] }) => {
      files = [...files, ...o.config, ...o.configPath];
      const opts: LintCommandOptions = { format: o.format, failOn: o.failOn, failOnUnsupported: o.failOnUnsupported, ruleOff: o.ruleOff, quiet: o.quiet, listRules: o.listRules };
      if (o.type !== undefined) opts.type = o.type;
      box.code = runLint(files, opts);
    });
}
