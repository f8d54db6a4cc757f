/**
 * `/server_info`, `/ready` and `/memory` (Envoy's ServerInfoHandler). `/ready` answers 200 `LIVE`
 * or 503 with the state (`DRAINING` after `/healthcheck/fail` or while draining,
 * `PRE_INITIALIZING`/`INITIALIZING` while starting).
 */
import type { AdminHandler, AdminServerContext } from './types.js';
import { jsonResponse, prettyJson, textResponse } from './response.js';

/** A proto3 JSON Duration of whole seconds. */
function seconds(ms: number): string {
  return `${Math.max(0, Math.floor(ms / 1000))}s`;
}

export function serverInfoHandlers(ctx: AdminServerContext): AdminHandler[] {
  return [
    {
      prefix: '/server_info',
      help: 'print server version/status information',
      mutatesState: false,
      handle() {
        const uptime = seconds(ctx.now() - ctx.startTime);
        const info = {
          version: String(ctx.commandLineOptions['version'] ?? 'tsproxy'),
          state: ctx.state(),
          hot_restart_version: 'disabled',
          command_line_options: Object.fromEntries(Object.entries(ctx.commandLineOptions).filter(([k]) => k !== 'version')),
          node: ctx.config.bootstrap?.node ?? {},
          uptime_current_epoch: uptime,
          uptime_all_epochs: uptime,
        };
        return jsonResponse(200, prettyJson(info));
      },
    },
    {
      prefix: '/ready',
      help: 'print server state, return 200 if LIVE, otherwise return 503',
      mutatesState: false,
      handle() {
        const state = ctx.state();
        return textResponse(state === 'LIVE' ? 200 : 503, `${state}\n`);
      },
    },
    {
      prefix: '/memory',
      help: 'print current allocation/heap usage',
      mutatesState: false,
      handle() {
        // envoy.admin.v3.Memory (uint64 fields as proto3 JSON strings), from V8's and the process' view.
        const m = process.memoryUsage();
        return jsonResponse(
          200,
          prettyJson({
            allocated: String(m.heapUsed),
            heap_size: String(m.heapTotal),
            pageheap_unmapped: '0',
            pageheap_free: String(Math.max(0, m.heapTotal - m.heapUsed)),
            total_thread_cache: '0',
            total_physical_bytes: String(m.rss),
          }),
        );
      },
    },
  ];
}
