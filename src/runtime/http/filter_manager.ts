/**
 * The HTTP filter chain of one stream (Envoy's FilterManager): decoder filters in config order,
 * encoder filters in reverse order, iteration that stops on `'StopIteration'` and resumes on
 * `continueDecoding()` / `continueEncoding()`, and buffering of body chunks that arrive while the
 * chain is stopped. Each ActiveStream (active_stream.ts) holds one and is its
 * FilterManagerCallbacks: what leaves the encoder chain is written through the stream.
 *
 * Rules (see filter.ts for the filter-facing contract): the terminal (last) decoder stopping is
 * normal and completes the headers phase; a local reply or a started response ends decoding;
 * `continueDecoding()` resumes wherever the chain is stopped (all filters of a stream share one
 * callbacks object), and is a no-op when nothing is stopped or the stream is complete.
 */
import type { HeaderList } from '../codec/types.js';
import type {
  ResponseHeaderMap,
  RequestHeaderMap,
  FilterFactoryCb,
  StreamDecoderFilter,
  StreamDecoderFilterCallbacks,
  StreamEncoderFilter,
  StreamEncoderFilterCallbacks,
} from './filter.js';

/** The shared empty chunk that carries end-of-stream. Never written to. */
export const EMPTY_BUFFER = Buffer.alloc(0);

/** The encoder list of a stream without encoder filters (the common case): shared, never written. */
const NO_ENCODERS: StreamEncoderFilter[] = [];

/** What the filter manager needs from its stream (Envoy's FilterManagerCallbacks). */
export interface FilterManagerCallbacks {
  /** The request head the decoder filters see. */
  readonly requestHeaders: RequestHeaderMap;
  /** Response headers that passed every encoder filter: written downstream. */
  writeHeaders(h: ResponseHeaderMap, endStream: boolean): void;
  /** A response body chunk that passed every encoder filter. */
  writeData(chunk: Buffer, endStream: boolean): void;
  /** Response trailers that passed every encoder filter (they end the response). */
  writeTrailers(trailers: HeaderList): void;
}

/**
 * One stream's filter chain and its iteration state. The stream reports its response start and
 * completion (`markResponseStarted`, `markComplete`): after either, decoding stops; after
 * completion nothing iterates.
 */
export class FilterManager {
  private readonly decoders: StreamDecoderFilter[] = [];
  /** Reverse config order; the shared empty list until a filter brings an encoder. */
  private encoders: StreamEncoderFilter[] = NO_ENCODERS;
  private decodeStoppedAt = -1;
  private headersDone = false;
  private pendingData: Buffer[] | undefined;
  private pendingEnd = false;
  /** Request trailers that arrived while the chain was stopped (they end the request). */
  private pendingTrailers: HeaderList | undefined;
  private headersEndStream = false;
  private encodeStoppedAt = -1;
  private encodeHeadersPending: ResponseHeaderMap | undefined;
  private encodePendingData: Buffer[] | undefined;
  private encodePendingEnd = false;
  private encodePendingTrailers: HeaderList | undefined;
  private responseStarted = false;
  private completed = false;

  constructor(private readonly stream: FilterManagerCallbacks) {}

  /** The stream completed (response written, reset, or client gone). */
  get isComplete(): boolean {
    return this.completed;
  }

  markComplete(): void {
    this.completed = true;
  }

  /** The response headers went downstream (or the stream became a tunnel). */
  get isResponseStarted(): boolean {
    return this.responseStarted;
  }

  markResponseStarted(): void {
    this.responseStarted = true;
  }

  /** A local reply ends decoding: later decoder filters never see the request, buffered body is dropped. */
  endDecoding(): void {
    this.decodeStoppedAt = -1;
    this.headersDone = true;
    this.pendingData = undefined;
  }

