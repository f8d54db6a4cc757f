/**
 * A raw TCP upstream for fault scenarios: it records every request head it receives (requests
 * without bodies) and lets the test decide, per request, what goes back on the socket: a
 * response, a response and a close, nothing, a close. It tracks its open sockets, so a test can
 * check that the proxy left none behind.
 */
import net from 'node:net';

export interface RawUpstream {
  readonly port: number;
  /** Request heads received, in order (`GET /x HTTP/1.1\r\n...`). */
  readonly requests: string[];
  /** Connections accepted so far. */
  connections(): number;
  /** Connections currently open. */
  openSockets(): number;
  close(): Promise<void>;
}

/**
 * `onRequest(socket, head, n, k)`: called once per complete request head; `n` counts requests
 * over all connections, `k` the requests of this connection (both from 0).
 */
export async function startRawUpstream(onRequest: (s: net.Socket, head: string, n: number, k: number) => void): Promise<RawUpstream> {
  const requests: string[] = [];
  const sockets = new Set<net.Socket>();
  let accepted = 0;
  const server = net.createServer((s) => {
    accepted++;
    sockets.add(s);
    let k = 0;
    let buf = '';
    s.on('close', () => sockets.delete(s));
    s.on('error', () => {});
    s.on('data', (d: Buffer) => {
      buf += d.toString('latin1');
      for (let end = buf.indexOf('\r\n\r\n'); end >= 0; end = buf.indexOf('\r\n\r\n')) {
        const head = buf.slice(0, end + 4);
        buf = buf.slice(end + 4);
        const n = requests.push(head) - 1;
        onRequest(s, head, n, k++);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    requests,
    connections: () => accepted,
    openSockets: () => sockets.size,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
