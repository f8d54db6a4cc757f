/**
 * HTTP/1.1 response serialization for the downstream codec (Envoy's Http1 ServerConnection
 * encoder): the response head as one latin1 string (status line, headers, `date`, framing,
 * `connection`), and body chunks with their framing. Stateless but for the status-line and
 * per-second `date` caches; the codec keeps the per-response framing in a ResponseFraming.
 */
import type { Socket } from 'node:net';
import { isHopByHopResponseHeader, type HeaderObject } from '../headers.js';
import { statusText } from '../status.js';
import { isHeaderValue, isToken } from '../../header_chars.js';

/** How the response in progress is framed (owned and reused by one connection's codec). */
export interface ResponseFraming {
  /** Body sent with chunked transfer coding. */
  chunked: boolean;
  /** No body may be sent (HEAD, 1xx, 204, 304). */
  noBody: boolean;
  /** The connection closes after this response. */
  close: boolean;
}

/** What the request being answered decides about the response's framing. */
export interface ResponseRequestInfo {
  readonly isHeadRequest: boolean;
  readonly http10: boolean;
  /** The connection must close after this response (client asked, codec closing). */
  readonly mustClose: boolean;
}

const CRLF = '\r\n';
const LAST_CHUNK = '0\r\n\r\n';

/** Largest body chunk sent as a latin1 string together with the head and framing. */
const SINGLE_WRITE_MAX = 8192;

/** `HTTP/1.1 <code> <reason>\r\n`, cached per status code. */
const statusLines: string[] = [];
function statusLine(status: number): string {
  let l = statusLines[status];
  if (l === undefined) {
    l = `HTTP/1.1 ${status} ${statusText(status)}\r\n`;
    if (status >= 100 && status < 1000) statusLines[status] = l;
  }
  return l;
}

/** The `date` header line, rebuilt at most once a second. */
let dateSecond = -1;
let dateLine = '';
function currentDateLine(): string {
  const sec = Math.floor(Date.now() / 1000);
  if (sec !== dateSecond) {
    dateSecond = sec;
    dateLine = `date: ${new Date(sec * 1000).toUTCString()}\r\n`;
  }
  return dateLine;
}

/** Buffer's own latin1 decoder, without toString()'s encoding lookup (public on Buffer.prototype). */
function latin1(b: Buffer): string {
  return (b as Buffer & { latin1Slice(start: number, end: number): string }).latin1Slice(0, b.length);
}

/**
 * The response head, ending with the blank line, or null when a header name or value cannot be
 * written (invalid characters). Hop-by-hop framing headers in `headers` are ignored except
 * `connection: close` and `content-length`; `date` is added when absent. Fills `framing`.
 */
export function encodeResponseHead(
  status: number,
  headers: HeaderObject,
  endStream: boolean,
  req: ResponseRequestInfo,
  framing: ResponseFraming,
): string | null {
  let head = statusLine(status);
  let hasLength = false;
  let hasDate = false;
  let close = req.mustClose;
  for (const name in headers) {
    const v = headers[name];
    if (v === undefined) continue;
    if (name === 'connection') {
      if (v === 'close') close = true;
      continue;
    }
    // Framing is this encoder's: the other connection-specific headers are never copied.
    if (isHopByHopResponseHeader(name)) continue;
    switch (name) {
      case 'content-length':
        hasLength = true;
        break;
      case 'date':
        hasDate = true;
        break;
    }
    if (typeof v === 'string') {
      if (!isHeaderValue(v) || !isToken(name)) return null;
      head += name + ': ' + v + CRLF;
    } else if (typeof v === 'number') {
      head += name + ': ' + v + CRLF;
    } else {
      if (!isToken(name)) return null;
      for (let i = 0; i < v.length; i++) {
        const item = v[i]!;
        if (!isHeaderValue(item)) return null;
        head += name + ': ' + item + CRLF;
      }
    }
  }
  if (!hasDate) head += currentDateLine();
  const noBody = req.isHeadRequest || status === 204 || status === 304 || (status >= 100 && status < 200);
  framing.noBody = noBody;
  framing.chunked = false;
  if (!hasLength && !noBody) {
    if (endStream) head += 'content-length: 0\r\n';
    else if (req.http10) close = true;
    else {
      framing.chunked = true;
      head += 'transfer-encoding: chunked\r\n';
    }
  }
  if (close) head += 'connection: close\r\n';
  else if (req.http10) head += 'connection: keep-alive\r\n';
  framing.close = close;
  return head + CRLF;
}

/**
 * The head of a response that turns the connection into a tunnel: an upgrade's 101 (its
 * `connection: upgrade` and `upgrade` headers kept, as the peer must see them) or a CONNECT's
 * 2xx. No framing headers: what follows is the tunnel's bytes. Null when a header cannot be
 * written.
 */
export function encodeTunnelHead(status: number, headers: HeaderObject): string | null {
  let head = statusLine(status);
  for (const name in headers) {
    const v = headers[name];
    if (v === undefined || name === 'content-length' || name === 'transfer-encoding' || name === 'keep-alive' || name === 'proxy-connection') continue;
    if (!isToken(name)) return null;
    const list = typeof v === 'string' ? [v] : typeof v === 'number' ? [String(v)] : v;
    for (const item of list) {
      if (!isHeaderValue(item)) return null;
      head += name + ': ' + item + CRLF;
    }
  }
  return head + CRLF;
}

/**
 * Writes a body chunk (and `head`, a response head not written yet) with the response's
 * framing: a small chunk and its head as one string write, a large one in one writev without
 * copying. Returns socket.write's verdict (false: over the high watermark).
 */
export function writeBody(socket: Socket, head: string | undefined, chunk: Buffer, endStream: boolean, framing: ResponseFraming): boolean {
  const len = chunk.length;
  const chunked = framing.chunked;
  if (framing.noBody || len === 0) {
    const out = endStream && chunked && !framing.noBody ? (head ?? '') + LAST_CHUNK : head;
    return out !== undefined ? socket.write(out, 'latin1') : true;
  }
  if (len <= SINGLE_WRITE_MAX) {
    // Bytes as a latin1 string are preserved exactly.
    let out = head ?? '';
    if (chunked) out += len.toString(16) + CRLF + latin1(chunk) + (endStream ? CRLF + LAST_CHUNK : CRLF);
    else out += latin1(chunk);
    return socket.write(out, 'latin1');
  }
  socket.cork();
  let ok: boolean;
  if (head !== undefined) socket.write(head, 'latin1');
  if (chunked) {
    socket.write(len.toString(16) + CRLF, 'latin1');
    socket.write(chunk);
    ok = socket.write(endStream ? CRLF + LAST_CHUNK : CRLF, 'latin1');
  } else ok = socket.write(chunk);
  socket.uncork();
  return ok;
}
