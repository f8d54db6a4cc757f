// Every stat tsproxy creates (after traffic through the router, fault and CORS filters, an
// upstream failure, the admin API) is a name Envoy documents, with Envoy's type: a dashboard
// built for Envoy finds tsproxy's series. The lists are in envoy_stat_names.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CLUSTER, CLUSTER_DYNAMIC, FILESYSTEM, HTTP, HTTP1, LISTENER, SERVER, type StatType } from './envoy_stat_names.js';
import { startAdminProxy } from '../admin/admin_harness.js';

function documented(name: string, clusters: readonly string[], prefixes: readonly string[], listeners: readonly string[]): StatType | 'dynamic' | undefined {
  for (const c of clusters) {
    if (name.startsWith(`cluster.${c}.`)) {
      const rest = name.slice(`cluster.${c}.`.length);
      return CLUSTER.get(rest) ?? (CLUSTER_DYNAMIC.test(rest) ? 'dynamic' : undefined);
    }
  }
  for (const p of prefixes) if (name.startsWith(`http.${p}.`)) return HTTP.get(name.slice(`http.${p}.`.length));
  for (const l of listeners) if (name.startsWith(`listener.${l}.`)) return LISTENER.get(name.slice(`listener.${l}.`.length));
  if (name.startsWith('server.')) return SERVER.get(name.slice('server.'.length));
  if (name.startsWith('filesystem.')) return FILESYSTEM.get(name.slice('filesystem.'.length));
  if (name.startsWith('http1.')) return HTTP1.get(name.slice('http1.'.length));
  return undefined;
}

test("every stat name and type tsproxy produces is one of Envoy's documented stats", async () => {
  const p = await startAdminProxy({
    filters: `- name: envoy.filters.http.fault
  typed_config:
    "@type": type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault
    abort: {http_status: 503, percentage: {numerator: 0, denominator: HUNDRED}}
    delay: {fixed_delay: 0.001s, percentage: {numerator: 0, denominator: HUNDRED}}
- name: envoy.filters.http.cors
  typed_config: {"@type": type.googleapis.com/envoy.extensions.filters.http.cors.v3.Cors}`,
    routes: `- match: {prefix: "/redirect"}
  redirect: {path_redirect: "/x"}
- match: {prefix: "/direct"}
  direct_response: {status: 204}
- match: {prefix: "/nocluster"}
  route: {cluster: missing}`,
  });
  try {
    await p.traffic('/');
    await p.traffic('/redirect');
    await p.traffic('/direct');
    await p.traffic('/nocluster');
    await p.traffic('/', { 'x-envoy-fault-abort-request': '503', origin: 'http://a.example' });
    await p.admin('/stats');
    const store = p.server.store;
    const listener = `127.0.0.1_${p.port}`;
    const checked: string[] = [];
    const wrong: string[] = [];
    const kinds: Array<[Iterable<{ name: string }>, StatType]> = [
      [store.counters.values(), 'counter'],
      [store.gauges.values(), 'gauge'],
      [store.histograms.values(), 'histogram'],
    ];
    for (const [stats, type] of kinds) {
      for (const s of stats) {
        const doc = documented(s.name, ['web'], ['ingress', 'admin'], [listener, 'admin']);
        if (doc === 'dynamic' ? type !== 'counter' : doc !== type) wrong.push(`${s.name} (${type}, Envoy: ${doc ?? 'undocumented'})`);
        checked.push(s.name);
      }
    }
    assert.deepEqual(wrong, []);
    assert.ok(checked.length > 100, `${checked.length} stats checked`);
    for (const must of ['http.ingress.no_cluster', 'http.ingress.rq_redirect', 'http.ingress.fault.aborts_injected', 'cluster.web.upstream_rq_time', 'server.live']) {
      assert.ok(checked.includes(must), must);
    }
  } finally {
    await p.close();
  }
});
