// The HTTP/1.1 pool against the pool contract.
import type http from 'node:http';
import { poolContract } from './pool_contract.js';
import { startHttpOrigin } from './helpers.js';

poolContract({
  name: 'HTTP/1.1',
  cluster: {},
  slotsPerConnection: 1,
  protocolCounter: 'upstream_cx_http1_total',
  startUpstream: async () => {
    const waiting: http.ServerResponse[] = [];
    const origin = await startHttpOrigin((req, res) => {
      if (req.url?.startsWith('/hold')) waiting.push(res);
      else res.end('ok');
    });
    return {
      port: origin.port,
      held: () => waiting.length,
      release: () => waiting.splice(0).forEach((r) => r.end('ok')),
      close: () => origin.close(),
    };
  },
});
