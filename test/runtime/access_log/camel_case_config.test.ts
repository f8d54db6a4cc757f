/**
 * The access loggers read the config layer's decoded messages only (snake_case, enums by name):
 * the AccessLog `filter` and the logger's typed_config. A config written in lowerCamelCase
 * (proto3 JSON mapping) must therefore reach them exactly as its snake_case twin does: same
 * decoded objects, same lines. Both go through the real `loadConfig`, as `serve` does.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../../src/config/load.js';
import type { HttpConnectionManager } from '../../../src/config/types.js';
import { createAccessLoggers } from '../../../src/runtime/access_log/index.js';
import type { StreamInfo } from '../../../src/runtime/stream_info.js';
import { bootstrap } from '../http/harness.js';
import { memoryStream, sampleInfo } from './helpers.js';

const FILE = 'type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog';
const STDOUT = 'type.googleapis.com/envoy.extensions.access_loggers.stream.v3.StdoutAccessLog';

/** The same Bootstrap in either spelling: `c` spells each multi-word field name. */
function config(c: (snake: string) => string, extraFilterField = ''): string {
  return bootstrap({
    hcmExtra: `${c('access_log')}:
- name: text
  filter:
    ${c('or_filter')}:
      filters:
      - ${c('and_filter')}:
          filters:
          - ${c('status_code_filter')}: {comparison: {op: GE, value: {${c('default_value')}: 400, ${c('runtime_key')}: al.min}}${extraFilterField}}
          - ${c('header_filter')}: {header: {name: user-agent, ${c('string_match')}: {prefix: nsq}}}
      - ${c('response_flag_filter')}: {flags: [NR]}
      - ${c('duration_filter')}: {comparison: {op: GE, value: {${c('default_value')}: 1000, ${c('runtime_key')}: al.dur}}}
  ${c('typed_config')}:
    "@type": ${FILE}
    path: /dev/stdout
    ${c('log_format')}:
      ${c('text_format_source')}: {${c('inline_string')}: "%RESPONSE_CODE% %RESPONSE_FLAGS% %REQ(X-MISSING)% %REQ(USER-AGENT)%\\n"}
      ${c('omit_empty_values')}: true
- name: legacy-json
  filter: {${c('not_health_check_filter')}: {}}
  ${c('typed_config')}:
    "@type": ${FILE}
    path: /dev/stderr
    ${c('json_format')}: {code: "%RESPONSE_CODE%", ua: "%REQ(USER-AGENT)%"}
- name: sorted-json
  ${c('typed_config')}:
    "@type": ${STDOUT}
    ${c('log_format')}:
      ${c('json_format')}: {b: "%RESPONSE_CODE%", a: "%UPSTREAM_CLUSTER%"}
      ${c('json_format_options')}: {${c('sort_properties')}: true}`,
    routes: '- {match: {prefix: /}, route: {cluster: c}}',
    clusters: `- {name: c, ${c('connect_timeout')}: 1s}`,
  });
}

const camel = (s: string): string => s.replace(/_([a-z])/g, (_m, ch: string) => ch.toUpperCase());

function load(spelling: 'snake' | 'camel') {
  const text = config(spelling === 'snake' ? (s) => s : camel);
  if (spelling === 'camel') assert.doesNotMatch(text, /\b(status_code_filter|header_filter|and_filter|log_format|text_format_source|json_format)\b/);
  const r = loadConfig(text, `${spelling}.yaml`);
  assert.deepEqual(r.diagnostics.filter((d) => d.severity === 'error'), [], spelling);
  const hcm = r.config!.listeners![0]!.filter_chains![0]!.filters![0]!.typed_config as unknown as HttpConnectionManager;
  return { hcm, warnings: r.diagnostics.filter((d) => d.severity === 'warning').map((d) => [d.rule, d.message]) };
}

