/**
 * The entry of `tsproxy match`'s bundle (scripts/bundle.mjs -> dist/cli/match.js): the program with
 * that one command. Imports neither main.ts nor another command, or the bundle would hold them.
 */
import { registerMatch } from '../commands/match.js';
import { runProgram } from '../program.js';

/** Runs `tsproxy match` with node's `argv`; resolves to the exit code (program.ts). */
export function main(argv: string[]): Promise<number> {
  return runProgram(argv, [registerMatch]);
}
