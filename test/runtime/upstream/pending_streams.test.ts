// PendingStreams (pool/pending_streams.ts): the pool's queue keeps upstream_rq_pending_* and the
// max_pending_requests breaker in step with what waits, whichever way a stream leaves it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StatsStore } from '../../../src/runtime/stats/store.js';
import { ClusterStats } from '../../../src/runtime/upstream/cluster_stats.js';
import { ResourceManager } from '../../../src/runtime/upstream/resource_manager.js';
import { PendingStreams } from '../../../src/runtime/upstream/pool/pending_streams.js';
import type { PoolContext } from '../../../src/runtime/upstream/pool/pool_types.js';
import type { PoolStream } from '../../../src/runtime/upstream/pool/pool_stream.js';
import type { Host } from '../../../src/runtime/upstream/host.js';
import type { PoolCallbacks, PoolFailureReason, ResponseDecoder } from '../../../src/runtime/upstream/types.js';

function setup(): { queue: PendingStreams; stats: ClusterStats; resources: ResourceManager } {
  const scope = new StatsStore().scope('cluster.c.');
  const stats = new ClusterStats(scope);
  const resources = new ResourceManager(undefined, scope);
  // The queue reads only the stats and the breakers of its pool's context.
  const queue = new PendingStreams({ stats, resources } as unknown as PoolContext);
  return { queue, stats, resources };
}

const decoder = {} as ResponseDecoder;
const host = { address: '127.0.0.1' } as unknown as Host;

function failures(log: string[], name: string, onFail?: () => void): PoolCallbacks {
  return {
    onPoolReady: () => log.push(`${name} ready`),
    onPoolFailure: (reason: PoolFailureReason, tfr: string, h) => {
      log.push(`${name} ${reason} ${tfr} ${h === host}`);
      onFail?.();
    },
  };
}

test('add, cancel and shift keep the pending counts and the breaker in step', () => {
  const { queue, stats, resources } = setup();
  const log: string[] = [];
  const a = queue.add(decoder, failures(log, 'a'), null);
  const b = queue.add(decoder, failures(log, 'b'), null);
  assert.equal(queue.length, 2);
  assert.deepEqual([stats.upstream_rq_pending_total.value, stats.upstream_rq_pending_active.value, resources.pendingRequests.count], [2, 2, 2]);
  a.cancel();
  a.cancel(); // no longer queued: nothing more
  assert.deepEqual([stats.upstream_rq_cancelled.value, stats.upstream_rq_pending_active.value, resources.pendingRequests.count], [1, 1, 1]);
  assert.equal(queue.shift(), b);
  assert.equal(queue.shift(), undefined);
  b.cancel(); // taken out already: not a cancellation
  assert.deepEqual([stats.upstream_rq_cancelled.value, stats.upstream_rq_pending_active.value, resources.pendingRequests.count, stats.upstream_rq_pending_total.value], [1, 0, 0, 2]);
  assert.deepEqual(log, []);
});

test('purge fails every waiting stream once, in order; one queued from a callback waits', () => {
  const { queue, stats, resources } = setup();
  const log: string[] = [];
  const replayed: string[] = [];
  const replay = { failReplay: (tfr: string) => replayed.push(tfr) } as unknown as PoolStream;
  queue.add(decoder, failures(log, 'a', () => queue.add(decoder, failures(log, 'retry'), null)), null);
  queue.add(decoder, null, replay);
  queue.add(decoder, failures(log, 'c'), null);
  queue.purge('remote_connection_failure', 'delayed connect error: 111', host, true);
  assert.deepEqual(log, ['a remote_connection_failure delayed connect error: 111 true', 'c remote_connection_failure delayed connect error: 111 true']);
  assert.deepEqual(replayed, ['delayed connect error: 111']);
  assert.equal(stats.upstream_rq_pending_failure_eject.value, 3);
  // The retry queued from a's callback is still waiting, and counted.
  assert.equal(queue.length, 1);
  assert.deepEqual([stats.upstream_rq_pending_active.value, resources.pendingRequests.count, stats.upstream_rq_pending_total.value], [1, 1, 4]);
  queue.purge('local_connection_failure', 'pool shutting down', host, false);
  assert.deepEqual(log.slice(2), ['retry local_connection_failure pool shutting down true']);
  assert.equal(stats.upstream_rq_pending_failure_eject.value, 3);
  assert.deepEqual([queue.length, stats.upstream_rq_pending_active.value, resources.pendingRequests.count], [0, 0, 0]);
});
