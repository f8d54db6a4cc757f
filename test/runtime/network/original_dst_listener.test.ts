// The original destination hand-off in the real data plane on 127.0.0.1, with the addon replaced
// by a reader that answers planned destinations in connection order (the real SO_ORIGINAL_DST
// runs in test/e2e/original_dst_netns.test.ts): the listener that serves each connection, the
// local address filter chains, headers and access logs see, listener stats, the ORIGINAL_DST
// cluster, and the start-up diagnostics when the addon is missing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../../src/config/load.js';
import type { OriginalDstResult } from '../../../src/runtime/network/original_dst.js';
import { installOriginalDst } from '../../../src/runtime/network/original_dst_setup.js';
import { startProxy, send } from '../../e2e/proxy.js';
import { startEchoUpstreams, type EchoReply } from '../../e2e/echo_upstreams.js';
import { originalDstBootstrap, originalDstClusterYaml } from '../../e2e/original_dst_config.js';

test('use_original_dst hands each connection to the listener of its original destination', { timeout: 20_000 }, async () => {
  const echo = await startEchoUpstreams(['svc']);
  const echoPort = echo.ports.get('svc')!;
  const dir = mkdtempSync(join(tmpdir(), 'tsproxy-odst-'));
  const log = join(dir, 'access.log');
  const yaml = originalDstBootstrap({
    virtual: { address: '127.0.0.1', port: 0 },
    accessLogPath: log,
    targets: [
      { name: 'svc-a', address: '10.1.2.3', port: 80 },
      { name: 'any-80', address: '0.0.0.0', port: 80, match: '{prefix_ranges: [{address_prefix: 10.9.0.0, prefix_len: 16}]}' },
      { name: 'v6-any-80', address: '::', port: 80 },
      { name: 'passthrough', address: '0.0.0.0', port: echoPort, cluster: 'original_dst' },
    ],
    clusters: originalDstClusterYaml('original_dst'),
  });
  const planned: OriginalDstResult[] = [];
  const proxy = await startProxy(yaml, { originalDst: () => planned.shift() });
  const port = proxy.port;
  const store = proxy.server.store;
  const get = async (dst: OriginalDstResult): Promise<{ listener: string; local: string; body: string; status: number }> => {
    planned.push(dst);
    const r = await send(port, { method: 'GET', path: '/', authority: 'app' });
    assert.equal(planned.length, 0, 'the reader was asked once for the connection');
    return { listener: String(r.headers['x-listener']), local: String(r.headers['x-local']), body: r.body, status: r.status };
  };
  try {
    assert.deepEqual(
      proxy.server.listeners.map((l) => `${l.name} ${l.address}:${l.port} ${l.bound}`),
      [`virtual 127.0.0.1:${port} true`, 'svc-a 10.1.2.3:80 false', 'any-80 0.0.0.0:80 false', 'v6-any-80 :::80 false', `passthrough 0.0.0.0:${echoPort} false`],
    );
    const v4 = (address: string, p: number): OriginalDstResult => ({ address, port: p, family: 4 });
    // Exact ip:port; then 0.0.0.0:80, whose filter chain matches the restored address.
    assert.deepEqual(await get(v4('10.1.2.3', 80)), { listener: 'svc-a', local: '10.1.2.3:80', body: 'svc-a', status: 200 });
    assert.deepEqual(await get(v4('10.9.0.7', 80)), { listener: 'any-80', local: '10.9.0.7:80', body: 'any-80', status: 200 });
    assert.deepEqual(await get(v4('10.7.0.7', 80)), { listener: 'any-80-default', local: '10.7.0.7:80', body: 'any-80-default', status: 200 });
    // No listener for it: the accepting listener keeps it, with the restored local address.
    assert.deepEqual(await get(v4('10.1.2.3', 7000)), { listener: 'virtual', local: '10.1.2.3:7000', body: 'virtual', status: 200 });
    // Not redirected, or unreadable: the accepting listener with its own address.
    assert.deepEqual(await get(undefined), { listener: 'virtual', local: `127.0.0.1:${port}`, body: 'virtual', status: 200 });
    assert.deepEqual(await get({ error: 'EBADF', errno: 9 }), { listener: 'virtual', local: `127.0.0.1:${port}`, body: 'virtual', status: 200 });
    // IPv6: [::]:80.
    assert.deepEqual(await get({ address: 'fd00::5', port: 80, family: 6 }), { listener: 'v6-any-80', local: '[fd00::5]:80', body: 'v6-any-80', status: 200 });
    // The ORIGINAL_DST cluster connects to the original destination: the echo upstream.
    planned.push(v4('127.0.0.1', echoPort));
    const up = await send(port, { method: 'GET', path: '/through', authority: 'app' });
    assert.equal(up.status, 200);
    assert.equal((JSON.parse(up.body) as EchoReply).path, '/through');
    assert.equal(up.headers['x-listener'], 'passthrough');

    // Listener stats count a connection where it is served, not where it was accepted.
    assert.equal(store.counterValue(`listener.127.0.0.1_${port}.downstream_cx_total`), 3);
    assert.equal(store.counterValue('listener.10.1.2.3_80.downstream_cx_total'), 1);
    assert.equal(store.counterValue('listener.0.0.0.0_80.downstream_cx_total'), 2);
    assert.equal(store.counterValue('http.svc-a.downstream_rq_total'), 1);
    assert.equal(store.gaugeValue('cluster.original_dst.membership_total'), 1);
    const infos = proxy.completed;
    const a = infos[0]!;
    assert.equal(a.downstreamLocalAddressRestored, true);
    assert.equal(a.downstreamDirectLocalAddress, '127.0.0.1');
    assert.equal(a.downstreamDirectLocalPort, port);
    assert.equal(infos[4]!.downstreamLocalAddressRestored, undefined);
  } finally {
    await proxy.stop();
    await echo.close();
  }
  // %DOWNSTREAM_LOCAL_ADDRESS% is the original destination, %DOWNSTREAM_DIRECT_LOCAL_ADDRESS% the socket's.
  const lines = readFileSync(log, 'utf8').trim().split('\n');
  rmSync(dir, { recursive: true, force: true });
  assert.deepEqual(lines, [
    `AL svc-a 10.1.2.3:80 127.0.0.1:${port} -`,
    `AL any-80 10.9.0.7:80 127.0.0.1:${port} -`,
    `AL any-80-default 10.7.0.7:80 127.0.0.1:${port} -`,
    `AL virtual 10.1.2.3:7000 127.0.0.1:${port} -`,
    `AL virtual 127.0.0.1:${port} 127.0.0.1:${port} -`,
    `AL virtual 127.0.0.1:${port} 127.0.0.1:${port} -`,
    `AL v6-any-80 [fd00::5]:80 127.0.0.1:${port} -`,
    `AL passthrough 127.0.0.1:${echoPort} 127.0.0.1:${port} 127.0.0.1:${echoPort}`,
  ]);
});

