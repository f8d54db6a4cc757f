import type { Command } from 'commander';
import type { ExitBox } from '../main.js';

// Placeholder: replaced by the command's real implementation.
export function registerExplain(program: Command, box: ExitBox): void {
  program.command('explain').description('(not implemented yet)').action(() => {
    process.stderr.write('tsproxy explain: not implemented yet\n');
    box.code = 2;
  });
}
