/**
 * The `envoy.filters.listener.tls_inspector` listener filter (Envoy's TlsInspector::Filter): reads
 * the start of an accepted connection without consuming it, and when it is a TLS ClientHello
 * records the transport protocol `tls`, the SNI and the ALPN protocols the client offers, so the
 * listener can pick the filter chain (and so the certificate) BEFORE the handshake.
 *
 * The parser is bounded and never throws: at most {@link MAX_CLIENT_HELLO_SIZE} bytes (Envoy's
 * 64 KiB) are looked at; anything that is not a well-formed ClientHello is "not TLS" (Envoy's
 * inspector, built on BoringSSL, reports `tls_not_found` the same way), and the connection goes
 * on as `raw_buffer`. A ClientHello spread over several TLS records is reassembled. The bytes
 * read are put back with `socket.unshift`, so whoever reads the socket next (node:tls, or the
 * HTTP/1 codec for a plaintext connection) sees the connection from its first byte.
 *
 * Stats (Envoy's, under `listener.<address>.tls_inspector.`): `tls_found`, `tls_not_found`,
 * `sni_found`, `sni_not_found`, `alpn_found`, `alpn_not_found`, `client_hello_too_large`.
 */
import type { Socket } from 'node:net';
import type { Counter, StatsScope } from '../stats/store.js';

/** Envoy's TLS_MAX_CLIENT_HELLO: the inspector never reads more than this. */
export const MAX_CLIENT_HELLO_SIZE = 64 * 1024;

/** What the inspector found in the first bytes of a connection. */
export type ClientHelloResult =
  | { readonly kind: 'more' }
  | { readonly kind: 'not_tls' }
  | { readonly kind: 'too_large' }
  | { readonly kind: 'tls'; readonly serverName: string | undefined; readonly alpn: readonly string[] };

const MORE: ClientHelloResult = Object.freeze({ kind: 'more' });
const NOT_TLS: ClientHelloResult = Object.freeze({ kind: 'not_tls' });
const TOO_LARGE: ClientHelloResult = Object.freeze({ kind: 'too_large' });

const RECORD_HANDSHAKE = 0x16;
const HANDSHAKE_CLIENT_HELLO = 0x01;
const EXT_SERVER_NAME = 0x0000;
const EXT_ALPN = 0x0010;

/**
 * Parses the ClientHello at the start of `bytes` (pure, bounded, never throws): `more` while the
 * bytes are a proper prefix of a ClientHello, `tls` with SNI and ALPN once it is complete,
 * `not_tls` as soon as they cannot be one, `too_large` when the ClientHello would exceed `max`.
 */
export function parseClientHello(bytes: Uint8Array, max = MAX_CLIENT_HELLO_SIZE): ClientHelloResult {
  // Reassemble the handshake message from consecutive handshake records.
  let off = 0;
  let hs: Uint8Array | undefined;
  let hsLen = 0;
  let need = -1; // handshake message length once known (4-byte header + body)
  while (true) {
    if (bytes.length - off < 5) return bytes.length >= max ? TOO_LARGE : MORE;
    if (bytes[off] !== RECORD_HANDSHAKE) return NOT_TLS;
    const major = bytes[off + 1]!;
    if (major !== 0x03 || bytes[off + 2]! > 0x04) return NOT_TLS;
    const recLen = (bytes[off + 3]! << 8) | bytes[off + 4]!;
    if (recLen === 0 || recLen > 16384 + 2048) return NOT_TLS;
    const avail = Math.min(recLen, bytes.length - off - 5);
    hs ??= new Uint8Array(Math.min(max, 16384 + 2048));
    if (hsLen + avail > hs.length) {
      if (hsLen + avail > max) return TOO_LARGE;
      const grown = new Uint8Array(Math.min(max, Math.max(hs.length * 2, hsLen + avail)));
      grown.set(hs.subarray(0, hsLen));
      hs = grown;
    }
    hs.set(bytes.subarray(off + 5, off + 5 + avail), hsLen);
    hsLen += avail;
    if (need < 0 && hsLen >= 4) {
      if (hs[0] !== HANDSHAKE_CLIENT_HELLO) return NOT_TLS;
      need = 4 + ((hs[1]! << 16) | (hs[2]! << 8) | hs[3]!);
      if (need > max) return TOO_LARGE;
    }
    if (need >= 0 && hsLen >= need) return parseClientHelloBody(hs.subarray(4, need));
    if (avail < recLen) return MORE; // this record is not complete yet
    off += 5 + recLen;
    if (off >= max) return TOO_LARGE;
  }
}

/** The ClientHello body (after the 4-byte handshake header). */
function parseClientHelloBody(b: Uint8Array): ClientHelloResult {
  let p = 0;
  const left = (): number => b.length - p;
  if (left() < 2 + 32 + 1) return NOT_TLS;
  if (b[p] !== 0x03) return NOT_TLS;
  p += 2 + 32;
  const sidLen = b[p++]!;
  if (sidLen > 32 || left() < sidLen + 2) return NOT_TLS;
  p += sidLen;
  const csLen = (b[p]! << 8) | b[p + 1]!;
  p += 2;
  if (csLen < 2 || csLen % 2 !== 0 || left() < csLen + 1) return NOT_TLS;
  p += csLen;
  const compLen = b[p++]!;
  if (compLen < 1 || left() < compLen) return NOT_TLS;
  p += compLen;
  let serverName: string | undefined;
  let alpn: string[] = [];
  if (left() === 0) return { kind: 'tls', serverName, alpn };
  if (left() < 2) return NOT_TLS;
  const extLen = (b[p]! << 8) | b[p + 1]!;
  p += 2;
  if (left() !== extLen) return NOT_TLS;
  const end = p + extLen;
  while (p < end) {
    if (end - p < 4) return NOT_TLS;
    const type = (b[p]! << 8) | b[p + 1]!;
    const len = (b[p + 2]! << 8) | b[p + 3]!;
    p += 4;
    if (end - p < len) return NOT_TLS;
    const ext = b.subarray(p, p + len);
    p += len;
    if (type === EXT_SERVER_NAME) {
      const sni = parseServerName(ext);
      if (sni === null) return NOT_TLS;
      serverName = sni;
    } else if (type === EXT_ALPN) {
      const list = parseAlpn(ext);
      if (list === null) return NOT_TLS;
      alpn = list;
    }
  }
  return { kind: 'tls', serverName, alpn };
}

