/**
 * What serve accepts and refuses in a tracing config (tracer_manager.ts): the two providers it
 * runs, the reasons it refuses the rest, and the loader decoding the tracing messages (unknown
 * fields are errors, no schema/unsupported warning for what now runs).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../../src/config/load.js';
import { startServer } from '../../../src/runtime/server.js';
import { tracingBootstrap } from './tracing_bootstrap.js';

function load(yaml: string) {
  const loaded = loadConfig(yaml, 'tracing.yaml');
  return loaded;
}

async function start(yaml: string) {
  const loaded = load(yaml);
  assert.ok(loaded.config, JSON.stringify(loaded.diagnostics));
  const r = await startServer(loaded.config);
  if (r.server) await r.server.stop(0);
  return { started: r.server !== undefined, diagnostics: r.diagnostics.filter((d) => d.rule === 'serve/tracing').map((d) => `${d.severity} ${d.message}`) };
}

const base = { upstreamPort: 1, collectorPort: 2 };

test('OpenTelemetry over http_service and Zipkin HTTP_JSON load without warnings and start', async () => {
  for (const provider of ['otel', 'zipkin'] as const) {
    const loaded = load(tracingBootstrap({ ...base, provider, tracing: ['random_sampling: {value: 5}', 'custom_tags: [{tag: a, environment: {name: HOME}}]'] }));
    assert.deepEqual(loaded.diagnostics.filter((d) => d.severity !== 'info').map((d) => d.message), []);
    const r = await start(tracingBootstrap({ ...base, provider }));
    assert.equal(r.started, true);
    assert.deepEqual(r.diagnostics, []);
  }
});

test('an unknown field in the tracing block is a config error', () => {
  const loaded = load(tracingBootstrap({ ...base, provider: 'otel', tracing: ['random_sampeling: {value: 5}'] }));
  assert.ok(loaded.diagnostics.some((d) => d.severity === 'error' && /random_sampeling/.test(d.message)), JSON.stringify(loaded.diagnostics));
});

test('serve refuses what it cannot run, with the reason', async () => {
  const grpc = await start(tracingBootstrap({ ...base, provider: 'otel', providerExtra: ['grpc_service: {envoy_grpc: {cluster_name: collector}}'] }));
  assert.equal(grpc.started, false);
  assert.match(grpc.diagnostics.join('\n'), /^error .*grpc_service export is not implemented/m);
  const sampler = await start(tracingBootstrap({ ...base, provider: 'otel', providerExtra: ['sampler: {name: s, typed_config: {"@type": type.googleapis.com/envoy.extensions.tracers.opentelemetry.samplers.v3.AlwaysOnSamplerConfig}}'] }));
  assert.equal(sampler.started, false);
  assert.match(sampler.diagnostics.join('\n'), /samplers .* are not implemented/);
  const proto = await start(tracingBootstrap({ ...base, provider: 'zipkin', providerExtra: ['collector_endpoint_version: HTTP_PROTO'] }).replace(/ *collector_endpoint_version: HTTP_JSON\n/, ''));
  assert.equal(proto.started, false);
  assert.match(proto.diagnostics.join('\n'), /HTTP_PROTO is not implemented/);
  const other = await start(tracingBootstrap({ ...base, provider: 'none', tracing: ['provider: {name: envoy.tracers.datadog, typed_config: {"@type": type.googleapis.com/envoy.config.trace.v3.DatadogConfig, collector_cluster: collector, service_name: s}}'] }));
  assert.equal(other.started, false);
  assert.match(other.diagnostics.join('\n'), /tracing provider "envoy.tracers.datadog" .* cannot run in tsproxy/);
  const noCluster = await start(tracingBootstrap({ ...base, provider: 'zipkin' }).replace('collector_cluster: collector', 'collector_cluster: nowhere'));
  assert.equal(noCluster.started, false);
  assert.match(noCluster.diagnostics.join('\n'), /collector cluster "nowhere" is not defined/);
});

test('warnings for what serve runs differently; a tracing block without provider still starts', async () => {
  const r = await start(tracingBootstrap({ ...base, provider: 'otel', tracing: ['spawn_upstream_span: true', 'verbose: true'] }));
  assert.equal(r.started, true);
  assert.deepEqual(r.diagnostics.map((d) => d.split(':')[0]), ['warning HTTP connection manager "ing"', 'warning HTTP connection manager "ing"']);
  const none = await start(tracingBootstrap({ ...base, provider: 'none' }));
  assert.equal(none.started, true);
});
