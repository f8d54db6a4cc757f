/**
 * `tsproxy explain`: the decision chain in plain words — every virtual host and route considered
 * and why it missed, the outcome with Envoy's status, response flag, details and stat, and the
 * near misses. Same flags and exit codes as `match`.
 */
import type { Command } from 'commander';
import type { ExitBox } from '../exit_box.js';
import { addQueryOptions, type QueryFlags } from '../output/query_options.js';
// --- explain --log / --flags (explain_log_flags.ts) ---
import { addLogFlagsOptions, runLogOrFlags, wantsLogOrFlags, type LogFlagsOptions } from './explain_log_flags.js';
import { stderr } from '../output/std_streams.js';
// --- end explain --log / --flags ---

export function registerExplain(program: Command, box: ExitBox): void {
  const cmd = addQueryOptions(
    program
      .command('explain')
      .description('explain the routing decision step by step: what matched, what missed and why, what Envoy replies'),
  );
  // --- explain --log / --flags: their options; --path is required only without them ---
  addLogFlagsOptions(cmd).action(async (flags: QueryFlags & LogFlagsOptions) => {
    if (wantsLogOrFlags(flags)) {
      try {
        box.code = await runLogOrFlags(flags);
      } catch (e) {
        stderr().write(`tsproxy explain: ${(e as Error).message}\n`);
        box.code = 2;
      }
      return;
    }
    if (flags.path === undefined) {
      stderr().write("error: required option '--path <path>' not specified\n");
      box.code = 2;
      return;
    }
    // --- end explain --log / --flags ---
    // Loaded on use: other commands do not pay for the routing core and config loader.
    try {
      const [{ runQuery }, { formatExplain }] = await Promise.all([import('../output/query.js'), import('../output/explain_text.js')]);
      // --admin: config and live cluster state from a running proxy (admin_source.ts).
      const admin = flags.admin !== undefined ? await (await import('../output/admin_source.js')).fetchAdminSource(flags.admin) : undefined;
      box.code = runQuery(flags, formatExplain, (r) => r, admin);
    } catch (e) {
      stderr().write(`tsproxy explain: ${(e as Error).message}\n`);
      box.code = 2;
    }
  });
}
