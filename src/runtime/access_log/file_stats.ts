/**
 * Envoy's access log file statistics (`ACCESS_LOG_FILE_STATS`, docs "File access log
 * statistics"), rooted at `filesystem.` and shared by every access log destination of a server,
 * as Envoy's AccessLogManager shares them (StdoutAccessLog / StderrAccessLog are files of that
 * manager too):
 *
 * | stat | type | moves when |
 * |---|---|---|
 * | `filesystem.write_buffered` | counter | a line is appended to a batch |
 * | `filesystem.write_completed` | counter | a batch write succeeded |
 * | `filesystem.write_failed` | counter | a batch write failed (its lines are dropped and reported) |
 * | `filesystem.flushed_by_timer` | counter | the flush interval wrote a batch |
 * | `filesystem.reopen_failed` | counter | a reopen (SIGUSR1) could not open the path |
 * | `filesystem.write_total_buffered` | gauge | bytes buffered and not yet written |
 */
import { StatsStore, type Counter, type Gauge } from '../stats/store.js';

/** The resolved `filesystem.*` stats (hot path: `inc()` only). */
export interface AccessLogFileStats {
  readonly writeBuffered: Counter;
  readonly writeCompleted: Counter;
  readonly writeFailed: Counter;
  readonly flushedByTimer: Counter;
  readonly reopenFailed: Counter;
  readonly writeTotalBuffered: Gauge;
}

/** The `filesystem.*` stats of `store` (a private store when none: the counters still count). */
export function accessLogFileStats(store: StatsStore = new StatsStore()): AccessLogFileStats {
  const scope = store.scope('filesystem.');
  return {
    writeBuffered: scope.counter('write_buffered'),
    writeCompleted: scope.counter('write_completed'),
    writeFailed: scope.counter('write_failed'),
    flushedByTimer: scope.counter('flushed_by_timer'),
    reopenFailed: scope.counter('reopen_failed'),
    writeTotalBuffered: scope.gauge('write_total_buffered'),
  };
}