  /** Creates the stream's filters; `callbacks` is the stream itself. */
  installFilters(factories: readonly FilterFactoryCb[], callbacks: StreamDecoderFilterCallbacks & StreamEncoderFilterCallbacks): void {
    for (let i = 0; i < factories.length; i++) {
      const inst = factories[i]!();
      if (inst.decoder) {
        inst.decoder.setDecoderFilterCallbacks(callbacks);
        this.decoders.push(inst.decoder);
      }
      if (inst.encoder) {
        inst.encoder.setEncoderFilterCallbacks(callbacks);
        if (this.encoders === NO_ENCODERS) this.encoders = [];
        this.encoders.unshift(inst.encoder);
      }
    }
  }

  /** The request head through the decoder filters; `endStream` when the request has no body. */
  decodeHeaders(endStream: boolean): void {
    this.headersEndStream = endStream;
    this.iterateDecodeHeaders(0, endStream);
  }

  /** Request body chunk (or the end) from the codec: through the chain, or buffered while stopped. */
  decodeData(chunk: Buffer, end: boolean): void {
    if (!this.headersDone || this.decodeStoppedAt >= 0) {
      if (chunk.length > 0) (this.pendingData ??= []).push(chunk);
      if (end) this.pendingEnd = true;
      return;
    }
    this.iterateDecodeData(chunk, end, 0);
  }

  /** Calls onDestroy once on every filter (a filter that is both is destroyed once). */
  destroyFilters(): void {
    const d = this.decoders;
    for (let i = 0; i < d.length; i++) d[i]!.onDestroy();
    const e = this.encoders;
    for (let i = 0; i < e.length; i++) if (!d.includes(e[i] as unknown as StreamDecoderFilter)) e[i]!.onDestroy();
  }

  private iterateDecodeHeaders(from: number, endStream: boolean): void {
    const d = this.decoders;
    const last = d.length - 1;
    for (let i = from; i <= last; i++) {
      const status = d[i]!.decodeHeaders(this.stream.requestHeaders, endStream);
      if (this.completed || this.responseStarted) return;
      // The terminal filter stopping is normal (router): headers are done.
      if (status === 'StopIteration' && i < last) {
        this.decodeStoppedAt = i;
        return;
      }
    }
    this.decodeStoppedAt = -1;
    this.headersDone = true;
    this.flushPendingData(0);
  }

  private iterateDecodeData(chunk: Buffer, end: boolean, from: number): void {
    const d = this.decoders;
    const last = d.length - 1;
    for (let i = from; i <= last; i++) {
      const status = d[i]!.decodeData(chunk, end);
      if (this.completed) return;
      if (status === 'StopIteration' && i < last) {
        this.decodeStoppedAt = i;
        (this.pendingData ??= []).unshift(chunk);
        if (end) this.pendingEnd = true;
        return;
      }
    }
  }

  private flushPendingData(from: number): void {
    const pending = this.pendingData;
    const trailers = this.pendingTrailers;
    // With trailers, the data does not carry the end: the trailers do.
    const end = this.pendingEnd && trailers === undefined;
    this.pendingData = undefined;
    this.pendingEnd = false;
    this.pendingTrailers = undefined;
    if (pending) {
      for (let k = 0; k < pending.length; k++) {
        const isLast = k === pending.length - 1;
        this.iterateDecodeData(pending[k]!, end && isLast, from);
        if (this.completed || this.decodeStoppedAt >= 0) {
          // Re-queue what was not delivered.
          const rest = pending.slice(k + 1);
          if (rest.length) (this.pendingData ??= []).push(...rest);
          if (end || trailers !== undefined) this.pendingEnd = true;
          this.pendingTrailers = trailers;
          return;
        }
      }
    } else if (end) {
      this.iterateDecodeData(EMPTY_BUFFER, true, from);
    }
    if (trailers !== undefined && !this.completed) this.iterateDecodeTrailers(trailers, from);
  }

