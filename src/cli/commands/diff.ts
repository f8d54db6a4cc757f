/**
 * `tsproxy diff old.yaml new.yaml`: what changed between two configs (listeners, route
 * configurations, virtual hosts, routes, clusters: added, removed, changed, moved) and which
 * requests — derived from every route's matchers — now route differently. A CI gate: exit 1 when
 * routing changes, 0 when it does not, 2 on usage or config errors.
 */
import { readFileSync } from 'node:fs';
import { Option, type Command } from 'commander';
import type { ExitBox } from '../exit_box.js';
import { stdout, stderr } from '../output/std_streams.js';

interface DiffFlags {
  type?: 'bootstrap' | 'route' | 'config_dump';
  json?: boolean;
  limit: string;
}

export function registerDiff(program: Command, box: ExitBox): void {
  program
    .command('diff')
    .description('what changed between two configs, and which requests now route differently (exit 1 when any does)')
    .argument('<old>', 'the config before (Bootstrap, RouteConfiguration or /config_dump; YAML or JSON; - for stdin)')
    .argument('<new>', 'the config after')
    .addOption(new Option('--type <type>', 'force the config type of both files').choices(['bootstrap', 'route', 'config_dump']))
    .option('--limit <n>', 'routing changes shown in the text report', '50')
    .option('--json', 'print the documented JSON report (docs/diff.md)')
    .action(async (oldFile: string, newFile: string, flags: DiffFlags) => {
      try {
        box.code = await runDiff(oldFile, newFile, flags);
      } catch (e) {
        stderr().write(`tsproxy diff: ${(e as Error).message}\n`);
        box.code = 2;
      }
    });
}

async function runDiff(oldFile: string, newFile: string, flags: DiffFlags): Promise<number> {
  // Loaded on use: other commands do not pay for the routing core and config loader.
  const [{ loadConfigText, readConfigFile }, { formatDiagnostic, hasErrors, sortDiagnostics }, { styleFor }, { diffConfigs }, { formatDiff }] = await Promise.all([
    import('../output/config_loader.js'),
    import('../output/diagnostics.js'),
    import('../output/style.js'),
    import('../../analysis/diff/diff.js'),
    import('../output/diff_text.js'),
  ]);
  const usage = (m: string) => {
    stderr().write(`tsproxy diff: ${m}\n`);
    return 2;
  };
  if (!/^\d+$/.test(flags.limit)) return usage(`--limit must be a non-negative integer, got "${flags.limit}"`);
  if (oldFile === '-' && newFile === '-') return usage('stdin (-) can be read once');
  const err = styleFor(stderr());
  const load = (file: string) => {
    const read = file === '-' ? readStdin() : readConfigFile(file);
    if ('error' in read) return { error: read.error };
    const loaded = loadConfigText(read.text, file === '-' ? '<stdin>' : file, flags.type);
    for (const d of sortDiagnostics(loaded.diagnostics)) if (d.severity !== 'info') stderr().write(formatDiagnostic(d, err) + '\n');
    if (!loaded.config || hasErrors(loaded.diagnostics)) return { error: `${file}: the config has errors` };
    return { config: loaded.config };
  };
  const a = load(oldFile);
  if ('error' in a) return usage(a.error!);
  const b = load(newFile);
  if ('error' in b) return usage(b.error!);
  const { report, oldRouter, newRouter } = diffConfigs(a.config!, b.config!, { serverAddress: (await import('../../runtime/local_info.js')).localInfoAddress() });
  for (const r of [oldRouter, newRouter]) {
    for (const d of sortDiagnostics([...r.diagnostics])) if (d.severity !== 'info') stderr().write(formatDiagnostic(d, err) + '\n');
    if (r.hasErrors) return usage(`${r.config.file}: a route configuration does not compile`);
  }
  if (flags.json) stdout().write(JSON.stringify(report, null, 2) + '\n');
  else stdout().write(formatDiff(report, styleFor(stdout()), Number(flags.limit)));
  return report.routing_changed ? 1 : 0;
}

/** stdin as a config text (the same contract as readConfigFile). */
function readStdin(): { text: string } | { error: string } {
  try {
    return { text: readFileSync(0, 'utf8') };
  } catch (e) {
    return { error: `cannot read stdin: ${(e as Error).message}` };
  }
}
