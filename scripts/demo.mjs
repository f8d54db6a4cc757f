// `npm start`: three tiny local upstreams (each answers with its own name and the request it got)
// and `tsproxy serve -c fixtures/demo/envoy.yaml` in front of them. No network needed. Ctrl-C
// stops everything (tsproxy drains on SIGTERM).
import http from 'node:http';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

const root = fileURLToPath(new URL('..', import.meta.url));
const config = join('fixtures', 'demo', 'envoy.yaml');
if (!existsSync(join(root, 'dist', 'src', 'cli', 'main.js'))) {
  console.error('tsproxy is not built yet: run `npm ci` (or `npm run build`) first.');
  process.exit(1);
}

const UPSTREAMS = [
  { name: 'blue', port: 18081 },
  { name: 'green', port: 18082 },
  { name: 'api', port: 18083 },
];

function startUpstream({ name, port }) {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const body = `${name}: ${req.method} ${req.url} (host ${req.headers.host})\n`;
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(body), 'x-upstream': name });
      res.end(body);
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', (err) => reject(new Error(`upstream ${name} cannot listen on 127.0.0.1:${port}: ${err.message}`)));
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

let servers = [];
try {
  servers = await Promise.all(UPSTREAMS.map(startUpstream));
} catch (err) {
  console.error(String(err.message ?? err));
  process.exit(1);
}

const proxy = spawn(join(root, 'bin', 'tsproxy'), ['serve', '-c', config, '--drain-time-s', '1'], {
  cwd: root,
  stdio: ['ignore', 'inherit', 'pipe'],
});
let announced = false;
proxy.stderr.on('data', (d) => {
  process.stderr.write(d);
  if (!announced && /listening on/.test(String(d))) {
    announced = true;
    printHelp();
  }
});

function printHelp() {
  const m = `node bin/tsproxy.js match -c ${config} --host localhost:10000`;
  console.log(`
tsproxy demo is running on http://localhost:10000 (upstreams: blue :18081, green :18082, api :18083)

Try:
  curl -i localhost:10000/hello          # direct response (200, body from the config)
  curl -i localhost:10000/old?x=1        # redirect: 301 to http://localhost:10000/app/?x=1
  curl -i localhost:10000/app            # weighted clusters: blue 80%, green 20%
  curl -i localhost:10000/api/users      # cluster api, path rewritten to /v1/users
  curl -i localhost:10000/nope           # no route: 404 (NR route_not_found)

Ask the same questions offline, without traffic:
  ${m} --path /hello
  ${m} --path /old
  ${m} --path /app --random 85           # which weighted cluster a random value picks
  ${m} --path /api/users
  node bin/tsproxy.js explain -c ${config} --host localhost:10000 --path /nope

Access log lines appear below. Ctrl-C to stop.
`);
}

let stopping = false;
function stop() {
  if (stopping) return;
  stopping = true;
  if (proxy.exitCode === null) proxy.kill('SIGTERM');
}
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
proxy.on('exit', (code) => {
  for (const s of servers) {
    s.closeAllConnections();
    s.close();
  }
  if (!stopping && code !== 0) console.error(`tsproxy serve exited with code ${code}`);
  process.exitCode = stopping ? 0 : code ?? 1;
});
