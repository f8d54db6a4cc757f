import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildHostSets, createLoadBalancer } from '../../../src/core/lb/index.js';
import { computePriorityLoad } from '../../../src/core/lb/priority_load.js';
import { EdfScheduler } from '../../../src/core/lb/edf_scheduler.js';
import { host, seededRandom, tally, type TestHost } from './seeded_random.js';

test('ROUND_ROBIN with equal weights rotates in order', () => {
  const hosts = [host('a'), host('b'), host('c')];
  const lb = createLoadBalancer('ROUND_ROBIN', buildHostSets(hosts), seededRandom(1));
  const picks = Array.from({ length: 6 }, () => (lb.chooseHost(undefined) as TestHost).name);
  assert.deepEqual(picks, ['a', 'b', 'c', 'a', 'b', 'c']);
});

test('ROUND_ROBIN with weights 1:2:3 picks exactly in proportion over a period (EDF)', () => {
  const hosts = [host('a', { weight: 1 }), host('b', { weight: 2 }), host('c', { weight: 3 })];
  const lb = createLoadBalancer('ROUND_ROBIN', buildHostSets(hosts), seededRandom(1));
  const t = tally(600, () => lb.chooseHost(undefined) as TestHost);
  assert.deepEqual([t.get('a'), t.get('b'), t.get('c')], [100, 200, 300]);
});

test('EDF interleaves rather than bursting', () => {
  const edf = new EdfScheduler<string>();
  edf.add(1, 'a');
  edf.add(3, 'b');
  const seq = Array.from({ length: 8 }, () => edf.pickAndAdd((x) => (x === 'a' ? 1 : 3))).join('');
  assert.equal(seq.replace(/b/g, '').length, 2, seq);
  assert.ok(!seq.includes('bbbbb') && !seq.includes('aa'), seq);
  assert.equal(seq.slice(0, 3), 'bba');
});

test('RANDOM is uniform regardless of weight (as Envoy)', () => {
  const hosts = [host('a', { weight: 1 }), host('b', { weight: 9 })];
  const lb = createLoadBalancer('RANDOM', buildHostSets(hosts), seededRandom(7));
  const t = tally(20000, () => lb.chooseHost(undefined) as TestHost);
  const a = t.get('a')! / 20000;
  assert.ok(a > 0.47 && a < 0.53, `share of a = ${a}`);
});

test('LEAST_REQUEST (P2C) avoids the busy host', () => {
  const hosts = [host('a'), host('b'), host('c'), host('d')];
  hosts[0]!.activeRequests = 100;
  const lb = createLoadBalancer('LEAST_REQUEST', buildHostSets(hosts), seededRandom(3));
  const t = tally(10000, () => lb.chooseHost(undefined) as TestHost);
  // a is chosen only when both samples are a: 1/16 of picks.
  const a = (t.get('a') ?? 0) / 10000;
  assert.ok(a > 0.04 && a < 0.085, `share of busy host a = ${a}`);
});

test('LEAST_REQUEST choice_count 5 makes the busy host rarer still', () => {
  const hosts = [host('a'), host('b')];
  hosts[0]!.activeRequests = 5;
  const lb = createLoadBalancer('LEAST_REQUEST', buildHostSets(hosts), seededRandom(3), { choiceCount: 5 });
  const t = tally(10000, () => lb.chooseHost(undefined) as TestHost);
  const a = (t.get('a') ?? 0) / 10000;
  assert.ok(a < 0.05, `share of busy host a = ${a} (expected ~1/32)`);
});

test('LEAST_REQUEST with unequal weights follows weight / (active + 1)', () => {
  const hosts = [host('a', { weight: 2 }), host('b', { weight: 1 })];
  const lb = createLoadBalancer('LEAST_REQUEST', buildHostSets(hosts), seededRandom(5));
  const idle = tally(3000, () => lb.chooseHost(undefined) as TestHost);
  assert.equal(idle.get('a'), 2000);
  assert.equal(idle.get('b'), 1000);
  // a now carries 3 active requests: effective weight 2/4 = 0.5 vs b 1/1.
  hosts[0]!.activeRequests = 3;
  const lb2 = createLoadBalancer('LEAST_REQUEST', buildHostSets(hosts), seededRandom(5));
  const busy = tally(3000, () => lb2.chooseHost(undefined) as TestHost);
  assert.ok(busy.get('b')! > 1900 && busy.get('b')! < 2100, `b picks = ${busy.get('b')}`);
});

