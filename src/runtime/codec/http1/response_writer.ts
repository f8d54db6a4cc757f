/**
 * The write side of one downstream HTTP/1 connection's responses (Envoy's
 * Http1::ResponseEncoderImpl): the head, serialized by response_encoder.ts (framing, `date`,
 * `connection`), is held until the body's first chunk of the same tick or the next tick, so that
 * a small response leaves in one write of one string and a large chunk in one writev with its
 * head (held_heads.ts); body chunks with the response's framing; the interim `100 Continue`; a tunnel's head;
 * the reply to a request that never parsed. One writer per connection, reused for each response:
 * the codec (server_codec.ts) decides when a response completes and what follows it.
 */
import type { Socket } from 'node:net';
import type { HeaderObject } from '../headers.js';
import { encodeResponseHead, encodeTunnelHead, writeBody, type ResponseFraming, type ResponseRequestInfo } from './response_encoder.js';
import { flushHeadNextTick, type HeadHolder } from '../held_heads.js';

const CONTINUE = 'HTTP/1.1 100 Continue\r\n\r\n';

/** A reply to a request that never became one (it did not parse): closes, has a body. */
const CODEC_ERROR_REPLY: ResponseRequestInfo = { isHeadRequest: false, http10: false, mustClose: true };

/** The write side of one connection's codec: one response at a time, each begun by writeHead. */
export class Http1ResponseWriter implements HeadHolder {
  /** How the response in progress is framed (set by writeHead, read by the body writes). */
  private readonly framing: ResponseFraming = { chunked: false, noBody: false, close: false };
  /** A response head not written yet (see writeHead). */
  private pendingHead: string | undefined;
  private flushScheduled = false;

  constructor(private readonly socket: Socket) {}

  /** The response in progress closes the connection (its head said `connection: close`). */
  get closesConnection(): boolean {
    return this.framing.close;
  }

  /**
   * Serializes the response head for the request `req` answers. With `endStream` it is written
   * at once; else it is held until the first body chunk or the next tick. Returns false, writing
   * nothing, when a header cannot be written (invalid name or value).
   */
  writeHead(status: number, headers: HeaderObject, endStream: boolean, req: ResponseRequestInfo): boolean {
    const head = encodeResponseHead(status, headers, endStream, req, this.framing);
    if (head === null) return false;
    if (endStream) {
      this.socket.write(head, 'latin1');
      return true;
    }
    this.pendingHead = head;
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      flushHeadNextTick(this);
    }
    return true;
  }

  /** Writes a body chunk (with the held head, if any); false when the socket buffer is over its high watermark. */
  writeData(chunk: Buffer, endStream: boolean): boolean {
    const head = this.pendingHead;
    this.pendingHead = undefined;
    return writeBody(this.socket, head, chunk, endStream, this.framing);
  }

  /** Writes a head still held by writeHead (no body came in the same tick). */
  flushHead(): void {
    this.flushScheduled = false;
    const head = this.pendingHead;
    if (head === undefined) return;
    this.pendingHead = undefined;
    if (!this.socket.destroyed) this.socket.write(head, 'latin1');
  }

  /** The interim `100 Continue`, unless the final response head is already on its way. */
  write100Continue(): void {
    if (!this.socket.destroyed && this.pendingHead === undefined) this.socket.write(CONTINUE, 'latin1');
  }

  /** Writes a tunnel's response head (101 or a CONNECT's 2xx); false, writing nothing, when a header is invalid. */
  writeTunnelHead(status: number, headers: HeaderObject): boolean {
    const head = encodeTunnelHead(status, headers);
    if (head === null) return false;
    this.pendingHead = undefined;
    this.socket.write(head, 'latin1');
    return true;
  }

  /**
   * A complete response outside any stream (a codec error reply), serialized like every other
   * one, then the end of the connection (reset when a header cannot be written). A held head is
   * dropped.
   */
  writeFinalReply(status: number, headers: HeaderObject, body: string): void {
    this.pendingHead = undefined;
    if (this.socket.destroyed) return;
    const head = encodeResponseHead(status, headers, body.length === 0, CODEC_ERROR_REPLY, this.framing);
    if (head === null) this.socket.destroy();
    else this.socket.end(head + body, 'latin1');
  }
}
