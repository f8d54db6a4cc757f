/**
 * `tsproxy top [--admin URL] [--interval 1s] [--once] [--json]`: a live dashboard of a running
 * tsproxy, or any Envoy, read from its admin API. On a terminal it runs the ink view until `q`;
 * with `--once`, `--json`, or when stdin/stdout is not a terminal, it prints one snapshot (two
 * polls `--interval` apart, so rates exist) and exits. Exit 0; 1 when the admin cannot be read
 * (a snapshot); 2 on usage errors. ink and react load only for the live view.
 */
import { InvalidArgumentError, type Command } from 'commander';
import type { ExitBox } from '../exit_box.js';

export interface TopFlags {
  admin: string;
  interval: number;
  once?: boolean;
  json?: boolean;
}

export const DEFAULT_ADMIN = 'http://127.0.0.1:9901';
const MIN_INTERVAL_MS = 100;
const MAX_INTERVAL_MS = 3_600_000;

/** `500ms`, `1s`, `1.5s`, `2m`, `1h`, or a bare number of seconds -> ms, within 100 ms .. 1 h. */
export function parseInterval(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!m) throw new InvalidArgumentError('expected a duration such as 500ms, 1s or 2m');
  const n = Number(m[1]);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] ?? 's'] ?? 1000;
  const ms = n * unit;
  if (ms < MIN_INTERVAL_MS || ms > MAX_INTERVAL_MS) throw new InvalidArgumentError('must be between 100ms and 1h');
  return Math.round(ms);
}

export function registerTop(program: Command, box: ExitBox): void {
  program
    .command('top')
    .description('live dashboard of a running tsproxy or Envoy from its admin API (one snapshot when not on a terminal)')
    .option('--admin <url>', 'admin API address', DEFAULT_ADMIN)
    .option('--interval <duration>', 'time between polls (500ms, 1s, 2m)', parseInterval, 1000)
    .option('--once', 'print one snapshot (two polls --interval apart) and exit')
    .option('--json', 'print one snapshot as JSON and exit')
    .action(async (flags: TopFlags) => {
      const { AdminClient, parseAdminAddress } = await import('../../tui/admin_client.js');
      let base: URL;
      try {
        base = parseAdminAddress(flags.admin);
      } catch (e) {
        process.stderr.write(`tsproxy top: ${(e as Error).message}\n`);
        box.code = 2;
        return;
      }
      const client = new AdminClient(base);
      const live = !flags.once && !flags.json && process.stdout.isTTY === true && process.stdin.isTTY === true;
      if (live) {
        // Loaded on use: ink and react cost every other command nothing.
        const { runInteractive } = await import('../../tui/interactive.js');
        box.code = await runInteractive(client, flags.interval);
        return;
      }
      const { runSnapshot } = await import('../../tui/once.js');
      box.code = await runSnapshot(client, flags.interval, flags.json === true, {
        stdout: process.stdout,
        stderr: process.stderr,
        sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
      });
    });
}