test('priorities: P0 takes all traffic while healthy; failover follows the overprovisioning factor', () => {
  const p0 = [host('p0a'), host('p0b'), host('p0c'), host('p0d')];
  const p1 = [host('p1a', { priority: 1 }), host('p1b', { priority: 1 })];
  const all = [...p0, ...p1];
  let load = computePriorityLoad(buildHostSets(all));
  assert.deepEqual(load.healthyLoad, [100, 0]);
  // 2 of 4 P0 hosts unhealthy: P0 health = min(100, 1.4 * 50) = 70 -> 70/30 split.
  const degradedP0 = [host('p0a'), host('p0b'), host('p0c', { health: 'unhealthy' }), host('p0d', { health: 'unhealthy' })];
  load = computePriorityLoad(buildHostSets([...degradedP0, ...p1]));
  assert.deepEqual(load.healthyLoad, [70, 30]);
  assert.deepEqual(load.panic, [false, false]);
  const lb = createLoadBalancer('ROUND_ROBIN', buildHostSets([...degradedP0, ...p1]), seededRandom(11));
  const t = tally(10000, () => lb.chooseHost(undefined) as TestHost);
  const p1share = ((t.get('p1a') ?? 0) + (t.get('p1b') ?? 0)) / 10000;
  assert.ok(p1share > 0.27 && p1share < 0.33, `P1 share ${p1share}`);
  assert.equal(t.get('p0c'), undefined);
});

test('panic mode: under 50 % healthy, all hosts are used and lb_healthy_panic counts', () => {
  let panics = 0;
  const counter = { inc: () => void panics++ };
  const hosts = [host('a'), host('b', { health: 'unhealthy' }), host('c', { health: 'unhealthy' })];
  const lb = createLoadBalancer('ROUND_ROBIN', buildHostSets(hosts), seededRandom(1), { healthyPanic: counter });
  const t = tally(300, () => lb.chooseHost(undefined) as TestHost);
  assert.deepEqual([t.get('a'), t.get('b'), t.get('c')], [100, 100, 100]);
  assert.equal(panics, 300);
});

test('panic mode: every host unhealthy still routes (Envoy), unless the threshold is 0', () => {
  const hosts = [host('a', { health: 'unhealthy' }), host('b', { health: 'unhealthy' })];
  const lb = createLoadBalancer('RANDOM', buildHostSets(hosts), seededRandom(1));
  assert.notEqual(lb.chooseHost(undefined), null);
  const strict = createLoadBalancer('RANDOM', buildHostSets(hosts), seededRandom(1), { healthyPanicThresholdPercent: 0 });
  assert.equal(strict.chooseHost(undefined), null);
});

test('no hosts at all: null (503 UH no_healthy_upstream)', () => {
  for (const p of ['ROUND_ROBIN', 'LEAST_REQUEST', 'RANDOM', 'RING_HASH', 'MAGLEV'] as const) {
    const lb = createLoadBalancer<TestHost>(p, [], seededRandom(1));
    assert.equal(lb.chooseHost(undefined), null, p);
  }
});

test('exactly 50 % healthy is not panic (threshold is strict less-than)', () => {
  const hosts = [host('a'), host('b', { health: 'unhealthy' })];
  const lb = createLoadBalancer('ROUND_ROBIN', buildHostSets(hosts), seededRandom(1));
  const t = tally(10, () => lb.chooseHost(undefined) as TestHost);
  assert.equal(t.get('a'), 10);
});

test('degraded hosts take the load healthy ones cannot', () => {
  const hosts = [host('a'), host('b', { health: 'degraded' }), host('c', { health: 'degraded' }), host('d', { health: 'degraded' })];
  // healthy 1.4*25 = 35, degraded min(100, 1.4*75) = 100 -> normalized 100: healthy 35, degraded 65.
  const load = computePriorityLoad(buildHostSets(hosts));
  assert.deepEqual(load.healthyLoad, [35]);
  assert.deepEqual(load.degradedLoad, [65]);
});
