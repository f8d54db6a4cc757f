// Every command refuses a config over 64 MiB before reading it (one shared reader).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readConfigFile } from '../../../src/cli/output/config_loader.js';

const root = new URL('../../../../', import.meta.url).pathname;

function hugeSparseFile(): string {
  const file = join(mkdtempSync(join(tmpdir(), 'tsproxy-huge-')), 'huge.yaml');
  writeFileSync(file, '');
  truncateSync(file, 65 * 1024 * 1024); // sparse: no 65 MiB written to disk
  return file;
}

test('readConfigFile refuses over 64 MiB, reports a missing file, reads a normal one', () => {
  const huge = hugeSparseFile();
  const r = readConfigFile(huge);
  assert.ok('error' in r);
  assert.match(r.error, /over the 64 MiB/);
  const missing = readConfigFile(join(root, 'no-such-file.yaml'));
  assert.deepEqual('error' in missing && missing.reason, 'no such file');
  const ok = readConfigFile(join(root, 'fixtures/demo/envoy.yaml'));
  assert.ok('text' in ok && ok.text.includes('static_resources'));
});

test('match, serve and test exit 2 on a config over 64 MiB, naming the limit', () => {
  const huge = hugeSparseFile();
  const runs: [string, string[]][] = [
    ['match', ['match', '-c', huge, '--host', 'a', '--path', '/']],
    ['serve', ['serve', '-c', huge]],
    ['test', ['test', '-c', huge, '-t', join(root, 'fixtures/router_check/tests.yaml')]],
  ];
  for (const [name, args] of runs) {
    const r = spawnSync(process.execPath, [join(root, 'bin/tsproxy.js'), ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, timeout: 20000 });
    assert.equal(r.status, 2, `${name}: ${r.stderr}`);
    assert.match(r.stderr, /over the 64 MiB/, name);
  }
});
