/**
 * The admin dispatcher (Envoy's AdminImpl::makeRequest / getHelp), with no socket: `request()`
 * takes a method and a path with its query and returns the response, so tests and a TUI client
 * call the handlers in-process exactly as the admin listener does.
 *
 * Rules as Envoy: the path (without query) must equal a handler's prefix; a handler that mutates
 * server state answers anything but POST with 405 `Method GET not allowed, POST required.` and
 * changes nothing; an unknown path is 404 `invalid path. admin commands are: ...`. Every
 * response gets Envoy's fallback headers (text/plain, `cache-control: no-cache, max-age=0`,
 * `x-content-type-options: nosniff`).
 */
import type { AdminHandler, AdminRequest, AdminResponse, AdminServerContext, QueryParams } from './types.js';
import { statsHandlers } from './stats_handler.js';
import { clustersHandler } from './clusters_handler.js';
import { configDumpHandler } from './config_dump_handler.js';
import { listenersHandlers } from './listeners_handler.js';
import { serverInfoHandlers } from './server_info_handler.js';
import { runtimeHandlers } from './runtime_handler.js';
import { serverCmdHandlers } from './server_cmd_handler.js';
import { parseQuery } from './query.js';
import { certsHandler } from './certs_handler.js';
import { textResponse } from './response.js';

export class Admin {
  readonly handlers: readonly AdminHandler[];

  /** `beforeRequest` runs before every request (the server refreshes its `server.*` gauges). */
  constructor(
    readonly context: AdminServerContext,
    private readonly beforeRequest: () => void = () => undefined,
  ) {
    this.handlers = [
      ...statsHandlers(context),
      clustersHandler(context),
      configDumpHandler(context),
      certsHandler(context),
      ...listenersHandlers(context),
      ...serverInfoHandlers(context),
      ...runtimeHandlers(context),
      ...serverCmdHandlers(context),
      { prefix: '/help', help: 'print out list of admin commands', mutatesState: false, handle: () => textResponse(200, this.help()) },
    ];
  }

  /** Runs one admin request: `request('GET', '/stats?filter=^cluster')`. */
  async request(method: string, pathAndQuery: string, form?: QueryParams): Promise<AdminResponse> {
    const q = pathAndQuery.indexOf('?');
    const path = q < 0 ? pathAndQuery : pathAndQuery.slice(0, q);
    const query = parseQuery(q < 0 ? '' : pathAndQuery.slice(q + 1));
    this.beforeRequest();
    const handler = this.handlers.find((h) => h.prefix === path);
    let res: AdminResponse;
    if (!handler) {
      res = textResponse(404, `invalid path. ${this.help()}`);
    } else if (handler.mutatesState && method !== 'POST') {
      res = textResponse(405, `Method ${method} not allowed, POST required.`);
    } else {
      const req: AdminRequest = { method, path, query, ...(form ? { form } : {}) };
      try {
        res = await handler.handle(req);
      } catch (err) {
        res = textResponse(500, `admin handler ${path} failed: ${(err as Error).message}\n`);
      }
    }
    return withFallbackHeaders(res);
  }

  /** `/help` text: handlers in alphabetical order, `(POST)` on mutating ones, their parameters. */
  help(): string {
    let out = 'admin commands are:\n';
    for (const h of [...this.handlers].sort((a, b) => (a.prefix < b.prefix ? -1 : a.prefix > b.prefix ? 1 : 0))) {
      out += `  ${h.prefix}${h.mutatesState ? ' (POST)' : ''}: ${h.help}\n`;
      for (const p of h.params ?? []) {
        out += `      ${p.id}: ${p.help}${p.choices ? `; One of (${p.choices.join(', ')})` : ''}\n`;
      }
    }
    return out;
  }
}

/** Envoy's Utility::populateFallbackResponseHeaders. */
function withFallbackHeaders(res: AdminResponse): AdminResponse {
  const h = res.headers;
  h['content-type'] ??= 'text/plain; charset=UTF-8';
  h['cache-control'] ??= 'no-cache, max-age=0';
  h['x-content-type-options'] = 'nosniff';
  return res;
}
