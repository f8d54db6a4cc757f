import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StatsStore } from '../../../src/runtime/stats/store.js';
import { createClusterManager, type DnsLookup } from '../../../src/runtime/upstream/cluster_manager.js';
import type { ClusterImpl } from '../../../src/runtime/upstream/cluster.js';
import type { Cluster } from '../../../src/config/types.js';
import { xxHash64 } from '../../../src/core/lb/xxhash64.js';
import { TestStream, bodyText, startHttpOrigin, staticCluster, within, type Origin } from './helpers.js';

function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function origins(n: number): Promise<Origin[]> {
  return Promise.all(Array.from({ length: n }, (_, i) => startHttpOrigin((_req, res) => res.end(`o${i}`))));
}

function dnsCluster(name: string, type: 'STRICT_DNS' | 'LOGICAL_DNS', hostname: string, port: number, extra: Partial<Cluster> = {}): Cluster {
  return {
    name,
    type,
    load_assignment: {
      cluster_name: name,
      endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: hostname, port_value: port } } } }] }],
    },
    ...extra,
  };
}

test('STATIC ROUND_ROBIN: picks rotate over the endpoints and requests reach the picked origin', async () => {
  const os = await origins(3);
  const store = new StatsStore();
  const cm = createClusterManager([staticCluster('rr', os.map((o) => o.port))], store, { random: seeded(1) });
  try {
    const c = cm.getThreadLocalCluster('rr')!;
    const bodies: string[] = [];
    for (let i = 0; i < 6; i++) bodies.push(bodyText(await within(new TestStream().start(c).done)));
    assert.deepEqual(bodies, ['o0', 'o1', 'o2', 'o0', 'o1', 'o2']);
    assert.equal(store.gaugeValue('cluster.rr.membership_total'), 3);
    assert.equal(store.gaugeValue('cluster.rr.membership_healthy'), 3);
    assert.deepEqual(os.map((o) => o.connections), [1, 1, 1]);
    const d = (c as ClusterImpl).describe();
    assert.deepEqual(d.circuitBreakers, { maxConnections: 1024, maxPendingRequests: 1024, maxRequests: 1024, maxRetries: 3 });
    assert.deepEqual(
      d.hosts.map((h) => [h.cxTotal, h.cxActive, h.rqTotal, h.rqActive]),
      [[1, 1, 2, 0], [1, 1, 2, 0], [1, 1, 2, 0]],
    );
    assert.equal(cm.getThreadLocalCluster('nope'), undefined);
  } finally {
    await cm.shutdown();
    await Promise.all(os.map((o) => o.close()));
  }
});

test('weights and priorities from load_assignment reach the load balancer', () => {
  const store = new StatsStore();
  const cluster: Cluster = {
    name: 'w',
    type: 'STATIC',
    load_assignment: {
      cluster_name: 'w',
      endpoints: [
        {
          priority: 0,
          lb_endpoints: [
            { endpoint: { address: { socket_address: { address: '10.0.0.1', port_value: 80 } } }, load_balancing_weight: 3 },
            { endpoint: { address: { socket_address: { address: '10.0.0.2', port_value: 80 } } } },
          ],
        },
        { priority: 1, lb_endpoints: [{ endpoint: { address: { socket_address: { address: '10.0.1.1', port_value: 80 } } } }] },
      ],
    },
  };
  const cm = createClusterManager([cluster], store, { random: seeded(2) });
  const c = cm.getThreadLocalCluster('w')!;
  const counts = new Map<string, number>();
  for (let i = 0; i < 400; i++) {
    const h = c.chooseHost(undefined)!;
    counts.set(h.addressString, (counts.get(h.addressString) ?? 0) + 1);
  }
  assert.deepEqual(Object.fromEntries(counts), { '10.0.0.1:80': 300, '10.0.0.2:80': 100 });
  assert.equal(store.gaugeValue('cluster.w.membership_total'), 3);
  void cm.shutdown();
});

test('RING_HASH cluster: a hash key sticks to one host; previous_hosts gets another pick', () => {
  const store = new StatsStore();
  const cluster = staticCluster('rh', [1001, 1002, 1003], { lb_policy: 'RING_HASH' });
  const cm = createClusterManager([cluster], store, { random: seeded(3) });
  const c = cm.getThreadLocalCluster('rh')!;
  const key = xxHash64('user-1');
  const first = c.chooseHost({ hashKey: key })!;
  for (let i = 0; i < 10; i++) assert.equal(c.chooseHost({ hashKey: key }), first);
  void cm.shutdown();
});

