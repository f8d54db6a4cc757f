/**
 * Connection-lifecycle fault scenarios through the real data plane (in-process server, real
 * sockets, raw bytes both sides). Each asserts what the client got, the access log entry (a
 * StdoutAccessLog with json_format, stdout injected), the stat that moved, and that no socket
 * leaked: connections closed on both sides and the active gauges back to 0.
 *
 * Envoy's behaviour followed: no half-closed HTTP/1 downstream (a FIN or RST while a request is
 * in progress resets it: DC, the status actually sent), no reuse of an upstream connection whose
 * FIN came with its last response, no silent retry of a request written to a connection that
 * then closed (503 UC unless `retry_on: reset`), request heads timed per stream (408), a drain
 * deadline that logs what was really sent.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { bootstrap, cluster, startProxy, type TestProxy } from '../runtime/http/harness.js';
import { startRawUpstream, type RawUpstream } from './raw_upstream.js';

const ACCESS_LOG = `access_log:
- name: json
  typed_config:
    "@type": type.googleapis.com/envoy.extensions.access_loggers.stream.v3.StdoutAccessLog
    log_format:
      json_format:
        code: "%RESPONSE_CODE%"
        flags: "%RESPONSE_FLAGS%"
        details: "%RESPONSE_CODE_DETAILS%"
        path: "%REQ(:PATH)%"
        sent: "%BYTES_SENT%"
        duration: "%DURATION%"`;

interface LogLine {
  code: number;
  flags: string;
  details: string;
  path: string | null;
  sent: number;
  duration: number;
}

interface Scenario {
  p: TestProxy;
  up: RawUpstream;
  /** Access log lines written so far (complete once the proxy stopped). */
  log(): LogLine[];
  counter(name: string): number;
  gauge(name: string): number;
  stop(drainMs?: number): Promise<void>;
}

/** Every scenario is bounded: a regression fails it instead of hanging the run. */
const T = { timeout: 15_000 };

const ROUTE = '- match: {prefix: "/"}\n  route: {cluster: web}';
const RESPONSE = 'HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok';

async function scenario(up: RawUpstream, opts: { hcmExtra?: string; routes?: string } = {}): Promise<Scenario> {
  const out: string[] = [];
  const stdout = {
    write(chunk: string, cb?: (e?: Error | null) => void): boolean {
      out.push(chunk);
      cb?.();
      return true;
    },
  };
  const hcmExtra = [ACCESS_LOG, opts.hcmExtra].filter(Boolean).join('\n');
  const p = await startProxy(bootstrap({ routes: opts.routes ?? ROUTE, clusters: cluster('web', [up.port]), hcmExtra }), { accessLogOptions: { stdout } });
  let stopped: Promise<void> | undefined;
  return {
    p,
    up,
    log: () => out.join('').split('\n').filter(Boolean).map((l) => JSON.parse(l) as LogLine),
    counter: (n) => p.server.store.counterValue(n),
    gauge: (n) => p.server.store.gaugeValue(n),
    stop: (drainMs = 0) => (stopped ??= p.server.stop(drainMs).then(() => up.close())),
  };
}

