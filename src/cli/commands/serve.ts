import type { Command } from 'commander';
import type { ExitBox } from '../main.js';

// Placeholder: replaced by the command's real implementation.
export function registerServe(program: Command, box: ExitBox): void {
  program.command('serve').description('(not implemented yet)').action(() => {
    process.stderr.write('tsproxy serve: not implemented yet\n');
    box.code = 2;
  });
}
