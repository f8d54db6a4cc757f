// Listener.filter_chain_matcher through the real CLI (an Istio-ambient-style waypoint with four
// chains) and through a real `serve` socket: both pick the chain with the same core function.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './run_cli.js';
import { startProxy } from '../runtime/http/harness.js';
import type { ExplainReport } from '../../src/analysis/explain/report_types.js';

const WAYPOINT = 'fixtures/explain/waypoint.yaml';
const REVIEWS = 'inbound-vip|9080|http|reviews.default.svc.cluster.local';
const RATINGS = 'inbound-vip|9080|http|ratings.default.svc.cluster.local';

function matchJson(args: string[]): ExplainReport {
  const r = runCli(['match', '-c', WAYPOINT, '--host', 'reviews:9080', '--path', '/api', '--json', ...args]);
  assert.ok(r.status === 0 || r.status === 1, `exit ${r.status}: ${r.stderr}`);
  return JSON.parse(r.stdout) as ExplainReport;
}

test('waypoint: --dest-ip/--dest-port choose the chain through the IP trie and the port map', () => {
  const cases: [string[], string, number, string][] = [
    [['--dest-ip', '10.96.0.10', '--dest-port', '9080'], REVIEWS, 0, 'reviews'],
    [['--dest-ip', '10.96.0.11', '--dest-port', '9080'], RATINGS, 1, 'ratings'],
    [['--dest-ip', '10.96.0.11', '--dest-port', '9081'], 'direct-http', 2, 'passthrough'],
    [['--dest-ip', '10.1.2.3'], 'direct-http', 2, 'passthrough'],
  ];
  for (const [args, chain, index, cluster] of cases) {
    const r = matchJson(args);
    assert.equal(r.listener?.name, 'main_internal', args.join(' '));
    assert.equal(r.listener?.filter_chain?.name, chain, args.join(' '));
    assert.equal(r.listener?.filter_chain?.index, index, args.join(' '));
    assert.equal(r.listener?.filter_chain?.reason, `filter_chain_matcher chose "${chain}"`);
    assert.equal(r.listener?.filter_chain_matcher?.chain, chain);
    assert.equal(r.action.cluster?.name, cluster, args.join(' '));
  }
  const viaList = matchJson(['--dest-ip', '10.96.0.11', '--dest-port', '9081']).listener!.filter_chain_matcher!;
  assert.deepEqual(viaList.steps.map((s) => s.text), [
    'destination_ip is "10.96.0.11": in range 10.96.0.11/32',
    'destination_port is "9081": not a key of exact_match_map (keys "9080")',
    'the nested matcher matched nothing: this entry does not match',
    'nothing matched at this level: on_no_match',
    "holds: application_protocol \"'http/1.1'\" matches exact \"'http/1.1'\"",
    'action "direct-http"',
  ]);
  assert.deepEqual(viaList.steps.at(-1)!.position, { file: WAYPOINT, line: 73, col: 19 });
  assert.match(viaList.steps[0]!.path, /^filter_chain_matcher\.matcher_tree\.custom_match\.typed_config\.range_matchers\[1\]$/);
});

