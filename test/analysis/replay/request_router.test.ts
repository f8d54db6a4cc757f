// replay routes each request as match does: RequestRouter (compiled once, cached contexts,
// route index) against analyze() (match's own computation, a trace, no index) on the same
// inputs, over several configs and request shapes (ports, https, hostile x-forwarded-proto,
// missing Host, CONNECT). Any divergence between the two is a bug in replay.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../../src/config/load.js';
import { analyze } from '../../../src/analysis/explain/analyze.js';
import type { RequestInput } from '../../../src/analysis/explain/request.js';
import { RequestRouter } from '../../../src/analysis/replay/request_router.js';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const load = (f: string) => {
  const r = loadConfig(readFileSync(ROOT + f, 'utf8'), f);
  assert.ok(r.config, JSON.stringify(r.diagnostics));
  return r.config;
};

const CONFIGS = ['fixtures/replay/after.yaml', 'fixtures/replay/before.yaml', 'fixtures/explain/bootstrap.yaml', 'fixtures/explain/routes.yaml', 'fixtures/explain/config_dump.json', 'fixtures/demo/envoy.yaml'];
const HOSTS = [undefined, 'shop.example.com', 'shop.example.com:8080', 'admin.example.com', 'api.example.com', 'api.example.com:10000', 'secure.example.com', 'docs.example.com', 'www.example.com', 'localhost:10000', 'reviews:8080', 'nowhere.test'];
const PATHS = ['/', '/cart/x', '/api/v1/users?x=1', '/legacy', '/static/a.css', '/t/acme', '/hello', '/old/x?q', '/app/x', '/api/x', '/users/42', '/healthz', '/reviews/1'];

test('replay routes every request as match does (status, flag, details, vhost, route, cluster)', () => {
  let compared = 0;
  for (const file of CONFIGS) {
    const config = load(file);
    const router = new RequestRouter(config);
    let i = 0;
    for (const host of HOSTS) {
      for (const path of PATHS) {
        for (const variant of [0, 1, 2]) {
          i++;
          const scheme = i % 5 === 0 ? 'https' : 'http';
          const headers: [string, string][] = [];
          if (variant === 1) headers.push(['x-canary', '1'], ['x-tenant', 'acme']);
          if (variant === 2 || i % 7 === 0) headers.push(['x-forwarded-proto', i % 2 === 0 ? 'https' : 'http']);
          const input: RequestInput = { host, path, method: i % 11 === 0 ? 'POST' : 'GET', scheme, headers, randomValue: i * 37 };
          const m = analyze(config, input, { classify: () => ({ supported: true }) });
          const r = router.route(input);
          const where = `${file} ${scheme}://${host}${path} ${JSON.stringify(headers)}`;
          if (!m.ok) {
            // match refuses the question (no listener for that port...): replay does not route it.
            assert.equal(r.kind, 'unrouted', where);
            continue;
          }
          const rep = m.report;
          if (rep.route_configuration === null) {
            assert.equal(r.kind, 'unrouted', where);
            assert.equal(r.outcome.details, rep.outcome.details, where);
            continue;
          }
          assert.deepEqual(
            { status: r.outcome.status, flag: r.outcome.response_flag, details: r.outcome.details, vhost: r.virtualHost?.name ?? null, route: r.route?.index ?? null, cluster: r.cluster },
            { status: rep.outcome.status, flag: rep.outcome.response_flag, details: rep.outcome.details, vhost: rep.virtual_host?.name ?? null, route: rep.route?.index ?? null, cluster: rep.action.cluster?.name ?? null },
            where,
          );
          if (r.kind === 'forward') {
            assert.equal(r.path, rep.action.path, where);
            assert.equal(r.host, rep.action.host, where);
          }
          compared++;
        }
      }
    }
  }
  assert.ok(compared > 1000, `compared ${compared}`);
});

test('the listener is the one the log says the request came in on', () => {
  const config = load('fixtures/explain/bootstrap.yaml');
  const router = new RequestRouter(config);
  const input = { host: 'api.example.com', path: '/healthz', method: 'GET', scheme: 'http', headers: [], randomValue: 0 };
  const viaPort = (localPort: number) => router.route({ ...input, localPort });
  const listeners = config.listeners.map((l) => l.address?.socket_address?.port_value);
  assert.deepEqual(listeners, [10000, 10001]);
  // The same request on each listener port reaches that listener's route configuration.
  assert.notEqual(viaPort(10000).routeConfiguration, viaPort(10001).routeConfiguration);
  for (const p of [10000, 10001]) {
    const m = analyze(config, input, { classify: () => ({ supported: true }), port: p });
    assert.ok(m.ok);
    assert.equal(viaPort(p).routeConfiguration, m.report.route_configuration?.name, `port ${p}`);
  }
});
