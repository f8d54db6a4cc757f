/**
 * The whole command tree, for the commands without a bundle of their own and for
 * `TSPROXY_NO_BUNDLE=1` (bin/tsproxy.js decides; docs/core.md "Third pass: per-command
 * bundles"). The program itself (name, `--version`, exit codes) is program.ts.
 *
 * Commands are loaded on demand: `tsproxy lint` never loads the runtime layer, and `match` starts
 * without parsing serve's modules. `--help` (or an unknown command) loads them all to list them.
 * The per-command bundles' entries (entries/*.ts) never import this module: its table would pull
 * every command into each bundle.
 */
import { runProgram, type RegisterCommand } from './program.js';

/** Command name -> loader of its module's register function, in help order. */
const COMMANDS: ReadonlyArray<readonly [string, () => Promise<RegisterCommand>]> = [
  ['serve', async () => (await import('./commands/serve.js')).registerServe],
  ['match', async () => (await import('./commands/match.js')).registerMatch],
  ['explain', async () => (await import('./commands/explain.js')).registerExplain],
  ['test', async () => (await import('./commands/test.js')).registerTest],
  ['lint', async () => (await import('./commands/lint.js')).registerLint],
  ['replay', async () => (await import('./commands/replay.js')).registerReplay],
  ['diff', async () => (await import('./commands/diff.js')).registerDiff],
  ['top', async () => (await import('./commands/top.js')).registerTop],
];

/** Runs the command `argv[2]` names (every command for help or an unknown name); resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  const first = argv[2];
  const wanted = COMMANDS.filter(([name]) => name === first);
  const commands: RegisterCommand[] = [];
  for (const [, load] of wanted.length > 0 ? wanted : COMMANDS) commands.push(await load());
  return runProgram(argv, commands);
}
