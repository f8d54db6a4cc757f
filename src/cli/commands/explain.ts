/**
 * `tsproxy explain`: the decision chain in plain words — every virtual host and route considered
 * and why it missed, the outcome with Envoy's status, response flag, details and stat, and the
 * near misses. Same flags and exit codes as `match`.
 */
import type { Command } from 'commander';
import type { ExitBox } from '../main.js';
import { addQueryOptions, type QueryFlags } from '../output/query_options.js';

export function registerExplain(program: Command, box: ExitBox): void {
  addQueryOptions(
    program
      .command('explain')
      .description('explain the routing decision step by step: what matched, what missed and why, what Envoy replies'),
  ).action(async (flags: QueryFlags) => {
    // Loaded on use: other commands do not pay for the routing core and config loader.
    try {
      const [{ runQuery }, { formatExplain }] = await Promise.all([import('../output/query.js'), import('../output/explain_text.js')]);
      box.code = runQuery(flags, formatExplain, (r) => r);
    } catch (e) {
      process.stderr.write(`tsproxy explain: ${(e as Error).message}\n`);
      box.code = 2;
    }
  });
}
