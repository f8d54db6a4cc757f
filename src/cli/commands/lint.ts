import type { Command } from 'commander';
import type { ExitBox } from '../main.js';

// Placeholder: replaced by the command's real implementation.
export function registerLint(program: Command, box: ExitBox): void {
  program.command('lint').description('(not implemented yet)').action(() => {
    process.stderr.write('tsproxy lint: not implemented yet\n');
    box.code = 2;
  });
}
