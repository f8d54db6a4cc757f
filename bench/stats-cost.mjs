// CPU per request of `tsproxy serve` with Envoy's histograms recorded or not, and with the admin
// listener on (idle, or scraped every second by /stats/prometheus). One upstream (node:http in
// its own process), wrk for load; CPU is the tsproxy process' utime+stime (/proc/<pid>/stat)
// over the run, divided by the requests wrk completed. Runs the variants interleaved, ROUNDS
// times, and prints the median µs CPU/request of each.
//   node bench/stats-cost.mjs [seconds=10] [rounds=3]
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const seconds = Number(process.argv[2] ?? 10);
const rounds = Number(process.argv[3] ?? 3);
const dir = mkdtempSync(join(tmpdir(), 'tsproxy-stats-cost-'));
const TICKS = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim() || 100);

async function freePort() {
  const s = createServer();
  await new Promise((r) => s.listen(0, '127.0.0.1', r));
  const p = s.address().port;
  await new Promise((r) => s.close(r));
  return p;
}

function cpuMs(pid) {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = f.slice(f.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS;
}

const HISTOGRAMS_OFF = `stats_config:
  stats_matcher:
    exclusion_list:
      patterns:
${['downstream_rq_time', 'upstream_rq_time', 'upstream_cx_connect_ms', 'upstream_cx_length_ms', 'downstream_cx_length_ms'].map((h) => `      - suffix: ".${h}"`).join('\n')}
`;

function config(port, upstreamPort, variant) {
  const admin = variant.admin ? `admin: {address: {socket_address: {address: 127.0.0.1, port_value: ${variant.adminPort}}}}\n` : '';
  return `${admin}${variant.histograms ? '' : HISTOGRAMS_OFF}static_resources:
  listeners:
  - name: bench
    address: {socket_address: {address: 127.0.0.1, port_value: ${port}}}
    filter_chains:
    - filters:
      - name: envoy.filters.network.http_connection_manager
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
          stat_prefix: ingress_http
          route_config:
            virtual_hosts: [{name: bench, domains: ["*"], routes: [{match: {prefix: "/"}, route: {cluster: origin}}]}]
          http_filters: [{name: envoy.filters.http.router, typed_config: {"@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router}}]
  clusters:
  - name: origin
    connect_timeout: 1s
    load_assignment: {cluster_name: origin, endpoints: [{lb_endpoints: [{endpoint: {address: {socket_address: {address: 127.0.0.1, port_value: ${upstreamPort}}}}}]}]}
`;
}

async function waitListening(port) {
  for (let i = 0; i < 200; i++) {
    const ok = await new Promise((r) => {
      const req = http.get({ host: '127.0.0.1', port, path: '/', agent: false }, (res) => {
        res.resume();
        res.on('end', () => r(true));
      });
      req.on('error', () => r(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`port ${port} never answered`);
}

async function runVariant(variant, upstreamPort) {
  const port = await freePort();
  variant.adminPort = await freePort();
  const file = join(dir, `${variant.name}.yaml`);
  writeFileSync(file, config(port, upstreamPort, variant));
  const proxy = spawn(join(root, 'bin', 'tsproxy'), ['serve', '-c', file, '--log-level', 'warn'], { stdio: ['ignore', 'ignore', 'inherit'] });
  await waitListening(port);
  // Warm up (JIT), then measure.
  spawnSync('wrk', ['-t1', '-c16', '-d2s', `http://127.0.0.1:${port}/`]);
  let scrapes = 0;
  const scraper = variant.scrape
    ? setInterval(() => {
        http.get({ host: '127.0.0.1', port: variant.adminPort, path: '/stats/prometheus', agent: false }, (res) => {
          res.resume();
          scrapes++;
        });
      }, 1000)
    : undefined;
  const before = cpuMs(proxy.pid);
  const wrk = await new Promise((r) => {
    const w = spawn('wrk', ['-t1', '-c16', `-d${seconds}s`, `http://127.0.0.1:${port}/`]);
    let out = '';
    w.stdout.on('data', (d) => (out += d));
    w.on('exit', () => r(out));
  });
  const cpu = cpuMs(proxy.pid) - before;
  if (scraper) clearInterval(scraper);
  proxy.kill('SIGTERM');
  await new Promise((r) => proxy.on('exit', r));
  const m = /(\d+) requests in/.exec(wrk);
  const requests = m ? Number(m[1]) : 0;
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(wrk)?.[1] ?? 0);
  return { usPerRequest: (cpu * 1000) / requests, rps, requests, scrapes };
}

const upstream = spawn(process.execPath, [
  '-e',
  "require('http').createServer((q,s)=>{s.writeHead(200,{'content-type':'text/plain','content-length':'2'});s.end('ok')}).listen(+process.argv[1],'127.0.0.1')",
  String(await freePort()),
]);
const upstreamPort = Number(upstream.spawnargs.at(-1));
await waitListening(upstreamPort);
const variants = [
  { name: 'histograms-off', histograms: false, admin: false },
  { name: 'histograms-on', histograms: true, admin: false },
  { name: 'histograms-on+admin', histograms: true, admin: true },
  { name: 'histograms-on+admin+scrape-1s', histograms: true, admin: true, scrape: true },
];
const results = new Map(variants.map((v) => [v.name, []]));
for (let r = 0; r < rounds; r++) {
  for (const v of variants) {
    const res = await runVariant(v, upstreamPort);
    results.get(v.name).push(res);
    console.error(`round ${r + 1} ${v.name}: ${res.usPerRequest.toFixed(1)} µs CPU/request, ${res.rps.toFixed(0)} rps${v.scrape ? `, ${res.scrapes} scrapes` : ''}`);
  }
}
upstream.kill();
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(`node ${process.version}, wrk -t1 -c16 -d${seconds}s, ${rounds} rounds, median:`);
for (const [name, rs] of results) {
  console.log(`${name.padEnd(32)} ${median(rs.map((x) => x.usPerRequest)).toFixed(1).padStart(6)} µs CPU/request  ${median(rs.map((x) => x.rps)).toFixed(0).padStart(7)} rps`);
}
