/** Spawns the real bin/tsproxy.js with NO_COLOR=1 from the repo root (tests only). */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Repo root: dist/test/cli/run_cli.js -> ../../../ */
export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(args: readonly string[]): CliResult {
  const r = spawnSync(process.execPath, ['bin/tsproxy.js', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: undefined },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
