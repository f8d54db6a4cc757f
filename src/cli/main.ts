/**
 * The command tree. Each command is a plain async function returning an exit code; this is the
 * only module (with bin/tsproxy.js) that decides the process exit code.
 *
 * Commands are loaded on demand: `tsproxy lint` never loads the runtime layer, and `match` starts
 * without parsing serve's modules. `--help` (or an unknown command) loads them all to list them.
 */
import { Command, CommanderError } from 'commander';
import { versionText } from './version.js';
import type { ExitBox } from './exit_box.js';


type Register = (program: Command, box: ExitBox) => void;

/** Command name -> loader of its module's register function, in help order. */
const COMMANDS: ReadonlyArray<readonly [string, () => Promise<Register>]> = [
  ['serve', async () => (await import('./commands/serve.js')).registerServe],
  ['match', async () => (await import('./commands/match.js')).registerMatch],
  ['explain', async () => (await import('./commands/explain.js')).registerExplain],
  ['test', async () => (await import('./commands/test.js')).registerTest],
  ['lint', async () => (await import('./commands/lint.js')).registerLint],
  ['replay', async () => (await import('./commands/replay.js')).registerReplay],
  ['diff', async () => (await import('./commands/diff.js')).registerDiff],
  ['top', async () => (await import('./commands/top.js')).registerTop],
];

export async function main(argv: string[]): Promise<number> {
  const box: ExitBox = { code: 0 };
  const program = new Command();
  program
    .name('tsproxy')
    .description("Envoy's HTTP request path in TypeScript, plus offline tools for Envoy configs")
    .version(versionText().trimEnd(), '-V, --version', 'print the tsproxy, Node.js, llhttp, nghttp2, OpenSSL and RE2 versions')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  const first = argv[2];
  const wanted = COMMANDS.filter(([name]) => name === first);
  for (const [, load] of wanted.length > 0 ? wanted : COMMANDS) (await load())(program, box);
  for (const c of program.commands) c.exitOverride();
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version exit 0; usage errors exit 2.
      return err.exitCode === 0 ? 0 : 2;
    }
    throw err;
  }
  return box.code;
}
