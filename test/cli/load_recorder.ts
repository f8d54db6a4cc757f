/**
 * What a tsproxy command loads, through the real launcher (bin/tsproxy) with node's own `--import`
 * preload (scripts/record_loads.mjs) passed in TSPROXY_NODE_ARGS (docs/core.md "tsproxy match
 * cold start"): every module the process resolves, by import or require, with the module that
 * asked, and every file compiled as a vm.Script (a command bundle; its parent is "vm.Script").
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT } from './run_cli.js';

/** One module resolved: its URL and the URL of the module that imported or required it. */
export interface Load {
  url: string;
  parent: string;
}

export interface RecordedRun {
  status: number | null;
  stdout: string;
  stderr: string;
  loads: Load[];
  /** The URLs of `loads`, each once. */
  urls: string[];
}

/** The preload (scripts/record_loads.mjs). */
const HOOK = join(ROOT, 'scripts', 'record_loads.mjs');

/**
 * Runs `<root>/bin/tsproxy args` (root: the repo's, or a copy of the package) from the repo root
 * with the recording preload and `env` on top of NO_COLOR=1.
 */
export function loadedBy(args: readonly string[], env: Record<string, string | undefined> = {}, root: string = ROOT): RecordedRun {
  const r = spawnSync(join(root, 'bin', 'tsproxy'), args, {
    cwd: ROOT,
    encoding: 'utf8',
    env: {
      ...process.env,
      NO_COLOR: '1',
      FORCE_COLOR: undefined,
      TSPROXY_NO_BUNDLE: undefined,
      ...env,
      TSPROXY_NODE: process.execPath,
      TSPROXY_NODE_ARGS: `--import=${pathToFileURL(HOOK).href}`,
    },
  });
  const loads = r.stderr
    .split('\n')
    .filter((l) => l.startsWith('loaded '))
    .map((l) => {
      const [url = '', parent = ''] = l.slice('loaded '.length).split(' ');
      return { url, parent };
    });
  const stderr = r.stderr
    .split('\n')
    .filter((l) => !l.startsWith('loaded '))
    .join('\n');
  return { status: r.status, stdout: r.stdout, stderr, loads, urls: [...new Set(loads.map((l) => l.url))] };
}

/** The dist/src path of an URL of ours ("core/route.js"), or undefined. */
export function ownModule(url: string): string | undefined {
  return /\/dist\/src\/(.+)$/.exec(url)?.[1];
}
