/**
 * The entry of `tsproxy diff`'s bundle (scripts/bundle.mjs -> dist/cli/diff.js): the program with
 * that one command. Imports neither main.ts nor another command, or the bundle would hold them.
 */
import { registerDiff } from '../commands/diff.js';
import { runProgram } from '../program.js';

/** Runs `tsproxy diff` with node's `argv`; resolves to the exit code (program.ts). */
export function main(argv: string[]): Promise<number> {
  return runProgram(argv, [registerDiff]);
}