test('the original_dst listener filter alone restores the local address but does not hand off', { timeout: 10_000 }, async () => {
  const yaml = originalDstBootstrap({
    virtual: { address: '127.0.0.1', port: 0 },
    targets: [{ name: 'svc-a', address: '10.1.2.3', port: 80 }],
    accessLogPath: '/dev/null',
  }).replace('    use_original_dst: true\n', '    listener_filters: [{name: envoy.filters.listener.original_dst}]\n');
  const proxy = await startProxy(yaml, { originalDst: () => ({ address: '10.1.2.3', port: 80, family: 4 }) });
  try {
    const r = await send(proxy.port, { method: 'GET', path: '/', authority: 'app' });
    assert.equal(r.headers['x-listener'], 'virtual');
    assert.equal(r.headers['x-local'], '10.1.2.3:80');
  } finally {
    await proxy.stop();
  }
});

test('a missing addon is an error naming the listener; another OS a warning; listeners without it need nothing', () => {
  const yaml = originalDstBootstrap({ virtual: { address: '127.0.0.1', port: 0 }, targets: [{ name: 'svc-a', address: '10.1.2.3', port: 80 }] });
  const loaded = loadConfig(yaml, 'sidecar.yaml');
  assert.ok(loaded.config);
  assert.deepEqual(loaded.diagnostics.filter((d) => d.severity !== 'info'), []);
  const config = loaded.config;
  const served = config.listeners.map((l) => ({ name: l.name ?? '', acceptFilter: undefined, newConnection: () => undefined }));
  const missing = installOriginalDst(config, served, { platform: 'linux', load: () => ({ error: 'cannot load native/original_dst (not built)' }) });
  assert.deepEqual(missing.map((d) => `${d.severity} ${d.rule} ${d.line}:${d.col} ${d.path}`), ['error serve/original-dst 5:23 $.static_resources.listeners[0].use_original_dst']);
  assert.equal(missing[0]!.message, 'listener "virtual": use_original_dst needs the original destination addon: cannot load native/original_dst (not built)');
  assert.equal(served[0]!.acceptFilter, undefined);
  const filterOnly = loadConfig(yaml.replace('    use_original_dst: true\n', '    listener_filters: [{name: envoy.filters.listener.original_dst}]\n'), 'f.yaml').config!;
  const byFilter = installOriginalDst(filterOnly, served, { platform: 'linux', load: () => ({ error: 'x' }) });
  assert.deepEqual(byFilter.map((d) => d.path), ['$.static_resources.listeners[0].listener_filters[0]']);
  assert.match(byFilter[0]!.message, /^listener "virtual": the original_dst listener filter needs the original destination addon: x$/);
  const mac = installOriginalDst(config, served, { platform: 'darwin', load: () => assert.fail('not loaded on another OS') });
  assert.deepEqual(mac.map((d) => d.severity), ['warning']);
  assert.match(mac[0]!.message, /SO_ORIGINAL_DST, which only Linux has/);
  const plain = loadConfig(yaml.replace('    use_original_dst: true\n', ''), 'plain.yaml').config!;
  assert.deepEqual(installOriginalDst(plain, served, { load: () => assert.fail('not loaded when no listener needs it') }), []);
});
