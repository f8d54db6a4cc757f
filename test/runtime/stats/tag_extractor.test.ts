// Tag extraction with Envoy's default tag regexes and token patterns (well_known_names.cc): the
// cases of Envoy's DefaultTagExtractors test (test/common/stats/tag_extractor_impl_test.cc), with
// the tag-extracted name and the tags Envoy expects; custom stats_tags (regex, fixed_value,
// default-by-name) and use_all_default_tags: false.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TagProducer } from '../../../src/runtime/stats/tag_extractor.js';

const producer = new TagProducer();

function check(name: string, extracted: string, tags: Record<string, string>): void {
  const r = producer.produceTags(name);
  assert.equal(r.tagExtractedName, extracted, name);
  assert.deepEqual(Object.fromEntries(r.tags.map((t) => [t.name, t.value])), tags, name);
  assert.equal(r.tags.length, Object.keys(tags).length, `${name}: no duplicate tags`);
}

test("Envoy's default tag extractors", () => {
  check('cluster.ratelimit.upstream_rq_timeout', 'cluster.upstream_rq_timeout', { 'envoy.cluster_name': 'ratelimit' });
  check('cluster.ratelimit.ssl.ciphers.ECDHE-RSA-AES128-GCM-SHA256', 'cluster.ssl.ciphers', {
    'envoy.cluster_name': 'ratelimit',
    cipher_suite: 'ECDHE-RSA-AES128-GCM-SHA256',
  });
  check('listener.[__1]_0.ssl.ciphers.AES256-SHA', 'listener.ssl.ciphers', { 'envoy.listener_address': '[__1]_0', 'envoy.ssl_cipher': 'AES256-SHA' });
  check('listener.127.0.0.1_0.ssl.ciphers.AES256-SHA', 'listener.ssl.ciphers', { 'envoy.listener_address': '127.0.0.1_0', 'envoy.ssl_cipher': 'AES256-SHA' });
  check('listener.my_prefix.ssl.ciphers.AES256-SHA', 'listener.ssl.ciphers', { 'envoy.listener_address': 'my_prefix', 'envoy.ssl_cipher': 'AES256-SHA' });
  check('listener.admin.ssl.ciphers.AES256-SHA', 'listener.admin.ssl.ciphers', { 'envoy.ssl_cipher': 'AES256-SHA' });
  check('mongo.mongo_filter.op_reply', 'mongo.op_reply', { 'envoy.mongo_prefix': 'mongo_filter' });
  check('mongo.mongo_filter.cmd.foo_cmd.reply_size', 'mongo.cmd.reply_size', { 'envoy.mongo_prefix': 'mongo_filter', 'envoy.mongo_cmd': 'foo_cmd' });
  check('mongo.mongo_filter.collection.bar_collection.callsite.baz_callsite.query.scatter_get', 'mongo.collection.callsite.query.scatter_get', {
    'envoy.mongo_prefix': 'mongo_filter',
    'envoy.mongo_collection': 'bar_collection',
    'envoy.mongo_callsite': 'baz_callsite',
  });
  check('ratelimit.foo_ratelimiter.over_limit', 'ratelimit.over_limit', { 'envoy.ratelimit_prefix': 'foo_ratelimiter' });
  check('foo_ratelimiter.http_local_rate_limit.ok', 'http_local_rate_limit.ok', { 'envoy.local_http_ratelimit_prefix': 'foo_ratelimiter' });
  check('http.egress_dynamodb_iad.downstream_cx_total', 'http.downstream_cx_total', { 'envoy.http_conn_manager_prefix': 'egress_dynamodb_iad' });
  check('http.egress_dynamodb_iad.dynamodb.operation.Query.upstream_rq_time', 'http.dynamodb.operation.upstream_rq_time', {
    'envoy.http_conn_manager_prefix': 'egress_dynamodb_iad',
    'envoy.dynamo_operation': 'Query',
  });
  check('http.egress_dynamodb_iad.dynamodb.table.bar_table.capacity.Query.__partition_id=ABC1234', 'http.dynamodb.table.capacity', {
    'envoy.http_conn_manager_prefix': 'egress_dynamodb_iad',
    'envoy.dynamo_table': 'bar_table',
    'envoy.dynamo_operation': 'Query',
    'envoy.dynamo_partition_id': 'ABC1234',
  });
  check('cluster.grpc_cluster.grpc.grpc_service_1.grpc_method_1.success', 'cluster.grpc.success', {
    'envoy.cluster_name': 'grpc_cluster',
    'envoy.grpc_bridge_service': 'grpc_service_1',
    'envoy.grpc_bridge_method': 'grpc_method_1',
  });
  check('vhost.vhost_1.vcluster.vcluster_1.upstream_rq_2xx', 'vhost.vcluster.upstream_rq_xx', {
    'envoy.virtual_host': 'vhost_1',
    'envoy.virtual_cluster': 'vcluster_1',
    'envoy.response_code_class': '2',
  });
  check('vhost.vhost_1.vcluster.vcluster_1.upstream_rq_200', 'vhost.vcluster.upstream_rq', {
    'envoy.virtual_host': 'vhost_1',
    'envoy.virtual_cluster': 'vcluster_1',
    'envoy.response_code': '200',
  });
  check('listener.127.0.0.1_3012.http.http_prefix.downstream_rq_5xx', 'listener.http.downstream_rq_xx', {
    'envoy.http_conn_manager_prefix': 'http_prefix',
    'envoy.listener_address': '127.0.0.1_3012',
    'envoy.response_code_class': '5',
  });
  check('http.egress_dynamodb_iad.user_agent.ios.downstream_cx_total', 'http.user_agent.downstream_cx_total', {
    'envoy.http_user_agent': 'ios',
    'envoy.http_conn_manager_prefix': 'egress_dynamodb_iad',
  });
  check('auth.clientssl.clientssl_prefix.auth_ip_allowlist', 'auth.clientssl.auth_ip_allowlist', { 'envoy.clientssl_prefix': 'clientssl_prefix' });
  check('tcp.tcp_prefix.downstream_flow_control_resumed_reading_total', 'tcp.downstream_flow_control_resumed_reading_total', { 'envoy.tcp_prefix': 'tcp_prefix' });
  check('http.fault_connection_manager.fault.fault_cluster.aborts_injected', 'http.fault.aborts_injected', {
    'envoy.http_conn_manager_prefix': 'fault_connection_manager',
    'envoy.fault_downstream_cluster': 'fault_cluster',
  });
  // Only `123.` is removed: Envoy's series is envoy_listener_manager_worker_dispatcher_... {envoy_worker_id}.
  check('listener_manager.worker_123.dispatcher.loop_duration_us', 'listener_manager.worker_dispatcher.loop_duration_us', { 'envoy.worker_id': '123' });
  check('server.worker_0.watchdog_mega_miss', 'server.worker_watchdog_mega_miss', { 'envoy.worker_id': '0' });
  check('server.uptime', 'server.uptime', {});
});