test('waypoint: explain prints the matcher path; a chain without HTTP is said, not routed', () => {
  const r = runCli(['explain', '-c', WAYPOINT, '--host', 'reviews', '--path', '/', '--dest-ip', '10.96.0.10', '--dest-port', '9080']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /filter_chain_matcher \(filter_chain_match is ignored\):\n {5}destination_ip is "10\.96\.0\.10": in range 10\.96\.0\.10\/32 fixtures\/explain\/waypoint\.yaml:\d+:\d+\n {5}destination_port is "9080": key of exact_match_map/);
  assert.match(r.stdout, /filter chain "inbound-vip\|9080\|http\|reviews\.default\.svc\.cluster\.local" \(#0\): filter_chain_matcher chose/);
  assert.doesNotMatch(r.stdout, /only candidate/);
  const tcp = runCli(['explain', '-c', WAYPOINT, '--host', 'reviews', '--path', '/', '--dest-ip', '10.1.2.3', '--alpn', 'h2']);
  assert.equal(tcp.status, 1, tcp.stderr);
  assert.match(tcp.stdout, /does not hold: application_protocol "'h2'" does not match exact "'http\/1\.1'"/);
  assert.match(tcp.stdout, /filter chain "direct-tcp" \(#3\): filter_chain_matcher chose "direct-tcp"/);
  assert.match(tcp.stdout, /the filter chain has no HTTP connection manager: the connection is not HTTP-routed/);
});

test('--dest-port picks the listener on that port; bad --dest-ip / --dest-port are usage errors', () => {
  const r = runCli(['match', '-c', WAYPOINT, '--host', 'reviews', '--path', '/', '--dest-port', '15008']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /listener +main_internal 0\.0\.0\.0:15008 \(listens on port 15008, the port the client connects to \(from --dest-port\)\)/);
  assert.match(r.stdout, /destination_ip has no value for this connection/);
  assert.match(r.stdout, /note +the listener listens on a wildcard address: the destination IP is not known offline \(give --dest-ip\)/);
  const badIp = runCli(['match', '-c', WAYPOINT, '--host', 'x', '--path', '/', '--dest-ip', '10.0.0.1:80']);
  assert.equal(badIp.status, 2);
  assert.match(badIp.stderr, /--dest-ip must be an IP address without port, got "10\.0\.0\.1:80"/);
  const badPort = runCli(['match', '-c', WAYPOINT, '--host', 'x', '--path', '/', '--dest-port', '70000']);
  assert.equal(badPort.status, 2);
  assert.match(badPort.stderr, /--dest-port must be a port number/);
});

/** A listener on 0.0.0.0 whose matcher tells chains apart by source and destination address. */
function serveConfig(): string {
  const net = 'type.googleapis.com/envoy.extensions.matching.common_inputs.network.v3';
  const act = (c: string) => `{action: {name: ${c}, typed_config: {"@type": type.googleapis.com/google.protobuf.StringValue, value: ${c}}}}`;
  const chain = (c: string) => `
    - name: ${c}
      filters:
      - name: envoy.filters.network.http_connection_manager
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
          stat_prefix: ${c}
          http_filters: [{name: envoy.filters.http.router, typed_config: {"@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router}}]
          route_config:
            virtual_hosts:
            - name: all
              domains: ["*"]
              routes: [{match: {prefix: /}, direct_response: {status: 200, body: {inline_string: "chain ${c}"}}}]`;
  return `static_resources:
  listeners:
  - name: split
    address: {socket_address: {address: 0.0.0.0, port_value: 0}}
    filter_chain_matcher:
      matcher_list:
        matchers:
        - predicate:
            single_predicate:
              input: {name: src, typed_config: {"@type": ${net}.SourceIPInput}}
              custom_match: {name: ip, typed_config: {"@type": type.googleapis.com/envoy.extensions.matching.input_matchers.ip.v3.Ip, cidr_ranges: [{address_prefix: 127.0.0.3, prefix_len: 32}], stat_prefix: src}}
          on_match: ${act('from-3')}
      on_no_match:
        matcher:
          matcher_tree:
            input: {name: dst, typed_config: {"@type": ${net}.DestinationIPInput}}
            exact_match_map: {map: {"127.0.0.2": ${act('to-2')}}}
          on_no_match: ${act('other')}
    filter_chains:${chain('from-3')}${chain('to-2')}${chain('other')}
  clusters: []
`;
}

function get(port: number, host: string, localAddress?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect({ host, port, ...(localAddress ? { localAddress } : {}) });
    let data = '';
    s.on('data', (d) => (data += String(d)));
    s.on('error', reject);
    s.on('close', () => resolve(data));
    s.write('GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
  });
}

test('serve picks the chain match names (destination and source address), over real sockets', async () => {
  const yaml = serveConfig();
  const p = await startProxy(yaml);
  const dir = mkdtempSync(join(tmpdir(), 'tsproxy-fcm-'));
  const file = join(dir, 'envoy.yaml');
  writeFileSync(file, yaml);
  try {
    const cases: [string, string | undefined, string][] = [
      ['127.0.0.1', undefined, 'other'],
      ['127.0.0.2', undefined, 'to-2'],
      ['127.0.0.2', '127.0.0.3', 'from-3'],
    ];
    for (const [dst, src, want] of cases) {
      const online = await get(p.port, dst, src);
      assert.match(online, /^HTTP\/1\.1 200/, `${dst} from ${src}`);
      assert.ok(online.endsWith(`chain ${want}`), `serve ${dst} from ${src ?? '127.0.0.1'}: ${online}`);
      const cli = runCli(['match', '-c', file, '--host', 'x', '--path', '/', '--dest-ip', dst, '--remote-address', src ?? '127.0.0.1', '--json']);
      assert.equal(cli.status, 0, cli.stderr);
      const r = JSON.parse(cli.stdout) as ExplainReport;
      assert.equal(r.listener?.filter_chain?.name, want, `match ${dst} from ${src}`);
    }
  } finally {
    await p.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
