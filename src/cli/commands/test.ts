import type { Command } from 'commander';
import type { ExitBox } from '../main.js';

// Placeholder: replaced by the command's real implementation.
export function registerTest(program: Command, box: ExitBox): void {
  program.command('test').description('(not implemented yet)').action(() => {
    process.stderr.write('tsproxy test: not implemented yet\n');
    box.code = 2;
  });
}