  /** Request trailers from the codec (they end the request): through the chain, or held while stopped. */
  decodeTrailers(trailers: HeaderList): void {
    if (!this.headersDone || this.decodeStoppedAt >= 0) {
      this.pendingTrailers = trailers;
      this.pendingEnd = true;
      return;
    }
    this.iterateDecodeTrailers(trailers, 0);
  }

  /**
   * Trailers through the decoder filters from `from`. A filter without `decodeTrailers` lets
   * them pass; a terminal filter without it gets the end of the body instead (the trailers are
   * dropped, as toward an HTTP/1 upstream without enable_trailers).
   */
  private iterateDecodeTrailers(trailers: HeaderList, from: number): void {
    const d = this.decoders;
    const last = d.length - 1;
    for (let i = from; i <= last; i++) {
      const f = d[i]!;
      if (f.decodeTrailers === undefined) {
        if (i === last) f.decodeData(EMPTY_BUFFER, true);
        continue;
      }
      const status = f.decodeTrailers(trailers);
      if (this.completed) return;
      if (status === 'StopIteration' && i < last) {
        this.decodeStoppedAt = i;
        this.pendingTrailers = trailers;
        this.pendingEnd = true;
        return;
      }
    }
  }

  continueDecoding(): void {
    if (this.completed || this.decodeStoppedAt < 0) return;
    const at = this.decodeStoppedAt;
    this.decodeStoppedAt = -1;
    if (!this.headersDone) {
      this.iterateDecodeHeaders(at + 1, this.headersEndStream);
    } else {
      this.flushPendingData(at + 1);
    }
  }

  encodeHeaders(headers: ResponseHeaderMap, endStream: boolean): void {
    if (this.completed || this.responseStarted) return;
    this.iterateEncodeHeaders(headers, endStream, 0);
  }

  private iterateEncodeHeaders(headers: ResponseHeaderMap, endStream: boolean, from: number): void {
    const e = this.encoders;
    for (let i = from; i < e.length; i++) {
      const status = e[i]!.encodeHeaders(headers, endStream);
      if (this.completed) return;
      if (status === 'StopIteration') {
        this.encodeStoppedAt = i;
        this.encodeHeadersPending = headers;
        this.encodePendingEnd = endStream;
        return;
      }
    }
    this.stream.writeHeaders(headers, endStream);
  }

  encodeData(chunk: Buffer, endStream: boolean): void {
    if (this.completed) return;
    if (this.encodeStoppedAt >= 0) {
      (this.encodePendingData ??= []).push(chunk);
      if (endStream) this.encodePendingEnd = true;
      return;
    }
    const e = this.encoders;
    for (let i = 0; i < e.length; i++) e[i]!.encodeData(chunk, endStream);
    this.stream.writeData(chunk, endStream);
  }

  /** Response trailers (they end the response): through the encoder filters, then written. */
  encodeTrailers(trailers: HeaderList): void {
    if (this.completed) return;
    if (this.encodeStoppedAt >= 0) {
      this.encodePendingTrailers = trailers;
      this.encodePendingEnd = true;
      return;
    }
    const e = this.encoders;
    for (let i = 0; i < e.length; i++) e[i]!.encodeTrailers?.(trailers);
    this.stream.writeTrailers(trailers);
  }

  continueEncoding(): void {
    if (this.completed || this.encodeStoppedAt < 0) return;
    const at = this.encodeStoppedAt;
    const headers = this.encodeHeadersPending;
    const data = this.encodePendingData;
    const trailers = this.encodePendingTrailers;
    const end = this.encodePendingEnd && trailers === undefined;
    this.encodeStoppedAt = -1;
    this.encodeHeadersPending = undefined;
    this.encodePendingData = undefined;
    this.encodePendingEnd = false;
    this.encodePendingTrailers = undefined;
    if (headers) this.iterateEncodeHeaders(headers, end && !data && trailers === undefined, at + 1);
    if (data) for (let k = 0; k < data.length; k++) this.encodeData(data[k]!, end && k === data.length - 1);
    if (trailers !== undefined) this.encodeTrailers(trailers);
  }
}