test('no hosts: chooseHost is null and upstream_cx_none_healthy counts; unsupported types warn', () => {
  const store = new StatsStore();
  const cm = createClusterManager(
    [{ name: 'eds', type: 'EDS' }, staticCluster('odd', [1], { lb_policy: 'CLUSTER_PROVIDED' })],
    store,
    { random: seeded(4) },
  );
  assert.equal(cm.getThreadLocalCluster('eds')!.chooseHost(undefined), null);
  assert.equal(store.counterValue('cluster.eds.upstream_cx_none_healthy'), 1);
  assert.equal(cm.warnings.length, 2);
  assert.match(cm.warnings.join('\n'), /EDS/);
  assert.match(cm.warnings.join('\n'), /CLUSTER_PROVIDED/);
  void cm.shutdown();
});

test('cluster info: defaults and circuit breaker gauges with Envoy names', () => {
  const store = new StatsStore();
  const cm = createClusterManager([staticCluster('d', [1], { connect_timeout: undefined, alt_stat_name: 'dd' })], store, { random: seeded(5) });
  const c = cm.getThreadLocalCluster('d')!;
  assert.equal(c.info.connectTimeoutMs, 5000);
  assert.equal(c.info.maxRetries, 3);
  assert.equal(c.info.maxRequestsPerConnection, 0);
  for (const g of ['cx_open', 'rq_pending_open', 'rq_open', 'rq_retry_open']) {
    assert.ok(store.gauges.has(`cluster.dd.circuit_breakers.default.${g}`), g);
  }
  assert.equal(c.tryRetry!(), true);
  assert.equal(c.tryRetry!(), true);
  assert.equal(c.tryRetry!(), true);
  assert.equal(c.tryRetry!(), false);
  assert.equal(store.gaugeValue('cluster.dd.circuit_breakers.default.rq_retry_open'), 1);
  c.releaseRetry!();
  assert.equal(store.gaugeValue('cluster.dd.circuit_breakers.default.rq_retry_open'), 0);
  void cm.shutdown();
});

test('STRICT_DNS of localhost resolves through node:dns and serves requests', async () => {
  const [o] = await origins(1);
  const store = new StatsStore();
  const cm = createClusterManager(
    [dnsCluster('dns', 'STRICT_DNS', 'localhost', o!.port, { dns_lookup_family: 'V4_ONLY' })],
    store,
    { random: seeded(6) },
  );
  try {
    await within(cm.ready);
    const c = cm.getThreadLocalCluster('dns')!;
    const h = c.chooseHost(undefined)!;
    assert.equal(h.addressString, `127.0.0.1:${o!.port}`);
    assert.equal(h.hostname, 'localhost');
    assert.equal(bodyText(await within(new TestStream().start(c).done)), 'o0');
    assert.equal(store.counterValue('cluster.dns.update_success'), 1);
  } finally {
    await cm.shutdown();
    await o!.close();
  }
});

test('STRICT_DNS follows re-resolution every dns_refresh_rate; removed hosts drain', async () => {
  let answer = [{ address: '127.0.0.1', family: 4 as const }, { address: '127.0.0.2', family: 4 as const }];
  let lookups = 0;
  const lookup: DnsLookup = async () => {
    lookups++;
    return answer;
  };
  const store = new StatsStore();
  const cm = createClusterManager([dnsCluster('s', 'STRICT_DNS', 'svc.test', 8080, { dns_refresh_rate: 20 })], store, {
    random: seeded(7),
    dnsLookup: lookup,
  });
  try {
    await within(cm.ready);
    const c = cm.getThreadLocalCluster('s') as ClusterImpl;
    assert.deepEqual(c.allHosts.map((h) => h.addressString), ['127.0.0.1:8080', '127.0.0.2:8080']);
    const kept = c.allHosts[0];
    answer = [{ address: '127.0.0.1', family: 4 }];
    const t0 = Date.now();
    while (c.allHosts.length !== 1 && Date.now() - t0 < 2000) await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(c.allHosts.map((h) => h.addressString), ['127.0.0.1:8080']);
    assert.equal(c.allHosts[0], kept, 'unchanged hosts keep their identity (and pools)');
    assert.equal(store.gaugeValue('cluster.s.membership_total'), 1);
    assert.ok(lookups >= 2);
  } finally {
    await cm.shutdown();
  }
  // After shutdown no more lookups happen.
  const n = lookups;
  await new Promise((r) => setTimeout(r, 60));
  assert.equal(lookups, n);
});

