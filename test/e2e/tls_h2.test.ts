// HTTP/2 over TLS (issue 10 §2 meets issue 11 at ALPN): with codec_type AUTO, ALPN `h2` hands
// the connection to the HTTP/2 connection manager and `http/1.1` to HTTP/1; the stream sees the
// TLS facts (scheme https, SNI). Real clients: curl --http2 / --http1.1 and h2load over TLS.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { makeTestPki, type TestPki } from './tls_certs.js';
import { startEchoUpstreams, type EchoUpstreams, type EchoReply } from './echo_upstreams.js';
import { startProxy, type Proxy } from './proxy.js';
import { runCommand } from '../run_command.js';

let pki: TestPki;
let echo: EchoUpstreams;
let proxy: Proxy;

function config(p: TestPki, echoPort: number): string {
  return `static_resources:
  listeners:
  - name: edge
    address: {socket_address: {address: 127.0.0.1, port_value: 0}}
    listener_filters:
    - name: envoy.filters.listener.tls_inspector
      typed_config: {"@type": type.googleapis.com/envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector}
    filter_chains:
    - transport_socket:
        name: envoy.transport_sockets.tls
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext
          common_tls_context:
            alpn_protocols: [h2, http/1.1]
            tls_certificates:
            - certificate_chain: {filename: ${p.path('server-rsa.crt')}}
              private_key: {filename: ${p.path('server-rsa.key')}}
      filters:
      - name: envoy.filters.network.http_connection_manager
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
          stat_prefix: tls
          http_filters:
          - name: envoy.filters.http.router
            typed_config: {"@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router}
          route_config:
            virtual_hosts:
            - name: all
              domains: ["*"]
              routes:
              - match: {prefix: "/"}
                route: {cluster: echo}
  clusters:
  - name: echo
    type: STATIC
    connect_timeout: 1s
    load_assignment:
      cluster_name: echo
      endpoints: [{lb_endpoints: [{endpoint: {address: {socket_address: {address: 127.0.0.1, port_value: ${echoPort}}}}}]}]
`;
}

const run = (cmd: string, args: string[]) => runCommand(cmd, args, { timeoutMs: 30_000 });

before(async () => {
  pki = makeTestPki();
  echo = await startEchoUpstreams(['echo']);
  proxy = await startProxy(config(pki, echo.ports.get('echo')!));
});

after(async () => {
  await proxy?.stop();
  await echo?.close();
  pki?.cleanup();
});

function curl(extra: string[], path: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return run('curl', ['-sS', '--max-time', '5', '--resolve', `example.com:${proxy.port}:127.0.0.1`, '--cacert', pki.path('ca.crt'), ...extra, `https://example.com:${proxy.port}${path}`, '-w', '\n%{http_version}']);
}

test('ALPN h2 -> HTTP/2 connection manager, http/1.1 -> HTTP/1 (codec AUTO over TLS); streams see https and the SNI', async () => {
  const h2 = await curl(['--http2'], '/two');
  assert.equal(h2.code, 0, h2.stderr);
  const [body2, v2] = h2.stdout.split('\n');
  assert.equal(v2, '2');
  assert.equal((JSON.parse(body2!) as EchoReply).headers['x-forwarded-proto'], 'https');
  const h1 = await curl(['--http1.1'], '/one');
  assert.equal(h1.code, 0, h1.stderr);
  assert.equal(h1.stdout.split('\n')[1], '1.1');
  const byPath = new Map(proxy.completed.map((i) => [i.path, i]));
  assert.equal(byPath.get('/two')!.protocol, 'HTTP/2');
  assert.equal(byPath.get('/one')!.protocol, 'HTTP/1.1');
  assert.equal(byPath.get('/two')!.requestedServerName, 'example.com');
  assert.equal(proxy.server.store.counter('http.tls.downstream_cx_http2_total').value, 1);
  assert.equal(proxy.server.store.counter('http.tls.downstream_cx_http1_total').value, 1);
});

test('downstream_cx_ssl_total / downstream_cx_ssl_active count the TLS connections of both codecs (Envoy conn_manager stats)', async () => {
  const store = proxy.server.store;
  const total = (): number => store.counter('http.tls.downstream_cx_ssl_total').value;
  const active = (): number => store.gaugeValue('http.tls.downstream_cx_ssl_active');
  const before = total();
  const activeAtStart = active();
  // Every connection of this TLS-only listener is a TLS one: the gauges move together.
  assert.equal(activeAtStart, store.gaugeValue('http.tls.downstream_cx_active'));
  assert.equal((await curl(['--http2'], '/ssl2')).code, 0);
  assert.equal(total(), before + 1);
  assert.equal((await curl(['--http1.1'], '/ssl1')).code, 0);
  assert.equal(total(), before + 2);
  // curl closed both connections (h2 and HTTP/1.1): the gauge comes back once the proxy sees them go.
  for (let i = 0; i < 100 && active() !== activeAtStart; i++) await new Promise((r) => setTimeout(r, 10));
  assert.equal(active(), activeAtStart);
  assert.equal(active(), store.gaugeValue('http.tls.downstream_cx_active'));
});

test('h2load over TLS (ALPN h2): 200 requests on 2 connections x 10 streams, all 2xx', async () => {
  const r = await run('h2load', ['-n', '200', '-c', '2', '-m', '10', `https://127.0.0.1:${proxy.port}/load`]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /status codes: 200 2xx/);
  assert.match(r.stdout, /Application protocol: h2/);
});
