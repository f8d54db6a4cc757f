/**
 * `codec_type: AUTO` on a plaintext connection: prior-knowledge HTTP/2 (h2c) when the peer
 * starts with the 24-byte connection preface (RFC 9113 3.4), else HTTP/1.1. Bytes are read
 * only while they still match the preface, then put back with `socket.unshift`, so the chosen
 * codec reads the connection from its first byte (node:http2 takes the unshifted bytes first;
 * the HTTP/1 codec gets them as a 'data' event once it resumed the socket: the sniffer leaves it
 * paused, and a paused socket stays paused when a 'data' listener is added). Over TLS, ALPN decides instead (`h2` ->
 * HTTP/2) and this is not used.
 *
 * Envoy's AUTO (ConnectionManagerUtility::determineNextProtocol) looks at the first read only and
 * checks its 12-byte prefix `PRI * HTTP/2`; reading on while the bytes match also handles a
 * preface split over several reads. A connection that ends or fails before the decision is
 * reported as 'http1' (the HTTP/1 codec then sees the end); one that ended after part of the
 * preface is closed (its bytes cannot be put back after the end).
 */
import type { Socket } from 'node:net';

export const H2_PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');

/** The codec a sniffed connection goes to. */
export type SniffedProtocol = 'h2' | 'http1';

/**
 * How far `bytes` agrees with the preface: 'h2' when it holds the whole preface, 'http1' as soon
 * as a byte differs, 'more' while it is a proper prefix of it. Pure.
 */
export function matchPreface(bytes: Buffer): SniffedProtocol | 'more' {
  const n = Math.min(bytes.length, H2_PREFACE.length);
  for (let i = 0; i < n; i++) if (bytes[i] !== H2_PREFACE[i]) return 'http1';
  return n === H2_PREFACE.length ? 'h2' : 'more';
}

/**
 * Reads from `socket` until the protocol is known, unshifts what it read, leaves the socket
 * paused with no listeners of its own, and calls `done` once (never synchronously). The HTTP/1
 * consumer calls `socket.resume()` after attaching itself; node:http2 reads the unshifted bytes
 * on its own.
 */
export function sniffProtocol(socket: Socket, done: (protocol: SniffedProtocol) => void): void {
  let buf: Buffer | undefined;
  let finished = false;
  const finish = (protocol: SniffedProtocol, ended = false): void => {
    if (finished) return;
    finished = true;
    socket.removeListener('data', onData);
    socket.removeListener('end', onEnd);
    socket.removeListener('close', onEnd);
    socket.removeListener('error', onEnd);
    socket.pause();
    if (buf !== undefined && buf.length > 0 && !socket.destroyed) {
      // A stream cannot take bytes back after its end: a peer that sent part of the preface and
      // then ended (or failed) has sent no request; the connection closes.
      if (ended) socket.destroy();
      else socket.unshift(buf);
    }
    // Never from inside the 'data' event: the consumer may take over the socket's reads.
    process.nextTick(done, protocol);
  };
  const onData = (chunk: Buffer): void => {
    buf = buf === undefined ? chunk : Buffer.concat([buf, chunk]);
    const m = matchPreface(buf);
    if (m !== 'more') finish(m);
  };
  const onEnd = (): void => finish('http1', true);
  socket.on('data', onData);
  socket.on('end', onEnd);
  socket.on('close', onEnd);
  socket.on('error', onEnd);
  // A socket a listener filter peeked is paused: a 'data' listener alone does not resume it.
  if (socket.isPaused()) socket.resume();
}
