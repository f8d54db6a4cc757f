#!/usr/bin/env bash
# HTTPS through tsproxy beside nginx with the same certificate, in one run: keep-alive and one new
# TLS connection per request (`Connection: close`: every request pays a full handshake), rps and
# the proxy's CPU microseconds per request (its process tree's utime+stime / requests).
#
#   bench/tls.sh [ROUNDS]        (needs nginx and wrk; loopback only; ports BASE..BASE+3)
#
# Topology as ../shared/bench: wrk and the nginx origin on core 0, the proxy under test on core 1
# (1 nginx worker; tsproxy is one Node process). The certificate is ECDSA P-256, generated here.
# Only processes this script started are signalled (by their process group, from setsid).
set -uo pipefail
ROUNDS=${1:-2}; BASE=${BASE:-9700}; DURATION=${DURATION:-10}; CONNS=${CONNS:-50}
HERE=$(cd "$(dirname "$0")/.." && pwd)
NODE=${NODE:-$HERE/node_modules/.bin/node}
DIR=$(mktemp -d /tmp/tsproxy-tls-bench.XXXXXX)
ORIGIN=$BASE; NGX=$((BASE + 1)); TSP=$((BASE + 2))
PGIDS=()
cleanup() { for g in "${PGIDS[@]+"${PGIDS[@]}"}"; do kill -TERM -- "-$g" 2>/dev/null; done; sleep 0.5; rm -rf "$DIR"; }
trap cleanup EXIT
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$DIR/key.pem" -out "$DIR/cert.pem" \
  -days 2 -subj /CN=localhost -addext subjectAltName=DNS:localhost 2>/dev/null
mkdir -p "$DIR/ngx/tmp"
common="user root; pid PID; error_log stderr warn; events { worker_connections 8192; }"
cat > "$DIR/origin.conf" <<CONF
${common/PID/$DIR/origin.pid} worker_processes 1;
http { access_log off; keepalive_requests 100000000; client_body_temp_path $DIR/ngx/tmp;
  server { listen 127.0.0.1:$ORIGIN; location / { default_type text/plain; return 200 "hello"; } } }
CONF
cat > "$DIR/proxy.conf" <<CONF
${common/PID/$DIR/proxy.pid} worker_processes 1;
http { access_log off; keepalive_timeout 300s; keepalive_requests 100000000; client_body_temp_path $DIR/ngx/tmp; proxy_temp_path $DIR/ngx/tmp;
  upstream up { server 127.0.0.1:$ORIGIN; keepalive 256; }
  server { listen 127.0.0.1:$NGX ssl; ssl_certificate $DIR/cert.pem; ssl_certificate_key $DIR/key.pem;
    ssl_protocols TLSv1.2 TLSv1.3; ssl_session_cache off; ssl_session_tickets off;
    location / { proxy_pass http://up; proxy_http_version 1.1; proxy_set_header Connection ""; } } }
CONF
cat > "$DIR/envoy.yaml" <<CONF
static_resources:
  listeners:
  - name: https
    address: {socket_address: {address: 127.0.0.1, port_value: $TSP}}
    filter_chains:
    - transport_socket:
        name: envoy.transport_sockets.tls
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext
          common_tls_context:
            tls_certificates: [{certificate_chain: {filename: $DIR/cert.pem}, private_key: {filename: $DIR/key.pem}}]
      filters:
      - name: envoy.filters.network.http_connection_manager
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
          stat_prefix: https
          route_config: {virtual_hosts: [{name: all, domains: ["*"], routes: [{match: {prefix: "/"}, route: {cluster: origin}}]}]}
          http_filters: [{name: envoy.filters.http.router, typed_config: {"@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router}}]
  clusters:
  - name: origin
    load_assignment: {cluster_name: origin, endpoints: [{lb_endpoints: [{endpoint: {address: {socket_address: {address: 127.0.0.1, port_value: $ORIGIN}}}}]}]}
CONF
start() { # cpus cmd... -> records the process group
  setsid taskset -c "$1" "${@:2}" >>"$DIR/log" 2>&1 </dev/null & PGIDS+=($!)
}
start 0 nginx -p "$DIR/ngx" -c "$DIR/origin.conf" -e stderr -g 'daemon off;'
start 1 nginx -p "$DIR/ngx" -c "$DIR/proxy.conf" -e stderr -g 'daemon off;'
start 1 "$NODE" "$HERE/bin/tsproxy.js" serve -c "$DIR/envoy.yaml" --log-level warn
for i in $(seq 100); do
  [ "$(curl -sk -m 1 https://127.0.0.1:$NGX/)" = hello ] && [ "$(curl -sk -m 1 https://127.0.0.1:$TSP/)" = hello ] && break; sleep 0.1
done
CLK=$(getconf CLK_TCK)
ticks() { local pg=$1 t=0 p s; for p in $(pgrep -g "$pg"); do s=$(cut -d')' -f2- "/proc/$p/stat" 2>/dev/null) || continue; set -- $s; t=$((t + ${12} + ${13})); done; echo $t; }
measure() { # name port pgid mode
  local hdr=(); [ "$4" = newconn ] && hdr=(-H 'Connection: close')
  taskset -c 0 wrk -t1 -c"$CONNS" -d2s "${hdr[@]}" "https://127.0.0.1:$2/" >/dev/null 2>&1
  local t0 out t1 req rps; t0=$(ticks "$3")
  out=$(taskset -c 0 wrk -t1 -c"$CONNS" -d"${DURATION}s" "${hdr[@]}" "https://127.0.0.1:$2/"); t1=$(ticks "$3")
  req=$(echo "$out" | awk '/requests in/{print $1}'); rps=$(echo "$out" | awk '/Requests\/sec/{print $2}')
  printf '%-8s %-9s rps=%-9s proxy_us_cpu_per_req=%s\n' "$1" "$4" "$rps" "$(awk -v d=$((t1 - t0)) -v c="$CLK" -v r="$req" 'BEGIN{printf "%.1f", d/c*1e6/r}')"
}
echo "loadavg before: $(cut -d' ' -f1-3 /proc/loadavg)"
for r in $(seq "$ROUNDS"); do
  for mode in keepalive newconn; do
    measure nginx "$NGX" "${PGIDS[1]}" "$mode"
    measure tsproxy "$TSP" "${PGIDS[2]}" "$mode"
  done
done
echo "loadavg after: $(cut -d' ' -f1-3 /proc/loadavg)"
