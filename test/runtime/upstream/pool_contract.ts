/**
 * The connection pool contract: one suite, run against the pool of every upstream protocol
 * (pool/conn_pool_base.ts with the HTTP/1.1 and the HTTP/2 protocol). An implementation joins
 * with a PoolAdapter: the cluster fields that select it, an upstream speaking it whose `/hold*`
 * paths wait for `release()`, and how many streams one connection carries at once there.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Cluster } from '../../../src/config/types.js';
import { TestStream, closedPort, setupCluster, settled, staticCluster, within } from './helpers.js';

export interface PoolUpstream {
  readonly port: number;
  /** Requests waiting on `/hold*`. */
  held(): number;
  release(): void;
  close(): Promise<void>;
}

export interface PoolAdapter {
  readonly name: string;
  /** Cluster fields selecting the protocol. */
  readonly cluster: Partial<Cluster>;
  /** Streams one upstream connection carries at once. */
  readonly slotsPerConnection: number;
  /** The `upstream_cx_<protocol>_total` counter. */
  readonly protocolCounter: string;
  startUpstream(): Promise<PoolUpstream>;
}

async function waitFor(pred: () => boolean, what: string, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export function poolContract(a: PoolAdapter): void {
  describe(`pool contract: ${a.name}`, () => {
    const T = { timeout: 15_000 };
    const withPool = async (
      extra: Partial<Cluster>,
      run: (ctx: ReturnType<typeof setupCluster> & { up: PoolUpstream }) => Promise<void>,
    ): Promise<void> => {
      const up = await a.startUpstream();
      const ctx = setupCluster(staticCluster('web', [up.port], { ...a.cluster, ...extra }));
      try {
        await run({ ...ctx, up });
      } finally {
        await ctx.cm.shutdown();
        await up.close();
      }
    };

    test('a stream gets a response; sequential streams reuse one connection', T, async () => {
      await withPool({}, async ({ c, stat, gauge }) => {
        for (let i = 0; i < 3; i++) {
          const r = await within(new TestStream({ path: `/r${i}` }).start(c).done);
          assert.equal(r.status, 200);
          assert.equal(r.ended, true);
          await settled();
        }
        assert.equal(stat('upstream_cx_total'), 1);
        assert.equal(stat(a.protocolCounter), 1);
        assert.equal(stat('upstream_rq_total'), 3);
        assert.equal(gauge('upstream_rq_active'), 0);
        assert.equal(gauge('upstream_cx_active'), 1);
      });
    });

    test('concurrent streams fill every free slot, then open connections', T, async () => {
      await withPool({}, async ({ c, stat, gauge, up }) => {
        const n = 2 * a.slotsPerConnection;
        const streams = Array.from({ length: n }, (_, i) => new TestStream({ path: `/hold${i}` }).start(c));
        await waitFor(() => up.held() === n, `${n} held streams`);
        assert.equal(stat('upstream_cx_total'), 2);
        assert.equal(gauge('upstream_rq_active'), n);
        up.release();
        const rs = await within(Promise.all(streams.map((s) => s.done)));
        assert.ok(rs.every((r) => r.status === 200));
        assert.equal(gauge('upstream_rq_active'), 0);
      });
    });

    test('max_pending_requests: a stream beyond it fails at once with overflow', T, async () => {
      await withPool({ circuit_breakers: { thresholds: [{ max_pending_requests: 1 }] } }, async ({ c, stat }) => {
        const first = new TestStream().start(c);
        const second = new TestStream().start(c);
        assert.equal(second.result.poolFailure?.reason, 'overflow');
        assert.equal(stat('upstream_rq_pending_overflow'), 1);
        assert.equal((await within(first.done)).status, 200);
      });
    });

    test('max_requests: a stream beyond it overflows when it would attach', T, async () => {
      await withPool({ circuit_breakers: { thresholds: [{ max_requests: 1 }] } }, async ({ c, stat, up }) => {
        const first = new TestStream({ path: '/hold' }).start(c);
        await waitFor(() => up.held() === 1, 'the held stream');
        const second = await within(new TestStream().start(c).done);
        assert.equal(second.poolFailure?.reason, 'overflow');
        assert.equal(stat('upstream_rq_pending_overflow'), 1);
        up.release();
        assert.equal((await within(first.done)).status, 200);
      });
    });

    test('cancel() of a pending stream: counted, never attached', T, async () => {
      await withPool({}, async ({ c, stat, gauge }) => {
        const s = new TestStream().start(c);
        assert.ok(s.cancellable, 'pending while the connection opens');
        s.cancellable!.cancel();
        assert.equal(stat('upstream_rq_cancelled'), 1);
        assert.equal(gauge('upstream_rq_pending_active'), 0);
        await new Promise((r) => setTimeout(r, 50));
        assert.equal(s.result.ready, false);
        const next = await within(new TestStream().start(c).done);
        assert.equal(next.status, 200);
      });
    });

    test('a connect failure fails every pending stream (UF) and counts it', T, async () => {
      const port = await closedPort();
      const { cm, c, stat } = setupCluster(staticCluster('web', [port], a.cluster));
      try {
        const rs = await within(Promise.all([new TestStream().start(c).done, new TestStream().start(c).done]));
        assert.deepEqual(rs.map((r) => r.poolFailure?.reason), ['remote_connection_failure', 'remote_connection_failure']);
        assert.match(rs[0]!.poolFailure!.transport, /Connection refused/);
        assert.equal(stat('upstream_cx_connect_fail'), 1);
        assert.equal(stat('upstream_rq_pending_failure_eject'), 2);
      } finally {
        await cm.shutdown();
      }
    });

    test('max_requests_per_connection 1: every stream gets its own connection', T, async () => {
      await withPool({ max_requests_per_connection: 1 }, async ({ c, stat }) => {
        for (let i = 0; i < 3; i++) assert.equal((await within(new TestStream().start(c).done)).status, 200);
        assert.equal(stat('upstream_cx_total'), 3);
        await waitFor(() => stat('upstream_cx_max_requests') === 3, 'three connections retired');
      });
    });

    test('idle_timeout closes an idle connection', T, async () => {
      await withPool({ common_http_protocol_options: { idle_timeout: 50 } }, async ({ c, stat, gauge }) => {
        assert.equal((await within(new TestStream().start(c).done)).status, 200);
        await waitFor(() => stat('upstream_cx_idle_timeout') === 1, 'the idle timeout');
        // An HTTP/2 session closes asynchronously after the timeout fired.
        await waitFor(() => gauge('upstream_cx_active') === 0, 'the connection to close');
        assert.equal(stat('upstream_cx_destroy_local'), 1);
      });
    });

    test('resetStream() of a stream in flight: the router hears nothing more; the pool recovers', T, async () => {
      await withPool({}, async ({ c, gauge, up }) => {
        const s = new TestStream({ path: '/hold' }).start(c);
        await waitFor(() => up.held() === 1, 'the held stream');
        s.encoder!.resetStream();
        up.release();
        await new Promise((r) => setTimeout(r, 30));
        assert.equal(s.result.status, undefined);
        assert.equal(s.result.reset, undefined);
        assert.equal(gauge('upstream_rq_active'), 0);
        assert.equal((await within(new TestStream().start(c).done)).status, 200);
      });
    });
  });
}
