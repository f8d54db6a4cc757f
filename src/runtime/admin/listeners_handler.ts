/**
 * `/listeners` (text `name::address:port`, `?format=json` ListenerStatuses) and
 * `/drain_listeners` (POST; `?graceful` waits the drain time before closing, `?inboundonly` only
 * drains listeners whose `traffic_direction` is INBOUND). The admin listener is never listed
 * nor drained.
 */
import type { AdminHandler, AdminServerContext } from './types.js';
import { jsonResponse, prettyJson, textResponse } from './response.js';
import { queryParam } from './query.js';

export function listenersHandlers(ctx: AdminServerContext): AdminHandler[] {
  return [
    {
      prefix: '/listeners',
      help: 'print listener info',
      mutatesState: false,
      params: [{ id: 'format', help: 'File format to use', choices: ['text', 'json'] }],
      handle(req) {
        const ls = ctx.listeners();
        if (queryParam(req.query, 'format') === 'json') {
          return jsonResponse(
            200,
            prettyJson({
              listener_statuses: ls.map((l) => ({ name: l.name, local_address: { socket_address: { address: l.address, port_value: l.port } } })),
            }),
          );
        }
        return textResponse(200, ls.map((l) => `${l.name}::${l.address.includes(':') ? `[${l.address}]` : l.address}:${l.port}\n`).join(''));
      },
    },
    {
      prefix: '/drain_listeners',
      help: 'drain listeners',
      mutatesState: true,
      params: [
        { id: 'graceful', help: 'When draining listeners, enter a graceful drain period prior to closing listeners. This behaviour and duration is configurable via server options or CLI' },
        { id: 'inboundonly', help: 'Drains all inbound listeners. traffic_direction field in envoy_v3_api_msg_config.listener.v3.Listener is used to determine whether a listener is inbound or outbound.' },
      ],
      handle(req) {
        ctx.drainListeners({ graceful: req.query.has('graceful'), inboundOnly: req.query.has('inboundonly') });
        return textResponse(200, 'OK\n');
      },
    },
  ];
}
