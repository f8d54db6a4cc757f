/**
 * Runs a per-command bundle (dist/cli/<command>.js, written by scripts/bundle.mjs: one function
 * expression) with a V8 code cache of what the command ran (docs/core.md "Fifth pass: a code
 * cache of what ran").
 *
 * Node's own compile cache (module.enableCompileCache, bin/tsproxy.js) serializes a module's code
 * right after compiling it, before it runs: it holds the top-level code and none of the functions
 * V8 compiles lazily on their first call, which are most of a command's code, so every run
 * compiled them again. Here the bundle is compiled with node:vm and, once a command has done its
 * work, `script.createCachedData()` serializes everything compiled by then; the next run
 * deserializes it instead of compiling.
 *
 * The cache file sits in Node's compile-cache directory (`module.getCompileCacheDir()`: under
 * NODE_COMPILE_CACHE or `<os.tmpdir()>/node-compile-cache`, one directory per Node version, V8
 * flags and user; none when NODE_DISABLE_COMPILE_CACHE=1 or it cannot be made), named after the
 * command, a hash of the bundle's path, and its size, modification time and inode: a rebuilt
 * bundle gets a new file, which replaces the one of its previous build (other copies of tsproxy
 * keep theirs). V8 checks the rest itself (its version, flags and the source's length)
 * and rejects a cache that does not fit; a rejected cache is written again. The directory is used
 * only when it belongs to this user and nobody else can write to it: code read from a cache runs
 * as tsproxy. Failing to read or write the cache never fails the command; it only costs time.
 */
import type { Stats } from 'node:fs';
import type { Script } from 'node:vm';

/** A bundle ready to run. */
export interface LoadedBundle {
  /** The bundle's entry (src/cli/entries/<command>.ts): runs the command with node's argv, resolves to its exit code. */
  main(argv: readonly string[]): Promise<number>;
  /**
   * After `main` resolved to `code`: writes the code cache when there was none or V8 rejected it,
   * and the run did the command's work (exit 0 or 1, no --help or --version: their cache would
   * hold little of the command). Never throws.
   */
  saveCodeCache(argv: readonly string[], code: number): void;
}

/** The bundle's function expression (scripts/bundle.mjs's banner). */
type BundleFunction = (exports: object, require: NodeJS.Require, module: { exports: object }, bundleUrl: string) => void;

/**
 * Compiles and evaluates the bundle at `url` (a file: URL), with its code cache when there is
 * one. `built`: the bundle file's status when the caller has it already (the launcher does).
 */
export function loadBundle(url: URL, built?: Stats): LoadedBundle {
  const fs = process.getBuiltinModule('node:fs');
  const { fileURLToPath } = process.getBuiltinModule('node:url');
  const nodeModule = process.getBuiltinModule('node:module');
  const vm = process.getBuiltinModule('node:vm');
  const file = fileURLToPath(url);
  const command = file.slice(file.lastIndexOf('/') + 1).replace(/\.js$/, '');
  const cache = cacheFile(file, command, built ?? fs.statSync(file));
  let cachedData: Buffer | undefined;
  if (cache !== undefined) {
    try {
      cachedData = fs.readFileSync(cache.path);
    } catch {
      // No cache yet.
    }
  }
  const script: Script = new vm.Script(fs.readFileSync(file, 'utf8'), { filename: file, cachedData });
  const fn = script.runInThisContext() as BundleFunction;
  const module = { exports: {} as { main?: LoadedBundle['main'] } };
  fn.call(module.exports, module.exports, nodeModule.createRequire(file), module, url.href);
  const main = module.exports.main;
  if (typeof main !== 'function') throw new Error(`${file}: not a tsproxy command bundle (no main)`);
  return {
    main,
    saveCodeCache(argv, code) {
      if (cache === undefined || (cachedData !== undefined && !script.cachedDataRejected)) return;
      if ((code !== 0 && code !== 1) || argv.some((a) => a === '--help' || a === '-h' || a === '--version' || a === '-V')) return;
      const tmp = `${cache.path}.${process.pid}.tmp`;
      try {
        fs.writeFileSync(tmp, script.createCachedData(), { mode: 0o600 });
        fs.renameSync(tmp, cache.path);
        // The caches of this bundle's earlier builds.
        for (const f of fs.readdirSync(cache.dir)) {
          if (f.startsWith(cache.prefix) && f.endsWith('.v8cache') && `${cache.dir}/${f}` !== cache.path) fs.rmSync(`${cache.dir}/${f}`, { force: true });
        }
      } catch {
        // Only time is lost; no half-written file is left.
        try {
          fs.rmSync(tmp, { force: true });
        } catch {
          // Nothing more to do.
        }
      }
    },
  };
}

/** Where the code cache of the bundle `file` lives, or undefined when there is no usable directory. */
function cacheFile(file: string, command: string, b: Stats): { dir: string; prefix: string; path: string } | undefined {
  const fs = process.getBuiltinModule('node:fs');
  const dir = process.getBuiltinModule('node:module').getCompileCacheDir?.();
  if (dir === undefined) return undefined;
  try {
    const d = fs.statSync(dir);
    if (!d.isDirectory() || (process.getuid !== undefined && d.uid !== process.getuid()) || (d.mode & 0o022) !== 0) return undefined;
    // The build's identity as it is (no hash: two builds must never share a name), after a hash
    // of where the bundle is.
    const prefix = `tsproxy-${command}-${fnv1a(file)}-`;
    return { dir, prefix, path: `${dir}/${prefix}${b.size}-${b.mtimeMs}-${b.ino}.v8cache` };
  } catch {
    return undefined;
  }
}

/** FNV-1a, 32 bits, as 8 hex digits: a file-name key, not a checksum. */
export function fnv1a(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}
