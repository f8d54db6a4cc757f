/**
 * Where access log lines go: a file (opened once, appended to) or a process stream.
 *
 * The access log sits on the request hot path, so `write()` only appends the line to an
 * in-memory batch: no syscall, no promise per request. The batch is written asynchronously
 * when it reaches `maxBufferBytes` or when a short unref'd timer fires (Envoy's file access log
 * also buffers and flushes on `file_flush_interval_msec`/size), and on `close()`. Writes are
 * serialized: at most one write is in flight per sink, later lines queue behind it in order.
 */
import { openSync, write as fsWrite, close as fsClose } from 'node:fs';

/** Default batch flush interval (ms). Envoy's default file flush interval is longer (10s); a
 * short one keeps `tail -f` readable while still batching under load. */
export const DEFAULT_FLUSH_INTERVAL_MS = 1000;
/** Default batch size that triggers an immediate flush (Envoy's buffer flush threshold: 64 KiB). */
export const DEFAULT_MAX_BUFFER_BYTES = 64 * 1024;

/** Minimal writable stream (process.stdout/stderr, or a test double). */
export interface LineStream {
  write(chunk: string, cb?: (err?: Error | null) => void): boolean;
}

export interface SinkOptions {
  flushIntervalMs?: number;
  maxBufferBytes?: number;
  /** Told about write errors (never thrown on the request path). */
  onError?: (err: Error) => void;
}

/** A buffered line sink. */
export interface AccessLogSink {
  /** Appends a line (already carrying its newline) to the batch. Never blocks, never throws. */
  write(line: string): void;
  /** Writes the current batch; resolves when everything written so far is out. */
  flush(): Promise<void>;
  /** Flushes, then releases the file descriptor (streams are left open). Idempotent. */
  close(): Promise<void>;
}

/** Buffer's own encoder, without `write()`'s argument juggling (public on Buffer.prototype). */
type Utf8Writable = Buffer & { utf8Write(s: string, offset: number): number };

/** Writes one batch; calls `done` once the bytes are out (the batch buffer is reused after it). */
export type RawWrite = (data: Buffer, done: (err?: Error | null) => void) => void;

class BufferedSink implements AccessLogSink {
  /** The batch: lines are encoded straight into it (no join, no copy at flush). */
  private buf: Buffer;
  private used = 0;
  /**
   * A batch buffer whose write completed, kept for the next batch: two buffers serve a busy log
   * instead of a new 68 KiB one per flush (old ones would live until a full GC, as external
   * memory, and swell the resident set).
   */
  private spare: Buffer | undefined;
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> = Promise.resolve();
  private closed = false;
  private readonly flushIntervalMs: number;
  private readonly maxBufferBytes: number;

  constructor(
    private readonly rawWrite: RawWrite,
    private readonly release: () => Promise<void>,
    private readonly options: SinkOptions,
  ) {
    this.flushIntervalMs = options.flushIntervalMs ?? DEFAULT_FLUSH_INTERVAL_MS;
    this.maxBufferBytes = Math.max(1, options.maxBufferBytes ?? DEFAULT_MAX_BUFFER_BYTES);
    this.buf = Buffer.allocUnsafe(this.capacity());
  }

  /** Room for a full batch plus one line of typical size, so a flush rarely splits a line. */
  private capacity(): number {
    return this.maxBufferBytes + 4096;
  }

  write(line: string): void {
    if (this.closed) return;
    // UTF-8 needs at most 3 bytes per UTF-16 code unit.
    const worst = line.length * 3;
    if (this.used + worst > this.buf.length) {
      if (this.used > 0) void this.flush();
      if (worst > this.buf.length) {
        // A line larger than the whole batch goes out on its own.
        this.enqueue(Buffer.from(line, 'utf8'));
        return;
      }
    }
    this.used += (this.buf as Utf8Writable).utf8Write(line, this.used);
    if (this.used >= this.maxBufferBytes) {
      void this.flush();
    } else if (this.timer === undefined) {
      this.timer = setTimeout(this.onTimer, this.flushIntervalMs);
      this.timer.unref();
    }
  }

  private readonly onTimer = (): void => {
    this.timer = undefined;
    void this.flush();
  };

  flush(): Promise<void> {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.used === 0) return this.inFlight;
    const owner = this.buf;
    const data = owner.subarray(0, this.used);
    // The written batch stays owned by the write in flight; the next lines go to the spare
    // buffer (or a new one while two writes are queued).
    this.buf = this.spare ?? Buffer.allocUnsafe(this.capacity());
    this.spare = undefined;
    this.used = 0;
    return this.enqueue(data, owner);
  }

  /** Queues a write; `owner` (a batch buffer) becomes the spare once the write is done. */
  private enqueue(data: Buffer, owner?: Buffer): Promise<void> {
    this.inFlight = this.inFlight.then(
      () =>
        new Promise<void>((resolve) => {
          this.rawWrite(data, (err) => {
            if (err) this.options.onError?.(err);
            if (owner !== undefined && this.spare === undefined && owner !== this.buf) this.spare = owner;
            resolve();
          });
        }),
    );
    return this.inFlight;
  }

  async close(): Promise<void> {
    if (this.closed) return this.inFlight;
    await this.flush();
    this.closed = true;
    await this.release();
  }
}

/** Opens `path` for appending (synchronously, at config time, so a bad path is a config error). */
export function openFileSink(path: string, options: SinkOptions = {}): AccessLogSink {
  const fd = openSync(path, 'a');
  const rawWrite: RawWrite = (buf, done) => {
    let off = 0;
    const step = (err: Error | null, written: number): void => {
      if (err) return done(err);
      off += written;
      if (off < buf.length) fsWrite(fd, buf, off, buf.length - off, null, step);
      else done();
    };
    fsWrite(fd, buf, 0, buf.length, null, step);
  };
  const release = (): Promise<void> => new Promise((resolve) => fsClose(fd, () => resolve()));
  return new BufferedSink(rawWrite, release, options);
}

/** A sink over a stream (stdout, stderr); the stream is not closed by `close()`. */
export function streamSink(stream: LineStream, options: SinkOptions = {}): AccessLogSink {
  const rawWrite: RawWrite = (data, done) => {
    try {
      stream.write(data.toString('utf8'), (err) => done(err ?? undefined));
    } catch (err) {
      done(err as Error);
    }
  };
  return batchSink(rawWrite, options);
}

/** A batching sink over any batch writer (the file and stream sinks are built on it). */
export function batchSink(rawWrite: RawWrite, options: SinkOptions = {}): AccessLogSink {
  return new BufferedSink(rawWrite, () => Promise.resolve(), options);
}
