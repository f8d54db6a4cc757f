/**
 * What happens once a downstream stream completed (Envoy's ActiveStream::completeRequest and
 * its destruction): the connection manager's request stats (`downstream_rq_active`,
 * `_completed`, `_<N>xx`, `downstream_rq_time`), then, after the filters were destroyed, the
 * trace span's tags and end (exported when sampled) and one line per access logger, as Envoy
 * orders them (onDestroy, then the span, then the access log).
 */
import type { RouteDecision } from '../../core/route_types.js';
import type { StreamInfo } from '../stream_info.js';
import { routeEntryOf } from '../tracing/route_entry.js';
import type { Span } from '../tracing/span.js';
import type { ConnectionManagerConfig, ConnectionManagerStats } from './conn_manager_config.js';
import type { RequestHeaderMap } from './filter.js';

/** Charges a completed stream: active down, completed up, its status class, its duration until `now`. */
export function chargeCompletedStream(st: ConnectionManagerStats, info: StreamInfo, now: number): void {
  st.downstream_rq_active.dec();
  st.downstream_rq_completed.inc();
  const code = info.responseCode;
  if (code >= 100 && code < 600) st.downstream_rq_xx[(code / 100) | 0]!.inc();
  st.downstream_rq_time.record(now - info.startMonotonic);
}

/**
 * Finishes the stream's trace span (`span`, if it has one: HCM `tracing`) and writes its access
 * log lines. `route`: the route decision the stream cached, if it routed.
 */
export function logCompletedStream(
  config: ConnectionManagerConfig,
  info: StreamInfo,
  span: Span | undefined,
  request: RequestHeaderMap,
  route: RouteDecision | undefined,
  now: number,
): void {
  if (span !== undefined) config.tracer!.finishSpan(span, request, info, routeEntryOf(route), now);
  const loggers = config.accessLoggers;
  for (let i = 0; i < loggers.length; i++) loggers[i]!.log(info);
}
