// `npm start`: three tiny local upstreams (each answers with its own name and the request it got)
// and `tsproxy serve -c fixtures/demo/envoy.yaml` in front of them. No network needed. Ctrl-C
// stops everything (tsproxy drains on SIGTERM).
import http from 'node:http';
import net from 'node:net';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const root = fileURLToPath(new URL('..', import.meta.url));
const fixture = join('fixtures', 'demo', 'envoy.yaml');
if (!existsSync(join(root, 'dist', 'src', 'cli', 'main.js'))) {
  console.error('tsproxy is not built yet: run `npm ci` (or `npm run build`) first.');
  process.exit(1);
}

// Ports: PORT / UPSTREAM_PORTS in the environment, or --port / --upstream-ports
// (`npm start -- --port 8080 --upstream-ports 9001,9002,9003`).
const DEFAULT_UPSTREAMS = [18081, 18082, 18083];
let args;
try {
  args = parseArgs({ options: { port: { type: 'string' }, 'upstream-ports': { type: 'string' }, 'admin-port': { type: 'string' }, help: { type: 'boolean', short: 'h' } } }).values;
} catch (err) {
  console.error(`${err.message}\nusage: npm start [-- --port N --upstream-ports A,B,C --admin-port N]   (or PORT=N UPSTREAM_PORTS=A,B,C ADMIN_PORT=N npm start)`);
  process.exit(2);
}
if (args.help) {
  console.log('usage: npm start [-- --port N --upstream-ports A,B,C --admin-port N]   (or PORT=N UPSTREAM_PORTS=A,B,C ADMIN_PORT=N npm start)');
  process.exit(0);
}
function port(text, what) {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 65535) {
    console.error(`demo: ${what} must be a port number between 1 and 65535, got "${text}"`);
    process.exit(2);
  }
  return n;
}
const proxyPort = port(args.port ?? process.env.PORT ?? '10000', 'the proxy port (--port / PORT)');
// The admin API (Envoy's /stats, /clusters, ...; what `tsproxy top` reads), on 127.0.0.1 only.
const adminPort = port(args['admin-port'] ?? process.env.ADMIN_PORT ?? '9901', 'the admin port (--admin-port / ADMIN_PORT)');
const upstreamText = args['upstream-ports'] ?? process.env.UPSTREAM_PORTS;
const upstreamPorts = upstreamText ? upstreamText.split(',').map((p) => port(p.trim(), 'an upstream port (--upstream-ports / UPSTREAM_PORTS)')) : DEFAULT_UPSTREAMS;
if (upstreamPorts.length !== 3) {
  console.error('demo: --upstream-ports / UPSTREAM_PORTS takes three ports (blue,green,api)');
  process.exit(2);
}

const UPSTREAMS = [
  { name: 'blue', port: upstreamPorts[0] },
  { name: 'green', port: upstreamPorts[1] },
  { name: 'api', port: upstreamPorts[2] },
];

// The bundled config names ports 10000 and 18081-18083; other ports get a copy with them replaced.
let config = fixture;
let tmp;
if (proxyPort !== 10000 || upstreamPorts.some((p, i) => p !== DEFAULT_UPSTREAMS[i])) {
  let text = readFileSync(join(root, fixture), 'utf8').replaceAll('10000', String(proxyPort));
  DEFAULT_UPSTREAMS.forEach((p, i) => (text = text.replaceAll(`port_value: ${p}`, `port_value: ${upstreamPorts[i]}`)));
  tmp = mkdtempSync(join(tmpdir(), 'tsproxy-demo-'));
  config = join(tmp, 'envoy.yaml');
  writeFileSync(config, text);
}

/** Resolves when nothing listens on 127.0.0.1:port; otherwise exits naming the port and the fix. */
function ensureFree(p, what, fix) {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once('error', (err) => {
      console.error(
        err.code === 'EADDRINUSE'
          ? `demo: port ${p} (${what}) is busy: another process listens on 127.0.0.1:${p}. Free it, or ${fix}.`
          : `demo: cannot listen on 127.0.0.1:${p} (${what}): ${err.message}`,
      );
      process.exit(1);
    });
    probe.listen(p, '127.0.0.1', () => probe.close(() => resolve()));
  });
}
await ensureFree(proxyPort, 'the proxy', 'choose another with `PORT=10001 npm start` (or `npm start -- --port 10001`)');
await ensureFree(adminPort, 'the admin API', 'choose another with `ADMIN_PORT=9902 npm start`');
for (const u of UPSTREAMS) {
  await ensureFree(u.port, `upstream ${u.name}`, 'choose others with `UPSTREAM_PORTS=28081,28082,28083 npm start`');
}

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

const proxy = spawn(join(root, 'bin', 'tsproxy'), ['serve', '-c', config, '--drain-time-s', '1', '--admin-port', String(adminPort)], {
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
  const host = `localhost:${proxyPort}`;
  const m = `npx tsproxy match -c ${config} --host ${host}`;
  console.log(`
tsproxy demo is running on http://${host} (upstreams: ${UPSTREAMS.map((u) => `${u.name} :${u.port}`).join(', ')})

Try:
  curl -i ${host}/hello          # direct response (200, body from the config)
  curl -i '${host}/old?x=1'      # redirect: 301 to http://${host}/app/?x=1
  curl -i ${host}/app            # weighted clusters: blue 80%, green 20%
  curl -i ${host}/api/users      # cluster api, path rewritten to /v1/users
  curl -i ${host}/nope           # no route: 404 (NR route_not_found)

Ask the same questions offline, without traffic:
  ${m} --path /hello
  ${m} --path /old
  ${m} --path /app --random 85           # which weighted cluster a random value picks
  ${m} --path /api/users
  npx tsproxy explain -c ${config} --host ${host} --path /nope

The admin API (Envoy's) is on http://127.0.0.1:${adminPort}:
  curl -s 127.0.0.1:${adminPort}/stats/prometheus | head
  npx tsproxy top --admin http://127.0.0.1:${adminPort}   # live dashboard

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
  if (tmp) rmSync(tmp, { recursive: true, force: true });
  process.exitCode = stopping ? 0 : code ?? 1;
});
