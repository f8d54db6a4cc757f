/**
 * The tsproxy program around a given list of commands: its name, description, `--version`, and
 * the exit-code rules. This (with bin/tsproxy.js) is the only code that decides the process exit
 * code. main.ts passes the commands an argv asks for, loaded on demand from its table; each
 * per-command bundle's entry (entries/*.ts, scripts/bundle.mjs) passes its one command.
 */
import { Command, CommanderError } from 'commander';
import { versionText } from './version.js';
import type { ExitBox } from './exit_box.js';
import { drained, stderr, stdout } from './output/std_streams.js';

/** What a command module exports: adds its command to `program`; its action sets `box.code`. */
export type RegisterCommand = (program: Command, box: ExitBox) => void;

/**
 * Parses `argv` (node's `process.argv`: node, script, then the arguments) against a program
 * holding `commands`, runs the chosen action and resolves to the exit code: the action's
 * `box.code`, 0 for `--help` and `--version`, 2 for a usage error; resolves once what was written
 * through output/std_streams.ts is written. Rejects on a bug.
 */
export async function runProgram(argv: readonly string[], commands: readonly RegisterCommand[]): Promise<number> {
  const box: ExitBox = { code: 0 };
  const program = new Command();
  program
    .name('tsproxy')
    .description("Envoy's HTTP request path in TypeScript, plus offline tools for Envoy configs")
    .version(versionText().trimEnd(), '-V, --version', 'print the tsproxy, Node.js, llhttp, nghttp2, OpenSSL and RE2 versions')
    .exitOverride()
    .configureOutput({ writeOut: (s) => stdout().write(s), writeErr: (s) => stderr().write(s) });
  for (const register of commands) register(program, box);
  for (const c of program.commands) c.exitOverride();
  let code: number;
  try {
    await program.parseAsync(argv);
    code = box.code;
  } catch (err) {
    if (!(err instanceof CommanderError)) throw err;
    // --help and --version exit 0; usage errors exit 2.
    code = err.exitCode === 0 ? 0 : 2;
  }
  // What the command wrote through output/std_streams.ts is in the system's hands once this resolves.
  await drained();
  return code;
}
