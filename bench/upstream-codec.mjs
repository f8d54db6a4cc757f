// Measures the client-side CPU cost per request of candidate upstream HTTP/1.1 codecs against a
// local origin (a node:http server in a child process, so its CPU is not counted here).
//   node bench/upstream-codec.mjs [requests=30000] [concurrency=50]
// Candidates:
//   undici-dispatch  one undici Client per connection, Client.dispatch with a raw handler object
//                    (llhttp in wasm; what src/runtime/upstream used before the native codec)
//   undici-pool      undici Pool.request (the bench peer's style, with a body stream)
//   node-http-agent  node:http request() with a keep-alive Agent (llhttp native)
//   native-codec     src/runtime/upstream/http1_client_codec.ts + http1_request_head.ts alone: node's
//                    native llhttp over raw net sockets, no pool (needs `npx tsc -p .` first)
//   tsproxy-pool     src/runtime/upstream via createClusterManager: the pool on the native codec
//                    (needs `npx tsc -p .` first)
// ONLY=name,name runs a subset.
import { spawn } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';

// undici is only a comparison peer here (the proxy no longer uses it): its variants are skipped
// when it is not installed.
const undici = await import('undici').catch(() => null);

const TOTAL = Number(process.argv[2] ?? 30000);
const CONC = Number(process.argv[3] ?? 50);
const ORIGIN_SRC = `
const http = require('http');
const s = http.createServer((req, res) => { req.resume(); res.writeHead(200, {'content-type': 'text/plain', 'content-length': '5'}); res.end('hello'); });
s.keepAliveTimeout = 60000;
s.listen(0, '127.0.0.1', () => process.stdout.write(String(s.address().port) + '\\n'));
`;

function startOrigin() {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['-e', ORIGIN_SRC], { stdio: ['ignore', 'pipe', 'inherit'] });
    child.stdout.once('data', (d) => resolve({ child, port: Number(String(d).trim()) }));
  });
}

/** Runs `total` requests with `conc` in flight; `one(done)` issues a request and calls done(). */
function drive(one, total, conc) {
  return new Promise((resolve, reject) => {
    let started = 0;
    let finished = 0;
    const next = (err) => {
      if (err) return reject(err);
      finished++;
      if (finished === total) return resolve();
      if (started < total) {
        started++;
        one(next);
      }
    };
    for (let i = 0; i < conc && started < total; i++) {
      started++;
      one(next);
    }
  });
}

async function measure(name, one, close) {
  await drive(one, Math.min(5000, TOTAL), CONC); // warm-up (JIT, connections)
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  await drive(one, TOTAL, CONC);
  const c1 = process.cpuUsage(c0);
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  await close?.();
  const us = (c1.user + c1.system) / TOTAL;
  console.log(`${name.padEnd(18)} ${us.toFixed(2).padStart(7)} µs CPU/req  ${(TOTAL / (ms / 1000)).toFixed(0).padStart(7)} req/s`);
  return us;
}

class RawHandler {
  constructor(done) {
    this.done = done;
  }
  onConnect() {}
  onHeaders(status) {
    this.status = status;
    return true;
  }
  onData() {
    return true;
  }
  onComplete() {
    this.done();
  }
  onError(err) {
    this.done(err);
  }
}