/** server_name extension (RFC 6066 3): the host_name entry, lowercased; null when malformed. */
function parseServerName(e: Uint8Array): string | undefined | null {
  if (e.length < 2) return null;
  const listLen = (e[0]! << 8) | e[1]!;
  if (listLen !== e.length - 2) return null;
  let p = 2;
  let name: string | undefined;
  while (p < e.length) {
    if (e.length - p < 3) return null;
    const type = e[p]!;
    const len = (e[p + 1]! << 8) | e[p + 2]!;
    p += 3;
    if (e.length - p < len) return null;
    if (type === 0 && name === undefined) {
      let s = '';
      for (let i = p; i < p + len; i++) {
        const c = e[i]!;
        // A host name is ASCII without controls; anything else is not a usable SNI.
        if (c <= 0x20 || c >= 0x7f) return null;
        s += String.fromCharCode(c);
      }
      name = s.toLowerCase();
    }
    p += len;
  }
  return name;
}

/** ALPN extension (RFC 7301 3.1): the protocol names in the client's order; null when malformed. */
function parseAlpn(e: Uint8Array): string[] | null {
  if (e.length < 2) return null;
  const listLen = (e[0]! << 8) | e[1]!;
  if (listLen !== e.length - 2) return null;
  const out: string[] = [];
  let p = 2;
  while (p < e.length) {
    const len = e[p++]!;
    if (len === 0 || e.length - p < len) return null;
    out.push(String.fromCharCode(...e.subarray(p, p + len)));
    p += len;
  }
  return out;
}

/** The inspector's counters of one listener. */
export class TlsInspectorStats {
  readonly tlsFound: Counter;
  readonly tlsNotFound: Counter;
  readonly sniFound: Counter;
  readonly sniNotFound: Counter;
  readonly alpnFound: Counter;
  readonly alpnNotFound: Counter;
  readonly clientHelloTooLarge: Counter;
  constructor(listenerScope: StatsScope) {
    const s = listenerScope.scope('tls_inspector.');
    this.tlsFound = s.counter('tls_found');
    this.tlsNotFound = s.counter('tls_not_found');
    this.sniFound = s.counter('sni_found');
    this.sniNotFound = s.counter('sni_not_found');
    this.alpnFound = s.counter('alpn_found');
    this.alpnNotFound = s.counter('alpn_not_found');
    this.clientHelloTooLarge = s.counter('client_hello_too_large');
  }

  /** Counts what one connection's inspection found. */
  record(r: ClientHelloResult): void {
    if (r.kind === 'tls') {
      this.tlsFound.inc();
      (r.serverName !== undefined && r.serverName !== '' ? this.sniFound : this.sniNotFound).inc();
      (r.alpn.length > 0 ? this.alpnFound : this.alpnNotFound).inc();
    } else if (r.kind === 'too_large') {
      this.clientHelloTooLarge.inc();
    } else if (r.kind === 'not_tls') {
      this.tlsNotFound.inc();
    }
  }
}

/** How an inspection ended: a result, or the connection closed / timed out first. */
export type InspectOutcome = ClientHelloResult | { readonly kind: 'closed' } | { readonly kind: 'timeout' };

/**
 * Reads from `socket` until {@link parseClientHello} decides, puts every byte back
 * (`socket.unshift`), leaves the socket paused with no listener of its own, and calls `done`
 * once, never synchronously. `timeoutMs` (the listener's `listener_filters_timeout`, 0 = none)
 * bounds the wait: `timeout`. A peer that closes first: `closed`.
 */
export function inspectClientHello(socket: Socket, timeoutMs: number, done: (outcome: InspectOutcome) => void): void {
  let buf: Buffer | undefined;
  let finished = false;
  let timer: NodeJS.Timeout | undefined;
  const finish = (outcome: InspectOutcome): void => {
    if (finished) return;
    finished = true;
    if (timer !== undefined) clearTimeout(timer);
    socket.removeListener('data', onData);
    socket.removeListener('end', onEnd);
    socket.removeListener('close', onEnd);
    socket.removeListener('error', onEnd);
    socket.pause();
    // Not after the peer's FIN: a Readable refuses unshift after 'end' (an 'error' nobody handles).
    if (outcome.kind !== 'closed' && buf !== undefined && buf.length > 0 && !socket.destroyed) socket.unshift(buf);
    process.nextTick(done, outcome);
  };
  const onData = (chunk: Buffer): void => {
    buf = buf === undefined ? chunk : Buffer.concat([buf, chunk]);
    const r = parseClientHello(buf);
    if (r.kind !== 'more') finish(r);
  };
  const onEnd = (): void => finish({ kind: 'closed' });
  socket.on('data', onData);
  socket.on('end', onEnd);
  socket.on('close', onEnd);
  socket.on('error', onEnd);
  if (timeoutMs > 0) timer = setTimeout(() => finish({ kind: 'timeout' }), timeoutMs);
}
