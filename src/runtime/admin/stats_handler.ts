/**
 * `/stats`, `/stats/prometheus` and `/reset_counters` (Envoy's StatsHandler). With
 * `stats_flush_on_admin` every read merges histograms first (Envoy flushes stats then).
 */
import type { AdminHandler, AdminServerContext } from './types.js';
import { jsonResponse, textResponse } from './response.js';
import { parseStatsParams, type StatsParams } from './stats_params.js';
import { statsAsJson, statsAsText } from './stats_text.js';
import { statsAsPrometheus } from './prometheus.js';

/** Prometheus' text exposition content type (what Envoy's handler leaves: text/plain). */
const PROMETHEUS_CONTENT_TYPE = 'text/plain; charset=UTF-8';

export function statsHandlers(ctx: AdminServerContext): AdminHandler[] {
  const flush = (): void => {
    if (ctx.statsConfig.flushOnAdmin) ctx.store.mergeHistograms();
  };
  const prometheus = (p: StatsParams) => textResponse(200, statsAsPrometheus(ctx.store, ctx.statsConfig.tagProducer, p), PROMETHEUS_CONTENT_TYPE);
  return [
    {
      prefix: '/stats',
      help: 'print server stats',
      mutatesState: false,
      params: [
        { id: 'usedonly', help: 'Only include stats that have been written by system since restart' },
        { id: 'filter', help: 'Regular expression (Google re2) for filtering stats' },
        { id: 'format', help: 'Format to use', choices: ['text', 'json', 'prometheus'] },
        { id: 'type', help: 'Stat types to include.', choices: ['All', 'Counters', 'Histograms', 'Gauges', 'TextReadouts'] },
        { id: 'histogram_buckets', help: 'Histogram bucket display mode', choices: ['cumulative', 'disjoint', 'none'] },
      ],
      handle(req) {
        const p = parseStatsParams(req.query);
        if ('error' in p) return textResponse(400, p.error);
        flush();
        if (p.format === 'prometheus') return prometheus(p);
        if (p.format === 'json') return jsonResponse(200, statsAsJson(ctx.store, p));
        return textResponse(200, statsAsText(ctx.store, p));
      },
    },
    {
      prefix: '/stats/prometheus',
      help: 'print server stats in prometheus format',
      mutatesState: false,
      params: [
        { id: 'usedonly', help: 'Only include stats that have been written by system since restart' },
        { id: 'text_readouts', help: 'Render text_readouts as new gaugues with value 0 (increases Prometheus data size)' },
        { id: 'filter', help: 'Regular expression (Google re2) for filtering stats' },
      ],
      handle(req) {
        const p = parseStatsParams(req.query);
        if ('error' in p) return textResponse(400, p.error);
        flush();
        return prometheus(p);
      },
    },
    {
      prefix: '/reset_counters',
      help: 'reset all counters to zero',
      mutatesState: true,
      handle() {
        for (const c of ctx.store.counters.values()) c.reset();
        return textResponse(200, 'OK\n');
      },
    },
  ];
}
