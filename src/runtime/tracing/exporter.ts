/**
 * Batching span export over plain HTTP/1.1 to a collector cluster (Envoy's OTLP/HTTP exporter
 * and Zipkin reporter, which use the cluster manager's async client). Spans are buffered and sent
 * when `min_flush_spans` are pending or every `flush_interval_ms`; memory stays bounded: at most
 * MAX_IN_FLIGHT reports are outstanding, a batch that finds no room is dropped and counted. A
 * collector that is down or slow never delays a request: nothing here runs on the request path
 * beyond pushing to an array.
 */
import { request, Agent } from 'node:http';
import type { ClusterManager } from '../upstream/types.js';
import type { Counter } from '../stats/store.js';

/** Reports outstanding at once; a further batch is dropped (counted) until one completes. */
export const MAX_IN_FLIGHT = 4;

/** Where a batch goes and how it is encoded. */
export interface ExportTarget<T> {
  readonly cluster: string;
  readonly path: string;
  /** Host header (Envoy: the http_uri's authority, or Zipkin's collector_hostname / cluster). */
  readonly host: string;
  readonly contentType: string;
  readonly headers: ReadonlyArray<readonly [string, string]>;
  readonly timeoutMs: number;
  encode(batch: readonly T[]): Buffer | string;
  /** Whether the collector's status means the report was accepted. */
  accepted(status: number): boolean;
}

/** Envoy's counters for a provider (OTel `http_reports_*`, Zipkin `reports_*`). */
export interface ExportStats {
  readonly spansSent: Counter;
  readonly timerFlushed: Counter;
  /** A report was handed to the HTTP client. */
  readonly reportSent?: Counter;
  /** The collector answered with an accepted status. */
  readonly reportAccepted: Counter;
  /** The collector answered with another status. */
  readonly reportRejected: Counter;
  /** Connection failure, timeout, no room for another report. */
  readonly reportFailed: Counter;
  /** The cluster has no host (Zipkin `reports_skipped_no_cluster`). */
  readonly noCluster: Counter;
}

export interface ExporterOptions {
  readonly clusterManager: () => ClusterManager | undefined;
  /** Flush when this many spans are pending (Envoy runtime `tracing.<driver>.min_flush_spans`, 5). */
  readonly minFlushSpans: number;
  /** Timer flush (Envoy runtime `tracing.<driver>.flush_interval_ms`, 5000). */
  readonly flushIntervalMs: number;
}

/** One exporter per provider config; shared by every HCM that uses it. */
export class BatchExporter<T> {
  private pending: T[] = [];
  private inFlight = 0;
  private readonly timer: NodeJS.Timeout;
  private readonly agent = new Agent({ keepAlive: true, maxSockets: MAX_IN_FLIGHT });
  private readonly settled = new Set<Promise<void>>();
  private closed = false;
  private flushScheduled = false;

  constructor(
    private readonly target: ExportTarget<T>,
    private readonly stats: ExportStats,
    private readonly options: ExporterOptions,
  ) {
    this.timer = setInterval(onFlushTimer, Math.max(1, options.flushIntervalMs), this);
    this.timer.unref();
  }

  /**
   * Buffers a finished span. Once min_flush_spans are pending, a flush runs at the end of the
   * event-loop turn, so the spans of every stream that completed in that turn share one report
   * (Envoy flushes at exactly min_flush_spans; a report costs far more here than a span).
   */
  add(item: T): void {
    if (this.closed) return;
    this.pending.push(item);
    if (this.pending.length >= this.options.minFlushSpans && !this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(onFlushImmediate, this);
    }
  }

  /** The deferred flush of `add`. */
  onImmediate(): void {
    this.flushScheduled = false;
    this.flush();
  }

  /** The flush timer fired (Envoy counts `timer_flushed`). */
  onTimer(): void {
    this.stats.timerFlushed.inc();
    this.flush();
  }

  /** Sends what is pending, if anything. */
  flush(): void {
    const batch = this.pending;
    if (batch.length === 0) return;
    this.pending = [];
    this.stats.spansSent.inc(batch.length);
    const cm = this.options.clusterManager();
    const host = cm?.getThreadLocalCluster(this.target.cluster)?.chooseHost(undefined);
    if (host === undefined || host === null) {
      this.stats.noCluster.inc();
      return;
    }
    if (this.inFlight >= MAX_IN_FLIGHT) {
      this.stats.reportFailed.inc();
      return;
    }
    let body: Buffer | string;
    try {
      body = this.target.encode(batch);
    } catch {
      this.stats.reportFailed.inc();
      return;
    }
    this.send(host.address, host.port, body);
  }

  private send(address: string, port: number, body: Buffer | string): void {
    const t = this.target;
    const headers: Record<string, string | number> = {
      host: t.host,
      'content-type': t.contentType,
      'content-length': Buffer.byteLength(body),
    };
    for (const [k, v] of t.headers) headers[k] = v;
    this.inFlight++;
    this.stats.reportSent?.inc();
    let done = false;
    let resolve!: () => void;
    const p = new Promise<void>((r) => (resolve = r));
    this.settled.add(p);
    const finish = (outcome: 'accepted' | 'rejected' | 'failed'): void => {
      if (done) return;
      done = true;
      this.inFlight--;
      if (outcome === 'accepted') this.stats.reportAccepted.inc();
      else if (outcome === 'rejected') this.stats.reportRejected.inc();
      else this.stats.reportFailed.inc();
      this.settled.delete(p);
      resolve();
    };
    const req = request({ host: address, port, method: 'POST', path: t.path, headers, agent: this.agent, timeout: t.timeoutMs }, (res) => {
      res.resume();
      res.on('end', () => finish(t.accepted(res.statusCode ?? 0) ? 'accepted' : 'rejected'));
      res.on('error', () => finish('failed'));
    });
    req.on('timeout', () => req.destroy(new Error('collector timeout')));
    req.on('error', () => finish('failed'));
    req.end(body);
  }

  /** Flushes what is pending and waits (bounded by the report timeout) for outstanding reports. */
  async shutdown(): Promise<void> {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    clearInterval(this.timer);
    await Promise.all([...this.settled]);
    this.agent.destroy();
  }
}

function onFlushTimer(e: BatchExporter<unknown>): void {
  e.onTimer();
}

function onFlushImmediate(e: BatchExporter<unknown>): void {
  e.onImmediate();
}