test('tag order: the extractors without a first-token prefix run first (response code before cluster)', () => {
  const r = producer.produceTags('cluster.web.upstream_rq_503');
  assert.deepEqual(r.tags.map((t) => t.name), ['envoy.response_code', 'envoy.cluster_name']);
});

test('custom stats_tags: std::regex (look-ahead allowed), fixed_value, a default tag by name', () => {
  const p = new TagProducer(
    [
      { tag_name: 'my.user_agent', regex: String.raw`^http(?=\.).*?\.ua\.((.+?)\.)\w+?$` },
      { tag_name: 'region', fixed_value: 'eu-1' },
    ],
    false,
  );
  const r = p.produceTags('http.ingress.ua.curl.downstream_rq_total');
  assert.equal(r.tagExtractedName, 'http.ingress.ua.downstream_rq_total');
  // The fixed tag has no first-token prefix, so it runs before the `^http` regex (TagProducerImpl).
  assert.deepEqual(r.tags, [
    { name: 'region', value: 'eu-1' },
    { name: 'my.user_agent', value: 'curl' },
  ]);
  const byName = new TagProducer([{ tag_name: 'envoy.cluster_name' }], false);
  assert.equal(byName.produceTags('cluster.web.upstream_rq_200').tagExtractedName, 'cluster.upstream_rq_200');
  assert.throws(() => new TagProducer([{ tag_name: 'not.a.default' }], false), /No regex specified for tag specifier and no default regex for name: 'not.a.default'/);
});
