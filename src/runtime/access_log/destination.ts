/**
 * Where an access log sink's batches go: a file opened for appending, or a process stream.
 *
 * The sink (sink.ts) serializes every call: at most one `write` is in flight, and `reopen`,
 * `writeSync` and `settleSync` are only called when no other call is running, so a destination
 * never sees two writes racing each other.
 */
import { closeSync, fstatSync, openSync, write as fsWrite, writeSync as fsWriteSync, close as fsClose } from 'node:fs';

/** A batch writer the sink drives. */
export interface SinkDestination {
  /** For messages: the file path, or `stdout` / `stderr`. */
  readonly name: string;
  /** Writes all of `data`; `done` once it is out, or with the error (the batch is not retried). */
  write(data: Buffer, done: (err?: Error | null) => void): void;
  /** Writes all of `data` now (exit paths). Throws on failure. */
  writeSync(data: Buffer): void;
  /**
   * Exit paths, while `write(data)` has not called back: waits (briefly) for `data` to reach the
   * destination, so that what is written after it stays in order. Never writes `data` itself:
   * whoever holds it finishes it before the process ends.
   */
  settleSync(data: Buffer): void;
  /** Opens the path again (logrotate: the old file was renamed). On failure throws and keeps writing where it wrote before. */
  reopen(): void;
  /** Releases the file; streams are left open. */
  release(): Promise<void>;
}

/** Minimal writable stream (process.stdout/stderr, or a test double). */
export interface LineStream {
  write(chunk: string, cb?: (err?: Error | null) => void): boolean;
}

/** How long an exit path waits for a thread-pool write already handed over to land (ms). */
const SETTLE_WAIT_MS = 100;
const sleeper = new Int32Array(new SharedArrayBuffer(4));

function fileSize(fd: number): number {
  return fstatSync(fd).size;
}

/** Writes all of `data` to `fd` synchronously; returns the bytes written. */
function writeAllSync(fd: number, data: Buffer): number {
  let off = 0;
  while (off < data.length) off += fsWriteSync(fd, data, off, data.length - off);
  return off;
}

/**
 * A file opened with O_APPEND (created when missing), written through the thread pool so a slow
 * disk never blocks the event loop (Envoy writes from a flush thread for the same reason).
 *
 * Exit paths: a write handed to the thread pool is finished by it even when the process exits
 * first (libuv joins its threads at exit, after the work already queued; a test pins this down),
 * so it must not be written again. `settleSync` only waits for it to land, up to 100 ms, by
 * comparing the size on disk with the size this destination knows it wrote (within the process
 * it is the path's only writer: the AccessLogManager gives each path one destination). Past that
 * wait (a thread pool busy with other work), the later batches are written first: no line is
 * lost or doubled, but that batch ends up after them.
 */
export class FileDestination implements SinkDestination {
  private fd: number;
  /** File size after the last byte this destination knows it wrote. */
  private size: number;
  /** Bytes of the write in flight already confirmed by their callbacks. */
  private confirmed = 0;
  /** Bumped by release: the steps of a write still running stop there (the fd is closed). */
  private generation = 0;

  /** Opens `path` synchronously (config time: an unopenable path is a config error). */
  constructor(readonly name: string) {
    this.fd = openSync(name, 'a');
    this.size = fileSize(this.fd);
  }

  write(data: Buffer, done: (err?: Error | null) => void): void {
    // No reopen runs while a write is in flight, so this fd stays open until `done`.
    const fd = this.fd;
    const generation = this.generation;
    this.confirmed = 0;
    const step = (err: Error | null, written: number): void => {
      if (generation !== this.generation) return;
      if (err) return done(err);
      this.confirmed += written;
      this.size += written;
      if (this.confirmed < data.length) fsWrite(fd, data, this.confirmed, data.length - this.confirmed, null, step);
      else done();
    };
    fsWrite(fd, data, 0, data.length, null, step);
  }

  writeSync(data: Buffer): void {
    this.size += writeAllSync(this.fd, data);
  }

  settleSync(data: Buffer): void {
    // The usual case: the pool wrote it and only the callback is pending (landed === rest at
    // once). A size below ours (copytruncate) or another appender only makes this wait longer.
    const rest = data.length - this.confirmed;
    const deadline = performance.now() + SETTLE_WAIT_MS;
    try {
      while (fileSize(this.fd) - this.size < rest && performance.now() < deadline) Atomics.wait(sleeper, 0, 0, 1);
      this.size = fileSize(this.fd);
    } catch {
      // fstat failed: nothing to wait on.
    }
  }

  reopen(): void {
    const fd = openSync(this.name, 'a');
    const old = this.fd;
    this.fd = fd;
    this.size = fileSize(fd);
    try {
      closeSync(old);
    } catch {
      // Nothing to do: the new file is in place.
    }
  }

  release(): Promise<void> {
    this.generation++;
    return new Promise((resolve) => fsClose(this.fd, () => resolve()));
  }
}

/** A process stream (stdout, stderr): not reopened, not closed. */
export class StreamDestination implements SinkDestination {
  constructor(
    private readonly stream: LineStream,
    readonly name: string,
  ) {}

  write(data: Buffer, done: (err?: Error | null) => void): void {
    try {
      this.stream.write(data.toString('utf8'), (err) => done(err ?? undefined));
    } catch (err) {
      done(err as Error);
    }
  }

  /** process.stdout/stderr write files and pipes synchronously on Linux when the pipe has room. */
  writeSync(data: Buffer): void {
    this.stream.write(data.toString('utf8'));
  }

  /** The stream already holds the data. */
  settleSync(): void {}

  /** Envoy reopens `/dev/stdout`: the same stream; nothing to do. */
  reopen(): void {}

  release(): Promise<void> {
    return Promise.resolve();
  }
}

/** Writes one batch; calls `done` once the bytes are out (the batch buffer is reused after it). */
export type RawWrite = (data: Buffer, done: (err?: Error | null) => void) => void;

/** A destination over a bare batch writer (tests, custom sinks): nothing to reopen or settle. */
export class RawDestination implements SinkDestination {
  constructor(
    private readonly rawWrite: RawWrite,
    readonly name = 'access log',
  ) {}
  write(data: Buffer, done: (err?: Error | null) => void): void {
    this.rawWrite(data, done);
  }
  writeSync(data: Buffer): void {
    this.rawWrite(data, () => {});
  }
  settleSync(): void {}
  reopen(): void {}
  release(): Promise<void> {
    return Promise.resolve();
  }
}
