/**
 * `tsproxy top --once` / `--json`, and `top` whenever stdout is not a terminal: two polls
 * `interval` apart (so rates exist), one snapshot printed as text or JSON. No ink.
 */
import type { AdminClient } from './admin_client.js';
import { formatSnapshotText, snapshotJson } from './model/snapshot.js';
import { buildView } from './model/view.js';

export interface SnapshotIo {
  readonly stdout: { write(s: string): unknown; columns?: number; isTTY?: boolean };
  readonly stderr: { write(s: string): unknown };
  readonly sleep: (ms: number) => Promise<void>;
}

/** Width of a text snapshot written to a pipe or file: wide enough for every column. */
export const PIPE_WIDTH = 160;

/**
 * Prints one snapshot. Exit code 0 when both polls succeeded, 1 (with the reason on stderr)
 * when either failed.
 */
export async function runSnapshot(client: AdminClient, intervalMs: number, json: boolean, io: SnapshotIo): Promise<number> {
  try {
    const first = await client.poll();
    await io.sleep(intervalMs);
    const second = await client.poll();
    const view = buildView(first, second);
    if (json) {
      io.stdout.write(JSON.stringify(snapshotJson(view, client.display), null, 2) + '\n');
    } else {
      const width = io.stdout.isTTY && io.stdout.columns ? io.stdout.columns : PIPE_WIDTH;
      io.stdout.write(formatSnapshotText(view, client.display, width));
    }
    return 0;
  } catch (e) {
    io.stderr.write(`tsproxy top: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  } finally {
    client.close();
  }
}
