/**
 * The command tree. Each command is a plain async function returning an exit code; this is the
 * only module (with bin/tsproxy.js) that decides the process exit code.
 */
import { Command, CommanderError } from 'commander';
import { registerMatch } from './commands/match.js';
import { registerExplain } from './commands/explain.js';
import { registerTest } from './commands/test.js';
import { registerLint } from './commands/lint.js';
import { registerServe } from './commands/serve.js';

/** Exit code slot the command actions set; commander actions cannot return values. */
export interface ExitBox {
  code: number;
}

export async function main(argv: string[]): Promise<number> {
  const box: ExitBox = { code: 0 };
  const program = new Command();
  program
    .name('tsproxy')
    .description("Envoy's HTTP request path in TypeScript, plus offline tools for Envoy configs")
    .version('0.1.0')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  registerServe(program, box);
  registerMatch(program, box);
  registerExplain(program, box);
  registerTest(program, box);
  registerLint(program, box);
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
