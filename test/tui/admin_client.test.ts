// The admin HTTP client against servers on 127.0.0.1: one sample from the four endpoints, the
// optional ones allowed to fail, the deadline, the size bound, bodies that are not JSON or not
// Envoy's shape, a path prefix, and --admin parsing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { AdminClient, AdminRequestError, parseAdminAddress } from '../../src/tui/admin_client.js';
import { fixtureText, startCannedAdmin, statsBodyAt } from './canned_admin.js';

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

async function serve(t: { after(fn: () => unknown): void }, handler: Handler): Promise<string> {
  const server = http.createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(
    () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  );
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const options = (over: Partial<ConstructorParameters<typeof AdminClient>[1]> = {}) => ({ timeoutMs: 2000, maxBytes: 1 << 20, now: () => 7, ...over });

test('poll: one sample from /stats, /clusters, /listeners and /server_info, stamped when the stats arrived', async (t) => {
  const admin = await startCannedAdmin();
  t.after(() => admin.close());
  const client = new AdminClient(parseAdminAddress(admin.url), options());
  t.after(() => client.close());
  const s = await client.poll();
  assert.equal(s.atMs, 7);
  assert.equal(s.stats.values.get('cluster.web.upstream_rq_total'), 80000);
  assert.deepEqual(s.clusters?.map((c) => c.name), ['auth', 'inventory.svc.cluster.local', 'payments', 'web']);
  assert.deepEqual(s.listeners?.map((l) => l.name), ['listener_0']);
  assert.equal(s.server?.state, 'LIVE');
  const again = await client.poll();
  assert.equal(again.stats.values.get('cluster.web.upstream_rq_total'), 80300, 'the canned counters advanced');
});

test('an admin without /clusters, /listeners and /server_info still gives a sample (stats only)', async (t) => {
  const url = await serve(t, (req, res) => {
    if (req.url!.startsWith('/stats?format=json')) res.writeHead(200).end(statsBodyAt(0));
    else res.writeHead(404).end('invalid path\n');
  });
  const client = new AdminClient(parseAdminAddress(url), options());
  t.after(() => client.close());
  const s = await client.poll();
  assert.equal(s.clusters, undefined);
  assert.equal(s.listeners, undefined);
  assert.equal(s.server, undefined);
  assert.ok(s.stats.values.size > 100);
});

test('the deadline: an admin that never answers fails the poll within timeoutMs', async (t) => {
  const url = await serve(t, () => {});
  const client = new AdminClient(parseAdminAddress(url), options({ timeoutMs: 150 }));
  t.after(() => client.close());
  const started = performance.now();
  await assert.rejects(client.poll(), (e: unknown) => e instanceof AdminRequestError && e.message === `no answer from ${url}/stats within 150 ms`);
  assert.ok(performance.now() - started < 2000);
});

test('the size bound: a body over maxBytes is refused, the connection dropped', async (t) => {
  const url = await serve(t, (_req, res) => {
    res.writeHead(200);
    res.write(Buffer.alloc(64 * 1024, 0x20));
    res.end(Buffer.alloc(64 * 1024, 0x20));
  });
  const client = new AdminClient(parseAdminAddress(url), options({ maxBytes: 100_000 }));
  t.after(() => client.close());
  await assert.rejects(client.getJson('/stats?format=json'), { message: `${url}/stats: response larger than 100000 bytes` });
});

test('a body that is not JSON is a clear error', async (t) => {
  const url = await serve(t, (req, res) => {
    if (req.url!.startsWith('/stats')) res.writeHead(200).end('<html>admin</html>');
    else res.writeHead(200).end(fixtureText('envoy_clusters.json'));
  });
  const client = new AdminClient(parseAdminAddress(url), options());
  t.after(() => client.close());
  await assert.rejects(client.poll(), { message: `${url}/stats did not answer JSON` });
});

test('JSON that is not Envoy stats names the endpoint', async (t) => {
  const url = await serve(t, (_req, res) => res.writeHead(200).end('{"foo": 1}'));
  const client = new AdminClient(parseAdminAddress(url), options());
  t.after(() => client.close());
  await assert.rejects(client.poll(), { message: `${url}/stats?format=json did not answer {"stats": [...]} (is this an Envoy admin address?)` });
});

test('a path prefix in --admin is kept in every request', async (t) => {
  const seen: string[] = [];
  const url = await serve(t, (req, res) => {
    seen.push(req.url!);
    res.writeHead(200).end(req.url!.startsWith('/envoy-admin/stats') ? statsBodyAt(0) : '{}');
  });
  const client = new AdminClient(parseAdminAddress(`${url}/envoy-admin/`), options());
  t.after(() => client.close());
  await client.poll();
  assert.equal(client.display, `${url}/envoy-admin`);
  assert.deepEqual(seen.map((p) => p.split('?')[0]).sort(), ['/envoy-admin/clusters', '/envoy-admin/listeners', '/envoy-admin/server_info', '/envoy-admin/stats']);
});

test('--admin parsing', () => {
  assert.equal(parseAdminAddress('127.0.0.1:9901').href, 'http://127.0.0.1:9901/');
  assert.equal(parseAdminAddress('http://[::1]:9901').hostname, '[::1]');
  assert.equal(new AdminClient(parseAdminAddress('http://[::1]:9901')).display, 'http://[::1]:9901');
  assert.throws(() => parseAdminAddress('https://127.0.0.1:9901'), { message: '--admin: only http:// admin addresses are supported, got https://' });
  assert.throws(() => parseAdminAddress('http://127.0.0.1:9901/?x=1'), { message: '--admin: give the admin address without a query or fragment: http://127.0.0.1:9901/?x=1' });
  assert.throws(() => parseAdminAddress('http://'), { message: '--admin: not a URL: http://' });
});
