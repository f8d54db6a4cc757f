/**
 * The entry of `tsproxy explain`'s bundle (scripts/bundle.mjs -> dist/cli/explain.js): the program with
 * that one command. Imports neither main.ts nor another command, or the bundle would hold them.
 */
import { registerExplain } from '../commands/explain.js';
import { runProgram } from '../program.js';

/** Runs `tsproxy explain` with node's `argv`; resolves to the exit code (program.ts). */
export function main(argv: string[]): Promise<number> {
  return runProgram(argv, [registerExplain]);
}
