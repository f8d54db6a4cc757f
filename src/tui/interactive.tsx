/**
 * Runs the live dashboard on the terminal until `q` (or Ctrl+C). Only `tsproxy top` on a TTY
 * loads this module, so other commands never load ink or react.
 */
import { render } from 'ink';
import type { AdminClient } from './admin_client.js';
import { TopApp } from './app.js';

/**
 * Draws the dashboard in the terminal's alternate screen (restored on exit, as top and htop
 * do) and resolves 0 when the user quits. The caller has checked that stdin and stdout are
 * terminals, so ink is told the session is interactive even where `CI` is set.
 */
export async function runInteractive(client: AdminClient, intervalMs: number): Promise<number> {
  const poll = () => client.poll();
  // A terminal that shrinks reflows or cuts the last frame, and ink then redraws relative to a
  // cursor that moved: wipe the (alternate) screen first. Registered before ink's own listener,
  // so ink's redraw follows on a clean screen.
  const stdout = process.stdout;
  const wipe = (): void => void stdout.write('\u001b[2J\u001b[H');
  stdout.on('resize', wipe);
  const app = render(<TopApp poll={poll} intervalMs={intervalMs} admin={client.display} />, {
    alternateScreen: true,
    interactive: true,
    exitOnCtrlC: true,
    patchConsole: false,
  });
  try {
    await app.waitUntilExit();
  } finally {
    stdout.off('resize', wipe);
    client.close();
  }
  return 0;
}
