/**
 * The entry of `tsproxy lint`'s bundle (scripts/bundle.mjs -> dist/cli/lint.js): the program with
 * that one command. Imports neither main.ts nor another command, or the bundle would hold them.
 */
import { registerLint } from '../commands/lint.js';
import { runProgram } from '../program.js';

/** Runs `tsproxy lint` with node's `argv`; resolves to the exit code (program.ts). */
export function main(argv: string[]): Promise<number> {
  return runProgram(argv, [registerLint]);
}