test('STRICT_DNS: AUTO prefers IPv6 answers, V4_PREFERRED IPv4; a failed lookup keeps the old hosts', async () => {
  let fail = false;
  const lookup: DnsLookup = async () => {
    if (fail) throw new Error('ENOTFOUND');
    return [
      { address: '::1', family: 6 },
      { address: '127.0.0.1', family: 4 },
    ];
  };
  const store = new StatsStore();
  const cm = createClusterManager(
    [
      dnsCluster('auto', 'STRICT_DNS', 'x', 1, { dns_refresh_rate: 15 }),
      dnsCluster('v4p', 'STRICT_DNS', 'x', 1, { dns_lookup_family: 'V4_PREFERRED' }),
    ],
    store,
    { random: seeded(8), dnsLookup: lookup },
  );
  try {
    await within(cm.ready);
    const auto = cm.getThreadLocalCluster('auto') as ClusterImpl;
    assert.deepEqual(auto.allHosts.map((h) => h.addressString), ['[::1]:1']);
    assert.deepEqual((cm.getThreadLocalCluster('v4p') as ClusterImpl).allHosts.map((h) => h.addressString), ['127.0.0.1:1']);
    fail = true;
    const t0 = Date.now();
    while (store.counterValue('cluster.auto.update_failure') === 0 && Date.now() - t0 < 2000) await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(auto.allHosts.map((h) => h.addressString), ['[::1]:1']);
  } finally {
    await cm.shutdown();
  }
});

test('LOGICAL_DNS: one logical host at the first address, following re-resolution', async () => {
  let first = '127.0.0.1';
  const lookup: DnsLookup = async () => [
    { address: first, family: 4 },
    { address: '127.0.0.9', family: 4 },
  ];
  const store = new StatsStore();
  const cm = createClusterManager([dnsCluster('l', 'LOGICAL_DNS', 'svc.test', 9000, { dns_refresh_rate: 15 })], store, {
    random: seeded(9),
    dnsLookup: lookup,
  });
  try {
    await within(cm.ready);
    const c = cm.getThreadLocalCluster('l') as ClusterImpl;
    assert.equal(c.allHosts.length, 1);
    const h = c.allHosts[0]!;
    assert.equal(h.addressString, '127.0.0.1:9000');
    first = '127.0.0.3';
    const t0 = Date.now();
    while ((h.addressString as string) !== '127.0.0.3:9000' && Date.now() - t0 < 2000) await new Promise((r) => setTimeout(r, 10));
    assert.equal(h.addressString, '127.0.0.3:9000');
    assert.equal(c.allHosts[0], h, 'same logical host');
  } finally {
    await cm.shutdown();
  }
});

test('LEAST_REQUEST sees live active requests: a busy origin gets fewer new streams', async () => {
  const held: Array<() => void> = [];
  const slow = await startHttpOrigin((_req, res) => held.push(() => res.end('slow')));
  const fast = await startHttpOrigin((_req, res) => res.end('fast'));
  const store = new StatsStore();
  const cm = createClusterManager(
    [staticCluster('lr', [slow.port, fast.port], { lb_policy: 'LEAST_REQUEST' })],
    store,
    { random: seeded(10) },
  );
  try {
    const c = cm.getThreadLocalCluster('lr')!;
    const slowHost = (c as ClusterImpl).allHosts[0]!;
    // Park 3 requests on the slow host.
    const parked = [0, 1, 2].map(() => new TestStream().start(c, slowHost));
    while (held.length < 3) await new Promise((r) => setTimeout(r, 5));
    assert.equal(slowHost.activeRequests, 3);
    let toSlow = 0;
    for (let i = 0; i < 50; i++) if (c.chooseHost(undefined) === slowHost) toSlow++;
    // Slow host wins only when both samples are it (1/4 of picks).
    assert.ok(toSlow < 22, `slow picked ${toSlow}/50`);
    held.splice(0).forEach((f) => f());
    await within(Promise.all(parked.map((p) => p.done)));
    assert.equal(slowHost.activeRequests, 0);
  } finally {
    await cm.shutdown();
    await slow.close();
    await fast.close();
  }
});

test('use_hostname_for_hashing: ring keys are endpoint hostnames, so an address change keeps the pick', () => {
  const mk = (ip: string): Cluster => ({
    name: 'h',
    type: 'STATIC',
    lb_policy: 'RING_HASH',
    common_lb_config: { consistent_hashing_lb_config: { use_hostname_for_hashing: true } },
    load_assignment: {
      cluster_name: 'h',
      endpoints: [
        {
          lb_endpoints: [
            { endpoint: { address: { socket_address: { address: ip, port_value: 80 } }, hostname: 'a.svc' } },
            { endpoint: { address: { socket_address: { address: '10.0.0.2', port_value: 80 } }, hostname: 'b.svc' } },
          ],
        },
      ],
    },
  });
  const picks = (ip: string): string[] => {
    const cm = createClusterManager([mk(ip)], new StatsStore(), { random: seeded(11) });
    const c = cm.getThreadLocalCluster('h')!;
    const out = Array.from({ length: 40 }, (_, i) => c.chooseHost({ hashKey: xxHash64(`k${i}`) })!.hostname!);
    void cm.shutdown();
    return out;
  };
  assert.deepEqual(picks('10.0.0.1'), picks('10.9.9.9'));
  assert.equal(new Set(picks('10.0.0.1')).size, 2);
});
