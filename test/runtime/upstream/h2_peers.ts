/**
 * HTTP/2 (h2c prior knowledge) upstreams for the upstream tests: a scriptable node:http2 server
 * and Debian's nghttpd. Both bind 127.0.0.1 only.
 */
import http2 from 'node:http2';
import net from 'node:net';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';

export interface H2Upstream {
  readonly port: number;
  /** Sessions (connections) accepted so far. */
  sessions: number;
  /** Highest number of streams open at once on any one session. */
  maxOpenPerSession: number;
  /** Requests received, in order. */
  readonly paths: string[];
  /** Streams waiting on `/hold` paths; `release()` answers them. */
  held(): number;
  release(): void;
  /** The live server sessions (a test may send GOAWAY on them). */
  readonly live: Set<http2.ServerHttp2Session>;
  close(): Promise<void>;
}

/**
 * A node:http2 h2c upstream. Paths: `/hold*` waits for `release()`; `/rst` resets the stream
 * (INTERNAL_ERROR), `/rst-protocol` with PROTOCOL_ERROR; `/kill` destroys the connection after
 * the request head; `/goaway` answers then sends GOAWAY (graceful close); `/trailers` answers
 * with trailers; anything else answers 200 `ok <path>` (a body is echoed).
 */
export async function startH2Upstream(settings: http2.Settings = {}): Promise<H2Upstream> {
  const server = http2.createServer({ settings });
  const live = new Set<http2.ServerHttp2Session>();
  const waiting: Array<() => void> = [];
  const open = new Map<http2.ServerHttp2Session, number>();
  const up: H2Upstream = {
    port: 0,
    sessions: 0,
    maxOpenPerSession: 0,
    paths: [],
    held: () => waiting.length,
    release: () => waiting.splice(0).forEach((f) => f()),
    live,
    close: async () => {
      for (const s of live) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
  server.on('session', (s) => {
    up.sessions++;
    live.add(s);
    open.set(s, 0);
    s.on('close', () => live.delete(s));
    s.on('error', () => {});
  });
  server.on('stream', (stream, headers) => {
    stream.on('error', () => {});
    const session = stream.session as http2.ServerHttp2Session;
    const n = (open.get(session) ?? 0) + 1;
    open.set(session, n);
    up.maxOpenPerSession = Math.max(up.maxOpenPerSession, n);
    stream.on('close', () => open.set(session, (open.get(session) ?? 1) - 1));
    const p = String(headers[':path']);
    up.paths.push(p);
    if (p === '/rst') return stream.close(http2.constants.NGHTTP2_INTERNAL_ERROR);
    if (p === '/rst-protocol') return stream.close(http2.constants.NGHTTP2_PROTOCOL_ERROR);
    if (p === '/kill') return session.destroy();
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => {
      const answer = (): void => {
        if (stream.destroyed) return;
        if (p === '/trailers') {
          stream.respond({ ':status': 200 }, { waitForTrailers: true });
          stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
          stream.end('ok');
          return;
        }
        const body = chunks.length > 0 ? Buffer.concat(chunks).toString() : `ok ${p}`;
        stream.respond({ ':status': 200, 'content-type': 'text/plain' });
        stream.end(body);
        if (p === '/goaway') session.close();
      };
      if (p.startsWith('/hold')) waiting.push(answer);
      else answer();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  (up as { port: number }).port = (server.address() as net.AddressInfo).port;
  return up;
}

/** A port nothing listens on right now. */
async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

export const NGHTTPD = '/usr/sbin/nghttpd';

/** Whether nghttpd is installed (Debian nghttp2-server; CI installs it). */
export const haveNghttpd = fs.existsSync(NGHTTPD);

/**
 * nghttpd (h2c, `--no-tls`) serving a temporary document root with `index.txt` (`hello h2`),
 * `--echo-upload` on, and `extra` arguments (e.g. `-m 2`, `--trailer x: y`).
 */
export async function startNghttpd(extra: string[] = []): Promise<{ port: number; close(): Promise<void> }> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tsproxy-nghttpd-'));
  fs.writeFileSync(path.join(root, 'index.txt'), 'hello h2');
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    const child: ChildProcess = spawn(NGHTTPD, ['--no-tls', '-a', '127.0.0.1', '-d', root, '--echo-upload', ...extra, String(port)], { stdio: 'ignore' });
    const up = await waitListening(port, child);
    if (up) {
      return {
        port,
        close: async () => {
          child.kill('SIGKILL');
          await new Promise((r) => child.once('exit', r));
          fs.rmSync(root, { recursive: true, force: true });
        },
      };
    }
    child.kill('SIGKILL');
    if (attempt >= 3) throw new Error('nghttpd did not start');
  }
}

async function waitListening(port: number, child: ChildProcess): Promise<boolean> {
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) return false;
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return true;
    await new Promise((r) => setTimeout(r, 10));
  }
  return false;
}
