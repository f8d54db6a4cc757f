// `npm run bench`: tsproxy beside nginx, HAProxy, node http-proxy, fastify reply-from and an
// undici proxy, in ONE run of ../shared/bench/run.sh (copied to a temp dir: shared/ is read-only).
// Needs wrk, nginx and haproxy (Debian packages); see bench/README.md. Extra args go to run.sh.
import { cpSync, existsSync, mkdtempSync, chmodSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { tmpdir } from 'node:os';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const shared = resolve(root, '..', 'shared', 'bench');
if (!existsSync(shared)) {
  console.error(`bench: ${shared} not found`);
  process.exit(2);
}
for (const tool of ['wrk', 'nginx', 'haproxy']) {
  if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) {
    console.error(`bench: ${tool} is not installed (apt-get install -y wrk nginx haproxy)`);
    process.exit(2);
  }
}
const dir = process.env.BENCH_DIR ?? join(tmpdir(), 'tsproxy-bench');
if (!existsSync(join(dir, 'run.sh'))) {
  mkdtempSync(join(tmpdir(), 'tsproxy-bench-')); // ensure tmp is writable
  cpSync(shared, dir, { recursive: true });
  spawnSync('chmod', ['-R', 'u+w', dir]);
}
chmodSync(join(dir, 'run.sh'), 0o755);
if (!existsSync(join(dir, 'peers', 'node_modules'))) {
  const r = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: join(dir, 'peers'), stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
const only = process.env.BENCH_ONLY ?? 'direct,nginx,haproxy,http-proxy,fastify,naive,undici-stream';
const entry = `tsproxy=${join(root, 'bench', 'tsproxy-entry.sh')}`;
const r = spawnSync('./run.sh', ['--only', only, ...process.argv.slice(2), entry], { cwd: dir, stdio: 'inherit' });
process.exit(r.status ?? 1);
