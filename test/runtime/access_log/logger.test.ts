import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AccessLogConfigError,
  compileAccessLog,
  createAccessLogger,
  createAccessLoggers,
} from '../../../src/runtime/access_log/index.js';
import { memoryStream, sampleInfo } from './helpers.js';
import { batchSink } from '../../../src/runtime/access_log/sink.js';

const FILE = 'type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog';
const STDOUT = 'type.googleapis.com/envoy.extensions.access_loggers.stream.v3.StdoutAccessLog';
const STDERR = 'type.googleapis.com/envoy.extensions.access_loggers.stream.v3.StderrAccessLog';

test('file access log: batched, written on close, appended', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsproxy-al-'));
  try {
    const path = join(dir, 'access.log');
    writeFileSync(path, 'existing\n');
    const logger = createAccessLogger({
      name: 'envoy.access_loggers.file',
      typed_config: { '@type': FILE, path, log_format: { text_format_source: { inline_string: '%RESPONSE_CODE% %REQ(:PATH)%\n' } } },
    });
    for (let i = 0; i < 3; i++) logger.log(sampleInfo({ responseCode: 200 + i }));
    // Nothing written synchronously: the batch waits for the timer or close().
    assert.equal(readFileSync(path, 'utf8'), 'existing\n');
    await logger.close();
    assert.equal(readFileSync(path, 'utf8'), 'existing\n200 /api/v1/locations\n201 /api/v1/locations\n202 /api/v1/locations\n');
    // Logging after close is a no-op, close is idempotent.
    logger.log(sampleInfo());
    await logger.close();
    assert.equal(readFileSync(path, 'utf8').split('\n').length, 5);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('file access log flushes on the timer and on the size threshold', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsproxy-al-'));
  try {
    const path = join(dir, 'a.log');
    const logger = createAccessLogger(
      { typed_config: { '@type': FILE, path, format: '%RESPONSE_CODE%\n' } },
      { flushIntervalMs: 20 },
    );
    logger.log(sampleInfo());
    for (let i = 0; i < 100 && readFileSync(path, 'utf8') === ''; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(readFileSync(path, 'utf8'), '204\n');
    await logger.close();

    const path2 = join(dir, 'b.log');
    const big = createAccessLogger(
      { typed_config: { '@type': FILE, path: path2, format: '%REQ(USER-AGENT)%\n' } },
      { flushIntervalMs: 60_000, maxBufferBytes: 10 },
    );
    big.log(sampleInfo()); // 9 bytes: stays buffered
    big.log(sampleInfo()); // 18 bytes: over the threshold, flushed without waiting for the timer
    for (let i = 0; i < 100 && readFileSync(path2, 'utf8') === ''; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(readFileSync(path2, 'utf8'), 'nsq2http\nnsq2http\n');
    await big.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('default format when no format is configured; json_format on a file', async () => {
  const out = memoryStream();
  const logger = createAccessLogger({ typed_config: { '@type': FILE, path: '/dev/stdout' } }, { stdout: out });
  logger.log(sampleInfo());
  await logger.close();
  assert.equal(out.chunks.join(''), '[2016-04-15T20:17:00.310Z] "POST /api/v1/locations HTTP/1.1" 204 - 154 0 226 100 "10.0.35.28" "nsq2http" "cc21d9b0-cf5c-432b-8c7e-98aeb7988cd2" "locations" "10.0.2.1:80"\n');

  const out2 = memoryStream();
  const j = createAccessLogger(
    { typed_config: { '@type': FILE, path: '/dev/stdout', log_format: { json_format: { code: '%RESPONSE_CODE%', cluster: '%UPSTREAM_CLUSTER%' } } } },
    { stdout: out2 },
  );
  j.log(sampleInfo());
  await j.close();
  assert.deepEqual(JSON.parse(out2.chunks.join('')), { code: 204, cluster: 'locations' });
});

test('stdout and stderr loggers, text_format (camelCase goes through loadConfig: camel_case_config.test.ts)', async () => {
  const out = memoryStream();
  const err = memoryStream();
  const a = createAccessLogger({ typed_config: { '@type': STDOUT, log_format: { text_format: 'out %RESPONSE_CODE%\n' } } }, { stdout: out, stderr: err });
  const b = createAccessLogger({ typed_config: { '@type': STDERR, log_format: { text_format: 'err %ROUTE_NAME%\n' } } }, { stdout: out, stderr: err });
  a.log(sampleInfo());
  b.log(sampleInfo());
  await Promise.all([a.close(), b.close()]);
  assert.deepEqual(out.chunks, ['out 204\n']);
  assert.deepEqual(err.chunks, ['err loc_route\n']);
});

test('several access logs on one HCM; an access log filter', async () => {
  const out = memoryStream();
  const both = createAccessLoggers(
    [
      { typed_config: { '@type': STDOUT, log_format: { text_format: 'all %RESPONSE_CODE%\n' } } },
      {
        filter: { status_code_filter: { comparison: { op: 'GE', value: { default_value: 500, runtime_key: 'x' } } } },
        typed_config: { '@type': STDOUT, log_format: { text_format: 'errors %RESPONSE_CODE%\n' } },
      },
      {
        filter: { response_flag_filter: { flags: ['NR'] } },
        typed_config: { '@type': STDOUT, log_format: { text_format: 'nr %RESPONSE_CODE%\n' } },
      },
      {
        filter: {
          and_filter: {
            filters: [
              { header_filter: { header: { name: 'user-agent', string_match: { prefix: 'nsq' } } } },
              { status_code_filter: { comparison: { op: 'LE', value: { default_value: 404 } } } },
            ],
          },
        },
        typed_config: { '@type': STDOUT, log_format: { text_format: 'ua %RESPONSE_CODE%\n' } },
      },
    ],
    { stdout: out },
  );
  both.log(sampleInfo({ responseCode: 200 }));
  both.log(sampleInfo({ responseCode: 503 }));
  both.log(sampleInfo({ responseCode: 404, responseFlags: ['NR'] }));
  await both.close();
  assert.deepEqual(out.chunks.join('').split('\n').filter(Boolean).sort(), ['all 200', 'all 404', 'all 503', 'errors 503', 'nr 404', 'ua 200', 'ua 404']);
});

test('config errors are reported, not thrown as stack traces', () => {
  const bad = compileAccessLog({ typed_config: { '@type': STDOUT, log_format: { text_format: '%BOGUS%' } } });
  assert.equal(bad.logger, undefined);
  assert.deepEqual(bad.errors, ['Not supported field in StreamInfo: BOGUS']);
  assert.throws(
    () => createAccessLogger({ typed_config: { '@type': FILE, path: '/nonexistent-dir/x/y.log' } }),
    (e: unknown) => e instanceof AccessLogConfigError && /cannot open/.test(e.message),
  );
  assert.match(compileAccessLog({ typed_config: { '@type': 'type.googleapis.com/envoy.extensions.access_loggers.grpc.v3.HttpGrpcAccessLogConfig' } }).errors[0]!, /not implemented/);
  assert.match(compileAccessLog({ typed_config: { '@type': FILE } }).errors[0]!, /path is required/);
  assert.match(compileAccessLog({ name: 'x' }).errors[0]!, /typed_config/);
  assert.match(compileAccessLog({ filter: { runtime_filter: {} }, typed_config: { '@type': STDOUT } }).errors[0]!, /not implemented/);
});

test('a failing stream never throws into the request path; the error is reported', async () => {
  const errors: Error[] = [];
  const broken = {
    write(_chunk: string, cb?: (err?: Error | null) => void): boolean {
      cb?.(new Error('EPIPE'));
      return false;
    },
  };
  const reports: string[] = [];
  const logger = createAccessLogger({ typed_config: { '@type': STDOUT } }, { stdout: broken, onError: (e) => errors.push(e), report: (m) => reports.push(m) });
  logger.log(sampleInfo());
  await logger.close();
  assert.deepEqual(errors.map((e) => e.message), ['EPIPE']);
  assert.match(reports[0]!, /^access log stdout: write failed \(EPIPE\); 1 line\(s\) dropped/);
});

test('a busy sink reuses two batch buffers instead of allocating one per flush', async () => {
  const arrayBuffers = new Set<ArrayBufferLike>();
  let lines = 0;
  const sink = batchSink(
    (data, done) => {
      arrayBuffers.add(data.buffer);
      lines += data.toString('latin1').split('\n').length - 1;
      setImmediate(done);
    },
    { maxBufferBytes: 1024, flushIntervalMs: 60_000 },
  );
  const line = 'x'.repeat(99) + '\n';
  for (let round = 0; round < 20; round++) {
    for (let i = 0; i < 12; i++) sink.write(line);
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
  }
  await sink.close();
  assert.equal(lines, 240);
  assert.ok(arrayBuffers.size <= 3, `${arrayBuffers.size} distinct batch buffers for ${lines} lines`);
});
