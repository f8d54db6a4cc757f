/**
 * Online == offline for the original destination hand-off: for a table of original destinations,
 * the listener and filter chain `serve` serves the connection with (the data plane with a reader
 * answering that destination) equal what `match --original-dst` reports (analyze(), the code
 * behind it). Both go through core/original_dst_handoff.ts; this pins that they agree.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../src/config/load.js';
import { analyze } from '../../src/analysis/explain/analyze.js';
import { classifyHttpFilter } from '../../src/cli/output/filter_support.js';
import { parseIpPort } from '../../src/core/ip_port.js';
import type { OriginalDstResult } from '../../src/runtime/network/original_dst.js';
import { originalDstBootstrap } from './original_dst_config.js';
import { send, startProxy } from './proxy.js';

const DESTINATIONS = [
  '10.1.2.3:80',
  '10.1.2.4:80',
  '10.9.0.1:80',
  '10.1.2.3:81',
  '10.1.2.3:8080',
  '172.16.0.1:8080',
  '172.16.0.1:9',
  '[fd00::1]:80',
  '[fd00::1]:443',
  '[fd00::2]:443',
];

test('the listener serve hands a connection to is the one match --original-dst names', { timeout: 30_000 }, async () => {
  const yaml = originalDstBootstrap({
    virtual: { address: '127.0.0.1', port: 0 },
    accessLogPath: '/dev/null',
    targets: [
      { name: 'exact-80', address: '10.1.2.3', port: 80 },
      { name: 'any-80', address: '0.0.0.0', port: 80, match: '{prefix_ranges: [{address_prefix: 10.9.0.0, prefix_len: 16}]}' },
      { name: 'exact-8080', address: '10.1.2.3', port: 8080 },
      { name: 'any-8080', address: '0.0.0.0', port: 8080 },
      { name: 'v6-any-80', address: '::', port: 80 },
      { name: 'v6-exact-443', address: 'fd00::1', port: 443 },
    ],
  });
  const config = loadConfig(yaml, 'sidecar.yaml').config!;
  const planned: OriginalDstResult[] = [];
  const proxy = await startProxy(yaml, { originalDst: () => planned.shift() });
  try {
    for (const dst of DESTINATIONS) {
      const parsed = parseIpPort(dst)!;
      const offline = analyze(config, { host: 'app', path: '/', method: 'GET', scheme: 'http', headers: [], randomValue: 0 }, {
        classify: classifyHttpFilter,
        originalDst: parsed,
      });
      assert.ok(offline.ok, dst);
      const l = offline.report.listener!;
      const offlineName = l.filter_chain?.is_default ? `${l.name}-default` : l.name;
      const ip = dst.startsWith('[') ? dst.slice(1, dst.indexOf(']')) : dst.slice(0, dst.lastIndexOf(':'));
      planned.push({ address: ip, port: parsed.port, family: parsed.ip.v6 ? 6 : 4 });
      const online = await send(proxy.port, { method: 'GET', path: '/', authority: 'app' });
      assert.equal(online.headers['x-listener'], offlineName, dst);
    }
  } finally {
    await proxy.stop();
  }
});
