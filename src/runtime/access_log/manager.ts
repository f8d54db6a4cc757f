/**
 * Envoy's AccessLogManager: one sink per destination (a file path, stdout, stderr), shared by
 * every access log that writes there, so that two loggers on one path never interleave partial
 * batches and one SIGUSR1 reopens each file once. `reopen()` is what SIGUSR1 does;
 * `flushSync()` is what an exit path that cannot wait does; `close()` ends them all.
 */
import type { AccessLogFileStats } from './file_stats.js';
import { accessLogFileStats } from './file_stats.js';
import { openFileSink, streamSink, type AccessLogSink, type LineStream, type SinkOptions } from './sink.js';

export interface AccessLogManagerOptions extends SinkOptions {
  /** Defaults to process.stdout (also used for `path: /dev/stdout`). */
  stdout?: LineStream;
  /** Defaults to process.stderr (also used for `path: /dev/stderr`). */
  stderr?: LineStream;
}

/** The destinations of a server's access logs. */
export class AccessLogManager {
  private readonly sinks = new Map<string, AccessLogSink>();
  private readonly options: AccessLogManagerOptions & { stats: AccessLogFileStats };

  constructor(options: AccessLogManagerOptions = {}) {
    this.options = { ...options, stats: options.stats ?? accessLogFileStats() };
  }

  /**
   * The shared sink of a FileAccessLog `path` (`/dev/stdout` and `/dev/stderr` are the process
   * streams). Opens the file on first use, synchronously: throws when it cannot be opened (a
   * config error). The returned sink's `close()` only flushes; the manager closes the file.
   */
  file(path: string): AccessLogSink {
    if (path === '/dev/stdout') return this.stdout();
    if (path === '/dev/stderr') return this.stderr();
    return this.shared(`file:${path}`, () => openFileSink(path, this.options));
  }

  /** The shared sink of the process's stdout (StdoutAccessLog). */
  stdout(): AccessLogSink {
    return this.shared('stdout', () => streamSink(this.options.stdout ?? process.stdout, this.options, 'stdout'));
  }

  /** The shared sink of the process's stderr (StderrAccessLog). */
  stderr(): AccessLogSink {
    return this.shared('stderr', () => streamSink(this.options.stderr ?? process.stderr, this.options, 'stderr'));
  }

  private shared(key: string, open: () => AccessLogSink): AccessLogSink {
    let sink = this.sinks.get(key);
    if (sink === undefined) {
      sink = open();
      this.sinks.set(key, sink);
    }
    const s = sink;
    return {
      write: (line) => s.write(line),
      flush: () => s.flush(),
      reopen: () => s.reopen(),
      flushSync: () => s.flushSync(),
      close: () => s.flush(),
    };
  }

  /** Reopens every file (SIGUSR1): lines logged before go to the old files, later ones to the new. */
  async reopen(): Promise<void> {
    await Promise.all([...this.sinks.values()].map((s) => s.reopen()));
  }

  /** Writes every buffered line before returning (exit paths). Never throws. */
  flushSync(): void {
    for (const s of this.sinks.values()) s.flushSync();
  }

  /** Flushes and closes every file. */
  async close(): Promise<void> {
    await Promise.all([...this.sinks.values()].map((s) => s.close()));
  }
}
