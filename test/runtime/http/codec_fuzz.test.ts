// The downstream codec under random input through real sockets: malformed heads, bad framing,
// control characters, pipelined mixes and random packet splits. The proxy must answer or close
// every connection, never reach an uncaught exception, and keep serving afterwards.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { bootstrap, cluster, startProxy, startUpstream } from './harness.js';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32;
}

// Each list: [valid-ish choices, broken choices]; a broken one is picked one time in eight.
const METHODS = [['GET', 'POST', 'HEAD', 'PUT', 'DELETE', 'OPTIONS', 'PATCH', 'CONNECT'], ['G ET', 'get', '', '\x00']];
const PATHS = [['/', '/a?b=c', '/x/y', '*', 'http://h/x'], ['/%zz', '/\x7f', '', '/a b', '/' + 'x'.repeat(3000)]];
const VERSIONS = [['HTTP/1.1', 'HTTP/1.1', 'HTTP/1.0'], ['HTTP/0.9', 'HTTP/2.0', 'HTTP/1.1x', 'HTTP/1', '']];
const NAMES = [['host', 'Host', 'x-a', 'content-length', 'transfer-encoding', 'connection', 'expect', 'upgrade', 'cookie', 'te', 'x-envoy-retry-on'], ['x b', 'x\x01', '']];
const VALUES = [['h', '0', '5', 'chunked', 'close', 'keep-alive', '100-continue', 'websocket', 'é', 'chunked, gzip', 'trailers'], ['-1', 'a\rb', 'a\x00b', ' lead', '99999999999999999999']];

function randomRequest(next: () => number): string {
  const pick = (lists: readonly (readonly string[])[]): string => {
    const xs = lists[next() < 0.875 ? 0 : 1]!;
    return xs[Math.floor(next() * xs.length)]!;
  };
  let head = `${pick(METHODS)} ${pick(PATHS)} ${pick(VERSIONS)}\r\n`;
  if (next() < 0.8) head += 'Host: h\r\n';
  const n = Math.floor(next() * 5);
  for (let i = 0; i < n; i++) head += `${pick(NAMES)}: ${pick(VALUES)}\r\n`;
  head += next() < 0.95 ? '\r\n' : '';
  const body = next() < 0.3 ? (next() < 0.5 ? 'hello' : '3\r\nabc\r\n0\r\n\r\n') : '';
  return head + body;
}

/**
 * Sends the bytes in random slices; resolves when the connection closed or `ms` passed (then
 * destroys it). The client's FIN comes once something was answered or `finMs` passed (a FIN
 * resets a request still in progress, as in Envoy); `finMs` Infinity: no FIN.
 */
function blast(port: number, data: Buffer, next: () => number, ms: number, finMs = 30): Promise<{ closed: boolean; text: string }> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    let text = '';
    let closed = false;
    const timer = setTimeout(() => s.destroy(), ms);
    let finish: (() => void) | undefined;
    s.on('data', (d) => {
      text += d.toString('latin1');
      finish?.();
    });
    s.on('error', () => {});
    s.on('end', () => (closed = true));
    s.on('close', () => {
      clearTimeout(timer);
      resolve({ closed, text });
    });
    s.on('connect', () => {
      let off = 0;
      const step = (): void => {
        if (s.destroyed) return;
        if (off >= data.length) {
          if (finMs === Infinity) return;
          const fin = setTimeout(() => finish?.(), finMs);
          finish = () => {
            finish = undefined;
            clearTimeout(fin);
            s.end();
          };
          if (text.length > 0) finish();
          return;
        }
        const len = 1 + Math.floor(next() * Math.min(64, data.length - off));
        s.write(data.subarray(off, off + len));
        off += len;
        if (next() < 0.2) setTimeout(step, 1);
        else step();
      };
      step();
    });
  });
}

test('random requests never crash the proxy; every connection is answered or closed; the proxy keeps serving', async (t) => {
  const up = await startUpstream('web');
  const p = await startProxy(
    bootstrap({
      routes: '- match: {prefix: "/"}\n  route: {cluster: web}',
      clusters: cluster('web', [up.port]),
      hcmExtra: 'http_protocol_options: {accept_http_10: true}\nmax_request_headers_kb: 2\nrequest_timeout: 1s',
    }),
  );
  try {
    const next = rng(20261125);
    const rounds = 150;
    let answered = 0;
    const statuses = new Map<string, number>();
    for (let round = 0; round < rounds; round++) {
      const count = 1 + Math.floor(next() * 3);
      let raw = '';
      for (let i = 0; i < count; i++) raw += randomRequest(next);
      const r = await blast(p.port, Buffer.from(raw, 'latin1'), next, 3000);
      // Whatever came back starts with a status line.
      if (r.text.length > 0) {
        assert.match(r.text, /^HTTP\/1\.1 \d{3} /, JSON.stringify(raw));
        answered++;
        const st = r.text.slice(9, 12);
        statuses.set(st, (statuses.get(st) ?? 0) + 1);
      }
    }
    t.diagnostic(`answered ${answered}/${rounds}; first statuses: ${[...statuses].map(([k, v]) => `${k}x${v}`).join(' ')}; upstream saw ${up.received.length}`);
    assert.ok(answered > rounds / 2, `only ${answered} of ${rounds} connections got a response`);
    // Still serving, and nothing is left in flight.
    const ok = await blast(p.port, Buffer.from('GET /after HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n'), next, 3000, Infinity);
    assert.match(ok.text, /^HTTP\/1\.1 200 OK\r\n/);
    assert.equal(p.server.activeStreams(), 0);
  } finally {
    await p.close();
    await up.close();
  }
});
