/**
 * URI templates online == offline: the same fixture routed by `serve` (the echo upstream reports
 * the path it received) and by `tsproxy match` (the path it predicts), request by request.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bootstrapYaml } from './bootstrap.js';
import { startEchoUpstreams, type EchoReply } from './echo_upstreams.js';
import { send, startProxy } from './proxy.js';
import { ROOT, runCli } from '../cli/run_cli.js';

const FIXTURE = 'fixtures/inputs/uri_template.yaml';

test('path_match_policy / path_rewrite_policy: serve forwards exactly what match predicts', async () => {
  const routeText = readFileSync(join(ROOT, FIXTURE), 'utf8');
  const ups = await startEchoUpstreams(['media', 'users', 'default']);
  const proxy = await startProxy(bootstrapYaml({ routeText, clusterPorts: ups.ports }));
  try {
    const paths = [
      '/videos/lib/123/hls/720p/seg/00001.ts',
      '/videos/lib/123/hls/720p/seg/00001.ts?token=a',
      '/videos/lib/123/hls/720p.ts',
      '/users/ada/posts/42',
      '/users/ada/posts/42/',
      '/users/ada/posts',
    ];
    for (const path of paths) {
      const r = await send(proxy.port, { method: 'GET', path, authority: 'media.example.com' });
      const echo = JSON.parse(r.body) as EchoReply;
      const m = runCli(['match', '-c', FIXTURE, '--host', 'media.example.com', '--path', path, '--json']);
      const report = JSON.parse(m.stdout) as { action: { cluster: { name: string } | null; path: string | null } };
      assert.equal(echo.cluster, report.action.cluster!.name, path);
      assert.equal(echo.path, report.action.path, path);
    }
    const first = await send(proxy.port, { method: 'GET', path: '/users/ada/posts/42?x=1', authority: 'h' });
    assert.equal((JSON.parse(first.body) as EchoReply).path, '/api/v2/posts/42/by/ada?x=1');
  } finally {
    await proxy.stop();
    await ups.close();
  }
});
