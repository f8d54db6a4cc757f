/** Bootstrap YAML for the tracing tests: one listener, one upstream cluster, one collector cluster. */

export interface TracingBootstrap {
  upstreamPort: number;
  collectorPort: number;
  provider: 'otel' | 'zipkin' | 'none';
  /** Extra HCM `tracing` fields, YAML lines (indented by the generator). */
  tracing?: string[];
  /** Extra provider typed_config fields. */
  providerExtra?: string[];
  direction?: 'INBOUND' | 'OUTBOUND';
  /** Port of the `dead` cluster (routes `/dead`): nothing listens there. */
  deadPort?: number;
  /** Extra route fields (e.g. `decorator: {operation: op}`). */
  route?: string[];
}

function tracingBlock(body: string): string {
  return body === '' ? '          tracing: {}\n' : `          tracing:\n${body}`;
}

export function tracingBootstrap(o: TracingBootstrap): string {
  const pad = (n: number, lines: string[] = []): string => lines.map((l) => ' '.repeat(n) + l + '\n').join('');
  const provider =
    o.provider === 'otel'
      ? `            provider:
              name: envoy.tracers.opentelemetry
              typed_config:
                "@type": type.googleapis.com/envoy.config.trace.v3.OpenTelemetryConfig
                service_name: tsproxy-e2e
                http_service:
                  http_uri: {uri: "http://collector.example:4318/v1/traces", cluster: collector, timeout: 1s}
                  request_headers_to_add: [{header: {key: x-collector-token, value: t0k}}]
${pad(16, o.providerExtra)}`
      : o.provider === 'zipkin'
        ? `            provider:
              name: envoy.tracers.zipkin
              typed_config:
                "@type": type.googleapis.com/envoy.config.trace.v3.ZipkinConfig
                collector_cluster: collector
                collector_endpoint: /api/v2/spans
                collector_endpoint_version: HTTP_JSON
${pad(16, o.providerExtra)}`
        : '';
  return `node: {id: node-1, cluster: edge-proxy}
static_resources:
  listeners:
  - name: l
    address: {socket_address: {address: 127.0.0.1, port_value: 0}}
${o.direction ? `    traffic_direction: ${o.direction}\n` : ''}    filter_chains:
    - filters:
      - name: envoy.filters.network.http_connection_manager
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
          stat_prefix: ing
          use_remote_address: true
          internal_address_config: {cidr_ranges: [{address_prefix: 127.0.0.0, prefix_len: 8}]}
${tracingBlock(pad(12, o.tracing) + provider)}          route_config:
            virtual_hosts:
            - name: vh
              domains: ["*"]
              routes:
              - match: {prefix: /dead}
                route: {cluster: dead}
              - match: {prefix: /}
                route: {cluster: up}
${pad(16, o.route)}          http_filters:
          - name: envoy.filters.http.router
            typed_config: {"@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router}
  clusters:
  - name: up
    type: STATIC
    connect_timeout: 1s
    load_assignment:
      cluster_name: up
      endpoints: [{lb_endpoints: [{endpoint: {address: {socket_address: {address: 127.0.0.1, port_value: ${o.upstreamPort}}}}}]}]
  - name: dead
    type: STATIC
    connect_timeout: 1s
    load_assignment:
      cluster_name: dead
      endpoints: [{lb_endpoints: [{endpoint: {address: {socket_address: {address: 127.0.0.1, port_value: ${o.deadPort ?? 1}}}}}]}]
  - name: collector
    type: STATIC
    connect_timeout: 1s
    load_assignment:
      cluster_name: collector
      endpoints: [{lb_endpoints: [{endpoint: {address: {socket_address: {address: 127.0.0.1, port_value: ${o.collectorPort}}}}}]}]
layered_runtime:
  layers:
  - name: static
    static_layer: {tracing: {opentelemetry: {min_flush_spans: 1}, zipkin: {min_flush_spans: 1}}}
`;
}