/** Every stream below through the decoded config's loggers; what each stream wrote. */
async function behaviour(spelling: 'snake' | 'camel') {
  const { hcm } = load(spelling);
  const out = memoryStream();
  const err = memoryStream();
  const loggers = createAccessLoggers(hcm.access_log, { stdout: out, stderr: err });
  const ua = (v: string): Partial<StreamInfo> => ({ requestHeaders: { ...sampleInfo().requestHeaders, 'user-agent': v } });
  const streams: Array<Partial<StreamInfo>> = [
    { responseCode: 200 }, // text: no (2xx, no flags, 226 ms)
    { responseCode: 503 }, // text: 5xx and nsq user agent
    { responseCode: 503, ...ua('curl') }, // text: no (user agent)
    { responseCode: 200, responseFlags: ['NR'], ...ua('curl') }, // text: NR
    { responseCode: 200, lastDownstreamTxByteSent: 2500, ...ua('curl') }, // text: 1500 ms
    { responseCode: 200, healthCheck: true }, // legacy-json: no (health check)
  ];
  for (const s of streams) loggers.log(sampleInfo(s));
  await loggers.close();
  return { out: out.chunks.join(''), err: err.chunks.join('') };
}

test('camelCase access log config (format + filter) decodes to the same snake_case messages', () => {
  const snake = load('snake');
  const camelL = load('camel');
  assert.deepEqual(camelL.hcm.access_log, snake.hcm.access_log);
  assert.deepEqual(camelL.warnings, snake.warnings);
  // The filter is decoded (not kept raw and "ignored"): snake_case, RuntimeUInt32 as a message.
  assert.deepEqual(snake.hcm.access_log![0]!.filter, {
    or_filter: {
      filters: [
        {
          and_filter: {
            filters: [
              { status_code_filter: { comparison: { op: 'GE', value: { default_value: 400, runtime_key: 'al.min' } } } },
              { header_filter: { header: { name: 'user-agent', string_match: { prefix: 'nsq' } } } },
            ],
          },
        },
        { response_flag_filter: { flags: ['NR'] } },
        { duration_filter: { comparison: { op: 'GE', value: { default_value: 1000, runtime_key: 'al.dur' } } } },
      ],
    },
  });
  assert.equal(snake.warnings.some(([, m]) => /access log filter/i.test(m!)), false);
  assert.deepEqual(snake.hcm.access_log![0]!.typed_config, {
    '@type': FILE,
    path: '/dev/stdout',
    log_format: {
      text_format_source: { inline_string: '%RESPONSE_CODE% %RESPONSE_FLAGS% %REQ(X-MISSING)% %REQ(USER-AGENT)%\n' },
      omit_empty_values: true,
    },
  });
});

test('camelCase access log config loaded through loadConfig behaves like the snake_case one', async () => {
  const snake = await behaviour('snake');
  const camelB = await behaviour('camel');
  assert.deepEqual(camelB, snake);
  // The run exercised what it claims (snake_case expectations).
  const sorted = '{"a":"locations","b":200}\n';
  assert.equal(
    snake.out.split('\n').filter((l) => !l.startsWith('{')).join('\n'),
    // omit_empty_values: the missing X-MISSING header is empty, not `-`.
    ['503 -  nsq2http', '200 NR  curl', '200 -  curl', ''].join('\n'),
  );
  assert.equal(snake.out.split('\n').filter((l) => l.startsWith('{')).length, 6);
  assert.ok(snake.out.includes(sorted));
  assert.equal(snake.err.trim().split('\n').length, 5);
  assert.deepEqual(JSON.parse(snake.err.split('\n')[0]!), { code: 200, ua: 'nsq2http' });
});

test('an unknown field inside a camelCase access log filter is a schema error', () => {
  const r = loadConfig(config(camel, ', bogusField: 1'), 'camel.yaml');
  const errors = r.diagnostics.filter((d) => d.severity === 'error');
  assert.equal(errors.length, 1);
  assert.equal(errors[0]!.rule, 'schema/unknown-field');
  assert.match(errors[0]!.message, /unknown field "bogusField" in envoy\.config\.accesslog\.v3\.StatusCodeFilter/);
});
