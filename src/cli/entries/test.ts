/**
 * The entry of `tsproxy test`'s bundle (scripts/bundle.mjs -> dist/cli/test.js): the program with
 * that one command. Imports neither main.ts nor another command, or the bundle would hold them.
 */
import { registerTest } from '../commands/test.js';
import { runProgram } from '../program.js';

/** Runs `tsproxy test` with node's `argv`; resolves to the exit code (program.ts). */
export function main(argv: string[]): Promise<number> {
  return runProgram(argv, [registerTest]);
}
