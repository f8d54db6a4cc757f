/**
 * What a tsproxy command loads, through the real launcher (bin/tsproxy) with node's own `--import`
 * preload passed in TSPROXY_NODE_ARGS (docs/core.md "tsproxy match cold start"): the preload
 * records every module the process resolves, by import or require, with the module that asked,
 * and every file compiled as a vm.Script (a command bundle; its parent is "vm.Script"), and
 * prints them at exit (tests only).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
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

let hookFile: string | undefined;

/** The preload, written once per test process. */
function hook(): string {
  if (hookFile === undefined) {
    hookFile = join(mkdtempSync(join(tmpdir(), 'tsproxy-loads-')), 'record_loads.mjs');
    writeFileSync(
      hookFile,
      [
        "import { registerHooks } from 'node:module';",
        'const seen = new Set();',
        "registerHooks({ resolve(spec, ctx, next) { const r = next(spec, ctx); seen.add(`${r.url} ${ctx.parentURL ?? '-'}`); return r; } });",
        // A command bundle is compiled with node:vm (src/cli/bundle_loader.ts), not imported.
        "import { pathToFileURL } from 'node:url';",
        "const vm = process.getBuiltinModule('node:vm');",
        "vm.Script = new Proxy(vm.Script, { construct(t, args, nt) { if (args[1]?.filename) seen.add(`${pathToFileURL(args[1].filename).href} vm.Script`); return Reflect.construct(t, args, nt); } });",
        "process.on('exit', () => process.stderr.write([...seen].map((u) => `loaded ${u}\\n`).join('')));",
      ].join('\n'),
    );
  }
  return hookFile;
}

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
      TSPROXY_NODE_ARGS: `--import=${pathToFileURL(hook()).href}`,
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
