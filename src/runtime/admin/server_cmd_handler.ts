/**
 * `/healthcheck/fail`, `/healthcheck/ok`, `/quitquitquit` and `/logging` (Envoy's
 * ServerCmdHandler and LogsHandler), all POST. Failing health checks turns `/ready` into 503
 * DRAINING and makes the health_check HTTP filter answer 503.
 */
import type { AdminHandler, AdminServerContext } from './types.js';
import { textResponse } from './response.js';

const LEVELS = ['trace', 'debug', 'info', 'warning', 'error', 'critical', 'off'];

/** tsproxy has one logger; it is listed under this name. */
const LOGGER = 'tsproxy';

function usage(): string {
  return (
    'usage: /logging?<name>=<level> (change single level)\n' +
    'usage: /logging?paths=<name1>:<level1>,<name2>:<level2>,... (change multiple levels)\n' +
    'usage: /logging?level=<level> (change all levels)\n' +
    `levels: ${LEVELS.join(' ')}\n`
  );
}

export function serverCmdHandlers(ctx: AdminServerContext): AdminHandler[] {
  const ok = () => textResponse(200, 'OK\n');
  return [
    {
      prefix: '/healthcheck/fail',
      help: 'cause the server to fail health checks',
      mutatesState: true,
      handle() {
        ctx.setHealthCheckFailed(true);
        return ok();
      },
    },
    {
      prefix: '/healthcheck/ok',
      help: 'cause the server to pass health checks',
      mutatesState: true,
      handle() {
        ctx.setHealthCheckFailed(false);
        return ok();
      },
    },
    {
      prefix: '/quitquitquit',
      help: 'exit the server',
      mutatesState: true,
      handle() {
        ctx.shutdown();
        return ok();
      },
    },
    {
      prefix: '/logging',
      help: 'query/change logging levels',
      mutatesState: true,
      params: [
        { id: 'paths', help: 'Change multiple logging levels by setting to <logger_name1>:<desired_level1>,<logger_name2>:<desired_level2>.' },
        { id: 'level', help: "desired logging level, this will change all loggers's level", choices: ['', ...LEVELS] },
      ],
      handle(req) {
        const q = req.query;
        let wanted: string | undefined;
        let bad = false;
        for (const [k, v] of q) {
          if (k === 'level' || k === LOGGER) wanted = v;
          else if (k === 'paths') {
            for (const part of v.split(',').filter((p) => p !== '')) {
              const [name, level] = part.split(':');
              if (name === LOGGER && level !== undefined) wanted = level;
              else bad = true;
            }
          } else bad = true;
        }
        if (wanted !== undefined && !bad) {
          const level = wanted === 'warning' ? 'warn' : wanted;
          if (!ctx.setLogLevel(level)) bad = true;
        }
        if (bad) return textResponse(404, usage());
        return textResponse(200, `active loggers:\n  ${LOGGER}: ${ctx.logLevel() === 'warn' ? 'warning' : ctx.logLevel()}\n`);
      },
    },
  ];
}
