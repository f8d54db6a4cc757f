import type { Command } from 'commander';
import type { ExitBox } from '../main.js';

// Placeholder: replaced by the command's real implementation.
export function registerMatch(program: Command, box: ExitBox): void {
  program.command('match').description('(not implemented yet)').action(() => {
    process.stderr.write('tsproxy match: not implemented yet\n');
    box.code = 2;
  });
}
