/**
 * The contract between the downstream HTTP/1 codec (server_codec.ts) and the connection that
 * owns it (server_connection.ts): what the codec calls, in which order, and the settings it
 * applies.
 */
import type { Http1CodecStats } from './codec_stats.js';
import type { RequestHead, RequestHeadOptions } from './request_head.js';

/**
 * What the connection manager implements. Per request, in order: `onRequestHeaders`, then
 * `onRequestBody`* and `onRequestComplete`, or `onCodecError` in their place or after the head.
 * One request at a time: the next one's head comes after the response to this one completed.
 * A callback may write the response; it must not call back into the parser. A callback that
 * throws resets the connection.
 */
export interface ServerCodecCallbacks {
  onRequestHeaders(head: RequestHead): void;
  onRequestBody(chunk: Buffer): void;
  onRequestComplete(): void;
  /**
   * A request that does not parse (llhttp error code, `HPE_*`, or one of CodecErrorCodes). `inRequest`: the delivered
   * request is incomplete.
   */
  onCodecError(code: string, inRequest: boolean): void;
  /**
   * A request head began and was still incomplete at the end of a read, with no response in
   * progress: the connection manager times it (stream_idle_timeout, request_headers_timeout).
   * Called after every such read until the head completes (`onRequestHeaders`).
   */
  onRequestHeadPending?(): void;
}

/** Codec limits and settings (Envoy's HCM settings). */
export interface ServerCodecOptions extends RequestHeadOptions {
  /** max_request_headers_kb * 1024. */
  readonly maxHeaderSize: number;
  /** The `http1.*` stats (http1CodecStats). */
  readonly stats: Http1CodecStats;
}
