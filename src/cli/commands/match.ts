/**
 * `tsproxy match`: where would this request go? Listener, filter chain, virtual host, route,
 * action, cluster (with the weighted pick), rewrites, timeouts, policies and the HTTP filters
 * that run. Exit 0 when a route matched, 1 when none did, 2 on usage or config errors.
 */
import type { Command } from 'commander';
import type { ExitBox } from '../exit_box.js';
import { addQueryOptions, type QueryFlags } from '../output/query_options.js';
import { stderr } from '../output/std_streams.js';

export function registerMatch(program: Command, box: ExitBox): void {
  addQueryOptions(
    program
      .command('match')
      .description('show where a request goes: listener, virtual host, route, cluster, rewrites, policies, filters'),
  ).action(async (flags: QueryFlags) => {
    // Loaded on use: other commands do not pay for the routing core and config loader.
    try {
      const [{ runQuery }, { formatMatch }, { toMatchReport }] = await Promise.all([
        import('../output/query.js'),
        import('../output/match_text.js'),
        import('../../analysis/explain/analyze.js'),
      ]);
      // --admin: config and live cluster state from a running proxy (admin_source.ts).
      const admin = flags.admin !== undefined ? await (await import('../output/admin_source.js')).fetchAdminSource(flags.admin) : undefined;
      // No decision chain: the match report leaves out steps, near misses and unreached routes.
      box.code = runQuery(flags, formatMatch, toMatchReport, admin, { decisionChain: false });
    } catch (e) {
      stderr().write(`tsproxy match: ${(e as Error).message}\n`);
      box.code = 2;
    }
  });
}