async function main() {
  const { child, port } = await startOrigin();
  const origin = `http://127.0.0.1:${port}`;
  const headers = ['host', `127.0.0.1:${port}`, 'user-agent', 'bench', 'accept', '*/*'];
  const only = process.env.ONLY?.split(',');
  const want = (n) => !only || only.includes(n);
  try {
    if (!undici && (want('undici-dispatch') || want('undici-pool'))) {
      console.log('undici-*           (skipped: undici is not installed)');
    }
    if (undici && want('undici-dispatch')) {
      const { Client } = undici;
      const idle = [];
      for (let i = 0; i < CONC; i++) idle.push(new Client(origin, { pipelining: 1, keepAliveTimeout: 60000 }));
      const opts = { path: '/', method: 'GET', headers, body: null };
      await measure(
        'undici-dispatch',
        (done) => {
          const c = idle.pop();
          c.dispatch(opts, new RawHandler((e) => { idle.push(c); done(e); }));
        },
        () => Promise.all(idle.map((c) => c.close())),
      );
    }
    if (undici && want('undici-pool')) {
      const { Pool } = undici;
      const pool = new Pool(origin, { connections: CONC, pipelining: 1, keepAliveTimeout: 60000 });
      await measure(
        'undici-pool',
        (done) => {
          pool.request({ path: '/', method: 'GET', headers }).then(
            (r) => r.body.resume().on('end', () => done()),
            done,
          );
        },
        () => pool.close(),
      );
    }
    if (want('node-http-agent')) {
      const agent = new http.Agent({ keepAlive: true, maxSockets: CONC });
      const reqOpts = { host: '127.0.0.1', port, path: '/', method: 'GET', agent, headers: { 'user-agent': 'bench', accept: '*/*' } };
      await measure(
        'node-http-agent',
        (done) => {
          const req = http.request(reqOpts, (res) => {
            res.on('data', () => {});
            res.on('end', () => done());
          });
          req.on('error', done);
          req.end();
        },
        () => agent.destroy(),
      );
    }
    if (want('native-codec')) {
      let codecMod, headMod;
      try {
        codecMod = await import('../dist/src/runtime/upstream/http1_client_codec.js');
        headMod = await import('../dist/src/runtime/upstream/http1_request_head.js');
      } catch {
        console.log('native-codec       (skipped: build first with npx tsc -p .)');
      }
      if (codecMod) {
        const { Http1ClientCodec } = codecMod;
        const { encodeRequestHead } = headMod;
        const hl = [['user-agent', 'bench'], ['accept', '*/*']];
        const host = `127.0.0.1:${port}`;
        // One object per request as both request framing and response sink, like UpstreamStream.
        class Exchange {
          constructor(conn, done) {
            this.conn = conn;
            this.done = done;
            this.requestSent = false;
            this.bodyless = false;
            this.bodyRemaining = -1;
            this.headError = '';
          }
          send() {
            const head = encodeRequestHead('GET', '/', host, hl, true, this);
            this.requestSent = true;
            this.conn.socket.write(head, 'latin1');
          }
          onResponseHead() {}
          onResponseBody() {}
          onResponseComplete() {
            const c = this.conn;
            c.stream = null;
            idle.push(c);
            this.done();
          }
        }
        class Conn {
          constructor(socket) {
            this.socket = socket;
            this.stream = null;
            this.codec = new Http1ClientCodec(this, 60 * 1024);
            socket.on('data', (d) => {
              const err = this.codec.execute(d);
              if (err) this.stream?.done(new Error(err.code));
            });
          }
        }
        const idle = [];
        await Promise.all(
          Array.from({ length: CONC }, () => new Promise((resolve, reject) => {
            const s = net.connect({ host: '127.0.0.1', port, noDelay: true }, () => {
              idle.push(new Conn(s));
              resolve();
            });
            s.on('error', reject);
          })),
        );
        await measure(
          'native-codec',
          (done) => {
            const c = idle.pop();
            const x = new Exchange(c, done);
            c.stream = x;
            x.send();
          },
          () => {
            for (const c of idle) {
              c.socket.destroy();
              c.codec.close();
            }
          },
        );
      }
    }
    if (want('tsproxy-pool')) {
      let mod, store;
      try {
        mod = await import('../dist/src/runtime/upstream/cluster_manager.js');
        store = new (await import('../dist/src/runtime/stats/store.js')).StatsStore();
      } catch {
        console.log('tsproxy-pool       (skipped: build first with npx tsc -p .)');
      }
      if (mod) {
        const cm = mod.createClusterManager(
          [{ name: 'o', type: 'STATIC', load_assignment: { cluster_name: 'o', endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: '127.0.0.1', port_value: port } } } }] }] } }],
          store,
          { random: Math.random },
        );
        const cluster = cm.getThreadLocalCluster('o');
        const hl = [['user-agent', 'bench'], ['accept', '*/*']];
        const host = `127.0.0.1:${port}`;
        class Stream {
          constructor(done) { this.done = done; }
          onHeaders(_s, _h, end) { if (end) this.done(); }
          onData(_c, end) { if (end) this.done(); }
          onReset(r, t) { this.done(new Error(r + ' ' + t)); }
          onPoolReady(enc) { enc.encodeHeaders('GET', '/', host, hl, true); }
          onPoolFailure(r, t) { this.done(new Error(r + ' ' + t)); }
        }
        await measure(
          'tsproxy-pool',
          (done) => {
            const h = cluster.chooseHost(undefined);
            const s = new Stream(done);
            cluster.httpConnPool(h).newStream(s, s);
          },
          () => cm.shutdown(),
        );
      }
    }
  } finally {
    child.kill();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
