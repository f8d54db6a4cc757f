/**
 * HTTP/1 pipelining on the downstream codec: requests parsed while an earlier response is still
 * in progress wait here, in order, with their body chunks and whether they were received whole,
 * or a parse error in their place (or inside the last one), until the codec (server_codec.ts)
 * delivers them. The request the parser is in (`parsing`) receives the parser's body and
 * completion events until it is delivered.
 */
import type { RequestHead } from './request_head.js';

/** A request parsed while an earlier response was still in progress. */
export interface QueuedRequest {
  /** Undefined for a parse error in place of a request. */
  readonly head: RequestHead | undefined;
  body: Buffer[] | undefined;
  complete: boolean;
  /** A parse error in place of (or inside) this request. */
  error: string | undefined;
}

/** One connection's waiting requests, oldest first. Not re-entrant (the codec's parser callbacks feed it). */
export class PipelinedRequests {
  private readonly queue: QueuedRequest[] = [];
  /** The queued request the parser is in, until it completes or is delivered. */
  private parsing: QueuedRequest | undefined;

  get length(): number {
    return this.queue.length;
  }

  /** A request head was parsed behind a response in progress: it waits, and the parser is in it. */
  add(head: RequestHead): void {
    const q: QueuedRequest = { head, body: undefined, complete: false, error: undefined };
    this.queue.push(q);
    this.parsing = q;
  }

  /** A body chunk of the request being parsed (none: it belongs to no queued request). */
  onBody(chunk: Buffer): void {
    if (this.parsing !== undefined) (this.parsing.body ??= []).push(chunk);
  }

  /** The request being parsed is complete. */
  onMessageComplete(): void {
    if (this.parsing === undefined) return;
    this.parsing.complete = true;
    this.parsing = undefined;
  }

  /** A parse error: inside the request being parsed, or in place of the next one. */
  onParseError(code: string): void {
    const q = this.parsing;
    if (q !== undefined && !q.complete) q.error = code;
    else this.queue.push({ head: undefined, body: undefined, complete: true, error: code });
  }

  /**
   * The oldest waiting request (or parse error), taken out of the queue. A request still being
   * parsed is no longer `parsing`: the rest of its body goes to whoever it is delivered to.
   */
  shift(): QueuedRequest | undefined {
    const q = this.queue.shift();
    if (q !== undefined && q === this.parsing) this.parsing = undefined;
    return q;
  }

  /** The connection closes: what waits is dropped. */
  clear(): void {
    this.queue.length = 0;
  }
}
