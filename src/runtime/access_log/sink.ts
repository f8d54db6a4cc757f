/**
 * Where access log lines go: a buffered sink over a destination (a file opened once and appended
 * to, or a process stream; destination.ts).
 *
 * The access log sits on the request hot path, so `write()` only appends the line to an
 * in-memory batch: no syscall, no promise per request. The batch is written asynchronously
 * when it reaches `maxBufferBytes` or when a short unref'd timer fires (Envoy's file access log
 * also buffers and flushes on `file_flush_interval_msec`/size), and on `close()`. Writes are
 * serialized: at most one write is in flight per sink, later batches queue behind it in order,
 * and a `reopen()` (SIGUSR1) takes its place in that queue: lines logged before it go to the old
 * file, lines logged after it to the new one.
 *
 * Exit paths that cannot wait (`process.exit()`, a fatal error) call `flushSync()`: whatever is
 * buffered or queued is written before it returns.
 *
 * Failures never reach the request path and are never silent: Envoy's `filesystem.*` counters
 * move (file_stats.ts) and `report` is told once per burst of failed writes (when it starts, and
 * when writes succeed again), and on every failed reopen.
 */
import type { AccessLogFileStats } from './file_stats.js';
import { accessLogFileStats } from './file_stats.js';
import { FileDestination, RawDestination, StreamDestination, type LineStream, type RawWrite, type SinkDestination } from './destination.js';

export type { LineStream, RawWrite } from './destination.js';

/** Default batch flush interval (ms). Envoy's default file flush interval is longer (10s); a
 * short one keeps `tail -f` readable while still batching under load. */
export const DEFAULT_FLUSH_INTERVAL_MS = 1000;
/** Default batch size that triggers an immediate flush (Envoy's buffer flush threshold: 64 KiB). */
export const DEFAULT_MAX_BUFFER_BYTES = 64 * 1024;

export interface SinkOptions {
  flushIntervalMs?: number;
  maxBufferBytes?: number;
  /** Told about every failed write (never thrown on the request path). */
  onError?: (err: Error) => void;
  /** Envoy's `filesystem.*` stats; a private set when absent. */
  stats?: AccessLogFileStats;
  /** Told once per burst of failed writes, and on each failed reopen. Default: a line on stderr. */
  report?: (message: string) => void;
}

/** A buffered line sink. */
export interface AccessLogSink {
  /** Appends a line (already carrying its newline) to the batch. Never blocks, never throws. */
  write(line: string): void;
  /** Writes the current batch; resolves when everything written so far is out. */
  flush(): Promise<void>;
  /** Lines written so far go to the current file; later lines to the path opened again. */
  reopen(): Promise<void>;
  /**
   * Exit paths: writes everything buffered or queued before returning; a batch already handed
   * to the thread pool is finished by the pool before the process ends. Never throws.
   */
  flushSync(): void;
  /** Flushes, then releases the file descriptor (streams are left open). Idempotent. */
  close(): Promise<void>;
}

/** Buffer's own encoder, without `write()`'s argument juggling (public on Buffer.prototype). */
type Utf8Writable = Buffer & { utf8Write(s: string, offset: number): number };

type Op = { kind: 'write'; seq: number; data: Buffer; owner: Buffer | undefined } | { kind: 'reopen'; seq: number };
type WriteOp = Extract<Op, { kind: 'write' }>;

function defaultReport(message: string): void {
  try {
    process.stderr.write(`tsproxy: ${message}\n`);
  } catch {
    // stderr itself is gone: the counters still count.
  }
}

