/**
 * One request/response exchange on an upstream HTTP/1.1 connection: the RequestEncoder the
 * router writes to, and the undici dispatch handler that receives the response (Envoy's
 * ActiveClient stream wrapper + ResponseDecoder plumbing). One object per request serves both
 * roles, so the hot path allocates no closures and adds no listeners.
 *
 * Re-entrancy: decoder callbacks run from undici's parser callbacks. `encodeHeaders` may call
 * `decoder.onReset('local_reset', reason)` synchronously when undici rejects the request head
 * (e.g. an invalid header value). After `resetStream()` the decoder hears nothing more.
 */
import { Readable } from 'node:stream';
import type { ActiveClient } from './active_client.js';
import { streamResetReason } from './transport_failure.js';
import type { HeaderList, RequestEncoder, ResponseDecoder } from './types.js';

const EMPTY = Buffer.alloc(0);

/** Request headers undici refuses or manages itself; the router strips hop-by-hop ones anyway. */
function skipHeader(name: string): boolean {
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

function noopRead(): void {}

/** Buffer's own latin1 decoder, without toString()'s encoding lookup (public on Buffer.prototype). */
type Latin1Buffer = Buffer & { latin1Slice(start: number, end: number): string };

function latin1(b: Buffer): string {
  return (b as Latin1Buffer).latin1Slice(0, b.length);
}

/** Lowercased response header names by their wire spelling: an upstream repeats the same few
 * (`Content-Length`, `Date`, ...), so the lowercase copy is made once. Bounded. */
const lowerNames = new Map<string, string>();
const LOWER_NAMES_MAX = 1024;

function lowerName(raw: string): string {
  let l = lowerNames.get(raw);
  if (l === undefined) {
    l = raw.toLowerCase();
    if (lowerNames.size < LOWER_NAMES_MAX) lowerNames.set(raw, l);
  }
  return l;
}

/** The dispatch options undici reads (a subset of Dispatcher.DispatchOptions). */
interface DispatchOpts {
  path: string;
  method: string;
  headers: string[];
  body: Readable | null;
}

export class UpstreamStream implements RequestEncoder {
  /** Set once undici gives the abort function (onConnect). */
  private abortFn: ((err?: Error) => void) | null = null;
  private body: Readable | null = null;
  /** No more decoder callbacks: completed, errored or reset. */
  done = false;
  /** resetStream() was called. */
  localReset = false;
  private dispatched = false;
  private method = 'GET';
  /** Response body bytes still expected per content-length; -1 when not framed by length. */
  private remaining = -1;
  /** The decoder already got the end of the body (with the last content-length chunk). */
  private bodyDone = false;
  /** undici's parser resume function (backpressure), set with the response head. */
  private resumeFn: (() => void) | null = null;
  /** readDisable(true) is in effect: the next body chunk pauses undici's parser. */
  private readDisabled = false;
  /** undici's parser is paused by us (onData returned false). */
  private paused = false;

  constructor(
    readonly client: ActiveClient,
    private readonly decoder: ResponseDecoder,
  ) {}

  // ---- RequestEncoder -------------------------------------------------------------------------

  encodeHeaders(method: string, path: string, host: string, headers: HeaderList, endStream: boolean): void {
    if (this.done || this.dispatched) return;
    this.dispatched = true;
    this.method = method;
    // undici closes the connection after every HEAD request (it guards against servers that
    // send a body anyway), so the pool must not hand this connection out again.
    if (method === 'HEAD') this.client.closeAfterResponse = true;
    const flat: string[] = ['host', host];
    for (let i = 0; i < headers.length; i++) {
      const h = headers[i]!;
      const name = h[0];
      if (skipHeader(name)) continue;
      // With no body, a content-length other than 0 would make undici fail the request.
      if (endStream && name === 'content-length') continue;
      flat.push(name, h[1]);
    }
    if (!endStream) this.body = new Readable({ read: noopRead });
    const opts: DispatchOpts = { path, method, headers: flat, body: this.body };
    this.client.dispatch(opts, this);
  }

  encodeData(chunk: Buffer, endStream: boolean): void {
    const body = this.body;
    if (this.done || !body) return;
    if (chunk.length > 0) body.push(chunk);
    if (endStream) body.push(null);
  }

  readDisable(disable: boolean): void {
    if (this.done) return;
    this.readDisabled = disable;
    if (!disable && this.paused) {
      this.paused = false;
      this.resumeFn?.();
    }
  }

  resetStream(): void {
    if (this.done) return;
    this.done = true;
    this.localReset = true;
    this.body?.destroy();
    if (!this.dispatched) {
      // Nothing was written: the connection is intact and goes back to the pool.
      this.client.onStreamAbandoned(this);
      return;
    }
    if (this.abortFn) {
      // undici errors the request (onError, ignored since done) and destroys the socket.
      this.abortFn(new Error('upstream stream reset by router'));
    }
    this.client.onStreamReset(this, true);
  }

  // ---- undici dispatch handler (legacy raw form: no header objects built) -----------------------

  onConnect(abort: (err?: Error) => void): void {
    this.abortFn = abort;
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[], resume: () => void, _statusText: string): boolean {
    // 1xx interim responses (102, 103) are dropped as Envoy does; undici itself treats a 100
    // as a bad response (we never send `expect`, so a 100 means a confused upstream).
    if (this.done || statusCode < 200) return true;
    this.resumeFn = resume;
    const list: HeaderList = new Array(rawHeaders.length >> 1);
    let contentLengthZero = false;
    let remaining = -1;
    let chunked = false;
    for (let i = 0, j = 0; i < rawHeaders.length; i += 2, j++) {
      const name = lowerName(latin1(rawHeaders[i]!));
      const value = latin1(rawHeaders[i + 1]!);
      list[j] = [name, value];
      if (name === 'connection') {
        if (value !== 'keep-alive' && value.toLowerCase().includes('close')) this.client.closeAfterResponse = true;
      } else if (name === 'content-length') {
        if (value === '0') contentLengthZero = true;
        else if (remaining === -1 && /^\d{1,15}$/.test(value)) remaining = Number(value);
        else remaining = -2; // repeated or odd: let undici's framing decide the end
      } else if (name === 'transfer-encoding') chunked = true;
    }
    // A body framed by content-length ends with the chunk that completes it: the decoder gets
    // that chunk with endStream, so the downstream response goes out in one write.
    this.remaining = chunked || remaining < 0 ? -1 : remaining;
    const endStream =
      this.method === 'HEAD' || statusCode === 204 || statusCode === 304 || contentLengthZero;
    if (endStream) {
      // Headers-only response: done now (undici's onComplete follows in the same parser run).
      this.done = true;
      this.client.onStreamComplete(this);
    }
    this.decoder.onHeaders(statusCode, list, endStream);
    return true;
  }

  onData(chunk: Buffer): boolean {
    if (this.done || this.bodyDone) return true;
    const remaining = this.remaining;
    if (remaining > 0) {
      const left = remaining - chunk.length;
      this.remaining = left;
      if (left === 0) {
        // llhttp completes the message right after this chunk (onComplete follows in the same
        // parser run); the pool bookkeeping waits for it.
        this.bodyDone = true;
        this.decoder.onData(chunk, true);
        return true;
      }
    }
    this.decoder.onData(chunk, false);
    if (this.readDisabled && !this.done) {
      // Backpressure: undici stops parsing (and reading the socket) until readDisable(false).
      this.paused = true;
      return false;
    }
    return true;
  }

  onComplete(rawTrailers: Buffer[] | null): void {
    if (this.done) return;
    this.done = true;
    this.client.onStreamComplete(this);
    if (this.bodyDone) return;
    if (rawTrailers && rawTrailers.length > 0 && this.decoder.onTrailers) {
      const trailers: HeaderList = [];
      for (let i = 0; i < rawTrailers.length; i += 2) {
        trailers.push([rawTrailers[i]!.toString('latin1').toLowerCase(), rawTrailers[i + 1]!.toString('latin1')]);
      }
      this.decoder.onTrailers(trailers);
    } else {
      this.decoder.onData(EMPTY, true);
    }
  }

  onError(err: Error & { code?: string }): void {
    if (this.done) return;
    this.done = true;
    this.body?.destroy();
    if (this.bodyDone) {
      // The decoder has the whole response; only the connection is lost.
      this.client.onStreamReset(this, false, streamResetReason(err));
      return;
    }
    if (err.code === 'UND_ERR_INVALID_ARG') {
      // undici refused the request head before writing anything: the connection is intact.
      this.client.onStreamAbandoned(this);
      this.decoder.onReset('local_reset', err.message);
      return;
    }
    if (err.code === 'UND_ERR_REQ_CONTENT_LENGTH_MISMATCH') {
      this.client.onStreamReset(this, true);
      this.decoder.onReset('local_reset', err.message);
      return;
    }
    const reason = streamResetReason(err);
    this.client.onStreamReset(this, false, reason);
    this.decoder.onReset(reason, err.message);
  }
}