async function until(cond: () => boolean, what: string, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

/** A raw client connection: what it received, and whether/when it closed. */
interface Client {
  readonly socket: net.Socket;
  text(): string;
  closed: Promise<void>;
}

async function connect(port: number): Promise<Client> {
  const socket = net.connect(port, '127.0.0.1');
  let text = '';
  socket.on('data', (d: Buffer) => (text += d.toString('latin1')));
  socket.on('error', () => {});
  const closed = new Promise<void>((r) => socket.once('close', () => r()));
  await new Promise<void>((r, j) => socket.once('connect', r).once('error', j));
  return { socket, text: () => text, closed };
}

/** Nothing left open: client gone, downstream and upstream gauges at 0 (upstream sockets: the pool's). */
async function assertNoLeaks(s: Scenario, clients: readonly Client[]): Promise<void> {
  await Promise.all(clients.map((c) => c.closed));
  await until(() => s.gauge('http.ingress.downstream_cx_active') === 0, 'downstream_cx_active 0');
  assert.equal(s.gauge('http.ingress.downstream_rq_active'), 0);
  assert.equal(s.gauge('cluster.web.upstream_rq_active'), 0);
  await until(() => s.gauge('cluster.web.upstream_cx_active') === s.up.openSockets(), 'pool and upstream agree on open connections');
  await s.stop();
  assert.equal(s.gauge('cluster.web.upstream_cx_active'), 0);
  await until(() => s.up.openSockets() === 0, 'upstream sockets closed');
}

/** Keep-alive GETs one after another on one connection; resolves with the statuses. */
async function keepAliveRun(port: number, n: number): Promise<{ statuses: number[]; client: Client }> {
  const client = await connect(port);
  const statuses: number[] = [];
  let buf = '';
  const next = (): Promise<number> =>
    new Promise((resolve, reject) => {
      const onData = (d: Buffer): void => {
        buf += d.toString('latin1');
        const m = /^HTTP\/1\.1 (\d{3}) [^]*?\r\n\r\n/.exec(buf);
        if (m === null) return;
        const len = Number(/\r\ncontent-length: (\d+)/i.exec(m[0])?.[1] ?? 0);
        if (buf.length < m[0].length + len) return;
        buf = buf.slice(m[0].length + len);
        client.socket.off('data', onData);
        client.socket.off('close', onClose);
        resolve(Number(m[1]));
      };
      const onClose = (): void => reject(new Error(`connection closed after ${statuses.length} responses`));
      client.socket.on('data', onData);
      client.socket.on('close', onClose);
      client.socket.write('GET /ka HTTP/1.1\r\nHost: h\r\n\r\n');
    });
  for (let i = 0; i < n; i++) statuses.push(await next());
  return { statuses, client };
}

for (const how of ['FIN', 'RST'] as const) {
  test(`downstream ${how} mid-stream: the request is reset (DC, status 0), the upstream request cancelled`, T, async () => {
    const up = await startRawUpstream(() => {}); // never answers
    const s = await scenario(up);
    try {
      const c = await connect(s.p.port);
      c.socket.write('GET /mid HTTP/1.1\r\nHost: h\r\n\r\n');
      await until(() => up.requests.length === 1, 'the request upstream');
      if (how === 'FIN') c.socket.end();
      else c.socket.resetAndDestroy();
      await s.p.waitStreams(1);
      await c.closed;
      assert.equal(c.text(), '', 'nothing was sent');
      assert.equal(s.counter('http.ingress.downstream_rq_rx_reset'), 1);
      assert.equal(s.counter('http.ingress.downstream_cx_destroy_remote_active_rq'), 1);
      assert.equal(s.counter('http.ingress.downstream_rq_5xx'), 0);
      // The router reset the upstream stream: its connection is closed, not reused.
      assert.equal(s.counter('cluster.web.upstream_cx_destroy_local_with_active_rq'), 1);
      await until(() => up.openSockets() === 0, 'the upstream connection closed');
      await assertNoLeaks(s, [c]);
      assert.deepEqual(s.log().map(({ code, flags, details, path }) => ({ code, flags, details, path })), [
        { code: 0, flags: 'DC', details: 'downstream_remote_disconnect', path: '/mid' },
      ]);
    } finally {
      await s.stop();
    }
  });
}

test('downstream FIN in the middle of a request head: that request is reset too (DC, status 0)', T, async () => {
  const up = await startRawUpstream(() => {});
  const s = await scenario(up);
  try {
    const c = await connect(s.p.port);
    c.socket.write('GET /half-a-head HTTP/1.1\r\nHo');
    await until(() => s.p.server.activeStreams() === 1, 'the head in progress');
    c.socket.end();
    await s.p.waitStreams(1);
    assert.equal(c.text(), '');
    assert.equal(up.requests.length, 0);
    assert.equal(s.counter('http.ingress.downstream_rq_rx_reset'), 1);
    assert.equal(s.counter('http.ingress.downstream_cx_destroy_remote_active_rq'), 1);
    await assertNoLeaks(s, [c]);
    assert.deepEqual(s.log().map(({ code, flags, details }) => ({ code, flags, details })), [{ code: 0, flags: 'DC', details: 'downstream_remote_disconnect' }]);
  } finally {
    await s.stop();
  }
});

test('upstream closes right after each response (same tick), keep-alive clients: 2,000 requests, no 503', T, async () => {
  // The FIN leaves with the response; the pool must see it before reusing the connection.
  const up = await startRawUpstream((sock) => sock.end(RESPONSE));
  const s = await scenario(up);
  try {
    const runs = await Promise.all(Array.from({ length: 4 }, () => keepAliveRun(s.p.port, 500)));
    const statuses = runs.flatMap((r) => r.statuses);
    assert.equal(statuses.length, 2000);
    assert.deepEqual([...new Set(statuses)], [200]);
    assert.equal(s.counter('cluster.web.upstream_rq_503'), 0);
    assert.equal(s.counter('cluster.web.upstream_cx_destroy_remote_with_active_rq'), 0);
    assert.equal(s.counter('cluster.web.upstream_rq_200'), 2000);
    // Every connection served one request and was closed by the upstream's FIN.
    assert.equal(up.connections(), 2000);
    await until(() => s.counter('cluster.web.upstream_cx_destroy_remote') === 2000, 'every FIN seen');
    for (const r of runs) r.client.socket.end();
    await assertNoLeaks(s, runs.map((r) => r.client));
    const log = s.log();
    assert.equal(log.length, 2000);
    assert.equal(log.filter((l) => l.code !== 200 || l.flags !== '-').length, 0);
  } finally {
    await s.stop();
  }
});

test('stray bytes after a response: the connection is closed, never handed another request', T, async () => {
  const up = await startRawUpstream((sock) => sock.write(RESPONSE + 'HTTP/1.1 200 OK\r\n'));
  const s = await scenario(up);
  try {
    const run = await keepAliveRun(s.p.port, 50);
    assert.deepEqual([...new Set(run.statuses)], [200]);
    assert.equal(up.connections(), 50);
    assert.equal(s.counter('cluster.web.upstream_cx_destroy_with_active_rq'), 0);
    run.client.socket.end();
    await assertNoLeaks(s, [run.client]);
  } finally {
    await s.stop();
  }
});

for (const retry of [false, true]) {
  test(`a request written to a reused connection that then closes before any byte: ${retry ? 'retry_on reset -> 200' : '503 UC, no silent retry'}`, T, async () => {
    // Each connection answers its first request and closes, unanswered, on the second.
    const up = await startRawUpstream((sock, _head, _n, k) => (k === 0 ? sock.write(RESPONSE) : sock.end()));
    const routes = retry ? '- match: {prefix: "/"}\n  route: {cluster: web, retry_policy: {retry_on: reset, num_retries: 1}}' : ROUTE;
    const s = await scenario(up, { routes });
    try {
      const run = await keepAliveRun(s.p.port, 2);
      assert.equal(run.statuses[0], 200);
      assert.equal(s.counter('cluster.web.upstream_cx_destroy_remote_with_active_rq'), 1);
      assert.equal(s.counter('cluster.web.upstream_cx_destroy_with_active_rq'), 1);
      if (retry) {
        assert.equal(run.statuses[1], 200);
        assert.equal(up.requests.length, 3, 'the retry reached the upstream on a new connection');
        assert.equal(up.connections(), 2);
        assert.equal(s.counter('cluster.web.upstream_rq_retry'), 1);
        assert.equal(s.counter('cluster.web.upstream_rq_retry_success'), 1);
      } else {
        assert.equal(run.statuses[1], 503);
        assert.equal(up.requests.length, 2, 'the pool did not retry it');
        assert.equal(s.counter('cluster.web.upstream_rq_503'), 1);
      }
      run.client.socket.end();
      await assertNoLeaks(s, [run.client]);
      const last = s.log()[1]!;
      if (retry) assert.deepEqual([last.code, last.flags, last.details], [200, '-', 'via_upstream']);
      else assert.deepEqual([last.code, last.flags, last.details], [503, 'UC', 'upstream_reset_before_response_started{connection_termination}']);
    } finally {
      await s.stop();
    }
  });
}

const HEAD_TIMEOUTS = [
  { name: 'stream_idle_timeout', hcmExtra: 'stream_idle_timeout: 0.3s', ms: 300, body: 'stream timeout', flags: 'SI', details: 'stream_idle_timeout', stat: 'downstream_rq_idle_timeout' },
  { name: 'request_headers_timeout', hcmExtra: 'request_headers_timeout: 0.2s', ms: 200, body: 'request header timeout', flags: '-', details: 'request_header_timeout', stat: 'downstream_rq_header_timeout' },
];
for (const t of HEAD_TIMEOUTS) {
  test(`a partial request head gets 408 "${t.body}" within 100 ms of ${t.name}`, T, async () => {
    const up = await startRawUpstream(() => {});
    const s = await scenario(up, { hcmExtra: t.hcmExtra });
    try {
      const c = await connect(s.p.port);
      const t0 = performance.now();
      c.socket.write('GET /partial HTTP/1.1\r\nHost: h\r\n');
      await until(() => c.text().endsWith(t.body), 'the 408', 3000);
      const elapsed = performance.now() - t0;
      await c.closed;
      assert.match(c.text(), /^HTTP\/1\.1 408 Request Timeout\r\n/);
      assert.ok(c.text().endsWith(t.body), c.text());
      assert.ok(elapsed >= t.ms - 1 && elapsed <= t.ms + 100, `answered after ${elapsed.toFixed(1)} ms`);
      assert.equal(s.counter(`http.ingress.${t.stat}`), 1);
      assert.equal(up.requests.length, 0);
      await assertNoLeaks(s, [c]);
      const [line] = s.log();
      assert.deepEqual([line!.code, line!.flags, line!.details, line!.path], [408, t.flags, t.details, null]);
      assert.ok(line!.duration >= t.ms - 1 && line!.duration <= t.ms + 100, `duration ${line!.duration}`);
    } finally {
      await s.stop();
    }
  });
}

test('stream_idle_timeout once the request is complete: 504 "stream timeout" SI within 100 ms, upstream request cancelled', T, async () => {
  const up = await startRawUpstream(() => {}); // never answers
  const s = await scenario(up, { hcmExtra: 'stream_idle_timeout: 0.2s' });
  try {
    const c = await connect(s.p.port);
    const t0 = performance.now();
    c.socket.write('GET /idle HTTP/1.1\r\nHost: h\r\n\r\n');
    await until(() => c.text().endsWith('stream timeout'), 'the local reply');
    const elapsed = performance.now() - t0;
    assert.match(c.text(), /^HTTP\/1\.1 504 Gateway Timeout\r\n/);
    assert.ok(elapsed >= 199 && elapsed <= 300, `answered after ${elapsed.toFixed(1)} ms`);
    assert.equal(s.counter('http.ingress.downstream_rq_idle_timeout'), 1);
    assert.equal(s.counter('cluster.web.upstream_cx_destroy_local_with_active_rq'), 1);
    c.socket.end();
    await assertNoLeaks(s, [c]);
    const [line] = s.log();
    assert.deepEqual([line!.code, line!.flags, line!.details], [504, 'SI', 'stream_idle_timeout']);
  } finally {
    await s.stop();
  }
});

test('idle_timeout closes a keep-alive connection within 100 ms of its deadline', T, async () => {
  const up = await startRawUpstream((sock) => sock.write(RESPONSE));
  const s = await scenario(up, { hcmExtra: 'common_http_protocol_options: {idle_timeout: 0.3s}' });
  try {
    const t0 = performance.now(); // before the request: the connection goes idle after it
    const run = await keepAliveRun(s.p.port, 1);
    await run.client.closed;
    const elapsed = performance.now() - t0;
    assert.ok(elapsed >= 300 && elapsed <= 400, `closed ${elapsed.toFixed(1)} ms after the request`);
    assert.equal(s.counter('http.ingress.downstream_cx_idle_timeout'), 1);
    await assertNoLeaks(s, [run.client]);
    assert.equal(s.counter('http.ingress.downstream_cx_destroy_local'), 1);
    assert.equal(s.counter('http.ingress.downstream_cx_destroy_remote'), 0);
  } finally {
    await s.stop();
  }
});

test('drain cut-off: streams still in progress at the deadline are logged with what was sent (no 503)', T, async () => {
  // /slow never answers; /partial sends its head and one chunk, then stalls.
  const up = await startRawUpstream((sock, head) => {
    if (head.startsWith('GET /partial ')) sock.write('HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5\r\nhello\r\n');
  });
  const s = await scenario(up);
  try {
    const slow = await connect(s.p.port);
    slow.socket.write('GET /slow HTTP/1.1\r\nHost: h\r\n\r\n');
    const partial = await connect(s.p.port);
    partial.socket.write('GET /partial HTTP/1.1\r\nHost: h\r\n\r\n');
    await until(() => partial.text().includes('hello'), 'the partial response');
    await until(() => up.requests.length === 2, 'both requests upstream');
    const t0 = performance.now();
    await s.stop(200);
    assert.ok(performance.now() - t0 >= 190, 'the drain waited for the in-flight streams');
    await Promise.all([slow.closed, partial.closed]);
    assert.equal(slow.text(), '', 'nothing was sent on /slow');
    assert.match(partial.text(), /^HTTP\/1\.1 200 OK\r\n[^]*\r\n\r\n5\r\nhello\r\n$/);
    assert.equal(s.counter('http.ingress.downstream_cx_destroy_local_active_rq'), 2);
    assert.equal(s.counter('http.ingress.downstream_rq_rx_reset'), 2);
    assert.equal(s.counter('http.ingress.downstream_rq_5xx'), 0);
    assert.equal(s.counter('cluster.web.upstream_rq_503'), 0);
    assert.equal(s.gauge('http.ingress.downstream_cx_active'), 0);
    assert.equal(s.gauge('http.ingress.downstream_rq_active'), 0);
    assert.equal(s.gauge('cluster.web.upstream_rq_active'), 0);
    assert.equal(s.gauge('cluster.web.upstream_cx_active'), 0);
    await until(() => up.openSockets() === 0, 'upstream sockets closed');
    const byPath = new Map(s.log().map((l) => [l.path, [l.code, l.flags, l.details, l.sent]]));
    assert.deepEqual(byPath.get('/slow'), [0, 'DC', 'downstream_local_disconnect', 0]);
    assert.deepEqual(byPath.get('/partial'), [200, 'DC', 'downstream_local_disconnect', 5]);
  } finally {
    await s.stop();
  }
});