function countLines(data: Buffer): number {
  let n = 0;
  for (let i = data.indexOf(10); i !== -1; i = data.indexOf(10, i + 1)) n++;
  return n;
}

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
  /** Operations waiting for the one in flight. */
  private readonly queue: Op[] = [];
  private inFlight: WriteOp | undefined;
  /** While flushSync runs, nothing goes to the asynchronous path. */
  private syncing = false;
  private nextSeq = 1;
  private doneSeq = 0;
  private readonly waiters: { seq: number; resolve: () => void }[] = [];
  private closed = false;
  private closing: Promise<void> | undefined;
  private released = false;
  /** The current burst of failed writes, reported when it starts and when it ends. */
  private burst: { writes: number; lines: number; bytes: number } | undefined;
  private lateLines = 0;
  private readonly flushIntervalMs: number;
  private readonly maxBufferBytes: number;
  private readonly stats: AccessLogFileStats;
  private readonly report: (message: string) => void;

  constructor(
    private readonly destination: SinkDestination,
    private readonly options: SinkOptions,
  ) {
    this.flushIntervalMs = options.flushIntervalMs ?? DEFAULT_FLUSH_INTERVAL_MS;
    this.maxBufferBytes = Math.max(1, options.maxBufferBytes ?? DEFAULT_MAX_BUFFER_BYTES);
    this.stats = options.stats ?? accessLogFileStats();
    this.report = options.report ?? defaultReport;
    this.buf = Buffer.allocUnsafe(this.capacity());
  }

  /** Room for a full batch plus one line of typical size, so a flush rarely splits a line. */
  private capacity(): number {
    return this.maxBufferBytes + 4096;
  }

  write(line: string): void {
    if (this.closed) {
      if (this.lateLines++ === 0) this.report(`access log ${this.destination.name}: a line logged after the log was closed is dropped`);
      return;
    }
    this.stats.writeBuffered.inc();
    // UTF-8 needs at most 3 bytes per UTF-16 code unit.
    const worst = line.length * 3;
    if (this.used + worst > this.buf.length) {
      if (this.used > 0) this.cutBatch();
      if (worst > this.buf.length) {
        // A line larger than the whole batch goes out on its own.
        const data = Buffer.from(line, 'utf8');
        this.stats.writeTotalBuffered.inc(data.length);
        this.enqueue({ kind: 'write', seq: 0, data, owner: undefined });
        return;
      }
    }
    const n = (this.buf as Utf8Writable).utf8Write(line, this.used);
    this.used += n;
    this.stats.writeTotalBuffered.inc(n);
    if (this.used >= this.maxBufferBytes) {
      this.cutBatch();
    } else if (this.timer === undefined) {
      this.timer = setTimeout(this.onTimer, this.flushIntervalMs);
      this.timer.unref();
    }
  }

  private readonly onTimer = (): void => {
    this.timer = undefined;
    this.stats.flushedByTimer.inc();
    this.cutBatch();
  };

  flush(): Promise<void> {
    this.cutBatch();
    return this.settled(this.nextSeq - 1);
  }

  reopen(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.cutBatch();
    const op: Op = { kind: 'reopen', seq: 0 };
    this.enqueue(op);
    return this.settled(op.seq);
  }

  /** Moves the current batch to the write queue. */
  private cutBatch(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.used === 0) return;
    const owner = this.buf;
    const data = owner.subarray(0, this.used);
    // The batch stays owned by its write; the next lines go to the spare buffer (or a new one
    // while two writes are queued).
    this.buf = this.spare ?? Buffer.allocUnsafe(this.capacity());
    this.spare = undefined;
    this.used = 0;
    this.enqueue({ kind: 'write', seq: 0, data, owner });
  }

  private enqueue(op: Op): void {
    op.seq = this.nextSeq++;
    this.queue.push(op);
    this.pump();
  }

  /** Starts the next queued operation when none is in flight. */
  private pump(): void {
    while (!this.syncing && this.inFlight === undefined && this.queue.length > 0) {
      const op = this.queue.shift()!;
      if (op.kind === 'reopen') {
        this.reopenNow();
        this.complete(op.seq);
        continue;
      }
      this.inFlight = op;
      this.destination.write(op.data, (err) => {
        // Settled synchronously by flushSync meanwhile: already accounted for.
        if (this.inFlight !== op) return;
        this.inFlight = undefined;
        this.written(op, err ?? undefined);
        this.complete(op.seq);
        this.pump();
      });
    }
  }

  private reopenNow(): void {
    try {
      this.destination.reopen();
    } catch (err) {
      this.stats.reopenFailed.inc();
      this.report(`access log ${this.destination.name}: cannot reopen (${(err as Error).message}); still writing to the file opened before (filesystem.reopen_failed)`);
    }
  }

  /** Accounts for a finished batch write. */
  private written(op: WriteOp, err: Error | undefined): void {
    this.stats.writeTotalBuffered.dec(op.data.length);
    if (op.owner !== undefined && this.spare === undefined && op.owner !== this.buf) this.spare = op.owner;
    if (err === undefined) {
      this.stats.writeCompleted.inc();
      const b = this.burst;
      if (b !== undefined) {
        this.burst = undefined;
        this.report(`access log ${this.destination.name}: writing again after ${b.writes} failed write(s); ${b.lines} line(s) (${b.bytes} bytes) were dropped`);
      }
      return;
    }
    this.stats.writeFailed.inc();
    this.options.onError?.(err);
    const lines = countLines(op.data);
    if (this.burst === undefined) {
      this.burst = { writes: 0, lines: 0, bytes: 0 };
      this.report(
        `access log ${this.destination.name}: write failed (${err.message}); ${lines} line(s) dropped; ` +
          'failed writes are counted in filesystem.write_failed and reported again when a write succeeds',
      );
    }
    this.burst.writes++;
    this.burst.lines += lines;
    this.burst.bytes += op.data.length;
  }

  private settled(seq: number): Promise<void> {
    if (this.doneSeq >= seq) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ seq, resolve }));
  }

  private complete(seq: number): void {
    this.doneSeq = seq;
    while (this.waiters.length > 0 && this.waiters[0]!.seq <= seq) this.waiters.shift()!.resolve();
  }

  flushSync(): void {
    if (this.released) return;
    this.syncing = true;
    try {
      const op = this.inFlight;
      if (op !== undefined) {
        this.inFlight = undefined;
        this.syncWrite(op, () => this.destination.settleSync(op.data));
      }
      this.cutBatch();
      while (this.queue.length > 0) {
        const next = this.queue.shift()!;
        if (next.kind === 'reopen') {
          this.reopenNow();
          this.complete(next.seq);
        } else {
          this.syncWrite(next, () => this.destination.writeSync(next.data));
        }
      }
    } finally {
      this.syncing = false;
    }
  }

  private syncWrite(op: WriteOp, write: () => void): void {
    let failure: Error | undefined;
    try {
      write();
    } catch (err) {
      failure = err as Error;
    }
    this.written(op, failure);
    this.complete(op.seq);
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      // Lines logged while a flush is awaited are flushed too: closed only once nothing is left.
      do await this.flush();
      while (this.used > 0 || this.queue.length > 0 || this.inFlight !== undefined);
      this.closed = true;
      const b = this.burst;
      if (b !== undefined) {
        this.report(`access log ${this.destination.name}: closed while writes were failing: ${b.writes} failed write(s), ${b.lines} line(s) (${b.bytes} bytes) dropped`);
      }
      await this.destination.release();
      this.released = true;
    })();
    return this.closing;
  }
}

/** A sink over any destination. */
export function destinationSink(destination: SinkDestination, options: SinkOptions = {}): AccessLogSink {
  return new BufferedSink(destination, options);
}

/** Opens `path` for appending (synchronously, at config time, so a bad path is a config error). */
export function openFileSink(path: string, options: SinkOptions = {}): AccessLogSink {
  return new BufferedSink(new FileDestination(path), options);
}

/** A sink over a stream (stdout, stderr); the stream is not closed by `close()`. */
export function streamSink(stream: LineStream, options: SinkOptions = {}, name = 'stream'): AccessLogSink {
  return new BufferedSink(new StreamDestination(stream, name), options);
}

/** A batching sink over any batch writer (tests; the file and stream sinks work the same way). */
export function batchSink(rawWrite: RawWrite, options: SinkOptions = {}): AccessLogSink {
  return new BufferedSink(new RawDestination(rawWrite), options);
}
