/**
 * Serializes an upstream HTTP/1.1 request head (Envoy's Http1::ClientConnectionImpl request
 * encoding): `METHOD path HTTP/1.1`, `host`, the router's headers, then the body framing this
 * codec owns, as one latin1 string the caller writes with a single `socket.write`.
 *
 * Contract:
 * - Everything is validated before anything is returned: the method is an RFC 9110 token, the
 *   path has no control characters, spaces or characters above U+00FF, header names are tokens
 *   and values hold only HTAB, SP, VCHAR and obs-text. On a violation the result is `null` and
 *   `framing.headError` says why; nothing was written and the connection is intact.
 * - Names the codec manages are dropped from `headers`: host (given separately), connection,
 *   keep-alive, transfer-encoding, upgrade, expect, proxy-connection, and content-length unless
 *   it frames a body.
 * - An upgrade request (`upgrade` given: the `Upgrade` value) carries `connection: upgrade` and
 *   `upgrade: <value>` and no body framing at all: what follows the head on the connection is
 *   the new protocol's, once the upstream answered 101 (0 is reported).
 * - Framing, reported through `framing.bodyRemaining`: with `endStream` there is no body
 *   (`content-length: 0` is sent for POST, PUT and PATCH only; 0 is reported); else a valid
 *   `content-length` frames the body (its value is reported and the caller enforces it); else
 *   `transfer-encoding: chunked` is added and -1 reported.
 */
import type { HeaderList } from '../types.js';
import { isHeaderValue, isToken } from '../../header_chars.js';

/** Where `encodeRequestHead` reports framing and errors (the stream itself: no allocation). */
export interface RequestFraming {
  /** Request body bytes the head announced (content-length), or -1 for chunked. */
  bodyRemaining: number;
  /** Why the head was refused, when `encodeRequestHead` returned null. */
  headError: string;
}

/** Request target: printable, no space, nothing above U+00FF (as node:http's client checks). */
const VALID_PATH = /^[\x21-\xff]+$/;
const CONTENT_LENGTH = /^\d{1,15}$/;

/** Whether `name` is a header this codec manages itself (never copied from the router's list). */
function managedHeader(name: string): boolean {
  switch (name) {
    case 'host':
    case 'connection':
    case 'keep-alive':
    case 'transfer-encoding':
    case 'upgrade':
    case 'expect':
    case 'proxy-connection':
      return true;
  }
  return false;
}

/** Methods whose requests normally carry a body: an empty one is announced as `content-length: 0`. */
function expectsBody(method: string): boolean {
  return method === 'POST' || method === 'PUT' || method === 'PATCH';
}

/**
 * The request head, ending with the blank line, or null when something is invalid (see the
 * module contract). `framing.bodyRemaining` is set on success.
 */
export function encodeRequestHead(
  method: string,
  path: string,
  host: string,
  headers: HeaderList,
  endStream: boolean,
  framing: RequestFraming,
  upgrade?: string,
): string | null {
  if (!isToken(method)) return refuse(framing, 'invalid request method');
  if (!VALID_PATH.test(path)) return refuse(framing, 'invalid request path');
  if (!isHeaderValue(host)) return refuse(framing, 'invalid host header');
  let head = method + ' ' + path + ' HTTP/1.1\r\nhost: ' + host + '\r\n';
  let contentLength = '';
  for (let i = 0; i < headers.length; i++) {
    const h = headers[i]!;
    const name = h[0];
    const value = h[1];
    if (!isToken(name)) return refuse(framing, 'invalid header name');
    if (!isHeaderValue(value)) return refuse(framing, `invalid ${name} header`);
    if (name === 'content-length') {
      if (endStream) continue;
      if (!CONTENT_LENGTH.test(value)) return refuse(framing, 'invalid content-length header');
      if (contentLength !== '') {
        if (Number(value) !== Number(contentLength)) return refuse(framing, 'multiple content-length headers');
        continue;
      }
      contentLength = value;
    } else if (managedHeader(name)) {
      continue;
    }
    head += name + ': ' + value + '\r\n';
  }
  if (upgrade !== undefined) {
    if (upgrade === '' || !isHeaderValue(upgrade)) return refuse(framing, 'invalid upgrade header');
    framing.bodyRemaining = 0;
    return head + 'connection: upgrade\r\nupgrade: ' + upgrade + '\r\n\r\n';
  }
  if (endStream) {
    framing.bodyRemaining = 0;
    return expectsBody(method) ? head + 'content-length: 0\r\n\r\n' : head + '\r\n';
  }
  if (contentLength !== '') {
    framing.bodyRemaining = Number(contentLength);
    return head + '\r\n';
  }
  framing.bodyRemaining = -1;
  return head + 'transfer-encoding: chunked\r\n\r\n';
}

function refuse(framing: RequestFraming, why: string): null {
  framing.headError = why;
  return null;
}

/** The size line that opens a chunk of `length` bytes (chunked transfer coding). */
export function chunkHeader(length: number): string {
  return length.toString(16) + '\r\n';
}

/** Ends the last data chunk and the chunked body (no trailers). */
export const LAST_CHUNK_AFTER_DATA = '\r\n0\r\n\r\n';
/** Ends a chunked body with no data chunk before it in this write. */
export const LAST_CHUNK = '0\r\n\r\n';
/** Ends a data chunk. */
export const CHUNK_END = '\r\n';

/**
 * The end of a chunked body carrying `trailers` (`0`, the trailer fields, the blank line), or
 * null when a trailer name or value is invalid (the caller then ends the body without them).
 * `afterData`: a data chunk was written just before in the same write (its CRLF comes first).
 */
export function lastChunkWithTrailers(trailers: HeaderList, afterData: boolean): string | null {
  let out = afterData ? '\r\n0\r\n' : '0\r\n';
  for (let i = 0; i < trailers.length; i++) {
    const [name, value] = trailers[i]!;
    if (!isToken(name) || !isHeaderValue(value)) return null;
    out += name + ': ' + value + '\r\n';
  }
  return out + '\r\n';
}
