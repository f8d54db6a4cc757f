#!/usr/bin/env bash
# Bench entry for ../shared/bench/run.sh: writes an Envoy bootstrap for $PORT -> $UPSTREAM_HOST:$UPSTREAM_PORT
# with routing, stats and a file access log on, then runs `tsproxy serve` in the foreground.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cfg=${RUN_DIR:-/tmp}/tsproxy-bench-$PORT.yaml
log=${RUN_DIR:-/tmp}/tsproxy-access-$PORT.log
cat > "$cfg" <<YAML
static_resources:
  listeners:
  - name: bench
    address: { socket_address: { address: 127.0.0.1, port_value: $PORT } }
    filter_chains:
    - filters:
      - name: envoy.filters.network.http_connection_manager
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
          stat_prefix: ingress_http
          access_log:
          - name: envoy.access_loggers.file
            typed_config:
              "@type": type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog
              path: $log
          route_config:
            name: local
            virtual_hosts:
            - name: bench
              domains: ["*"]
              routes:
              - match: { prefix: "/admin" }
                direct_response: { status: 403 }
              - match: { prefix: "/" }
                route: { cluster: origin }
          http_filters:
          - name: envoy.filters.http.router
            typed_config:
              "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router
  clusters:
  - name: origin
    type: STATIC
    connect_timeout: 1s
    load_assignment:
      cluster_name: origin
      endpoints:
      - lb_endpoints:
        - endpoint: { address: { socket_address: { address: $UPSTREAM_HOST, port_value: $UPSTREAM_PORT } } }
YAML
exec "$here/../bin/tsproxy" serve -c "$cfg" --log-level warn
