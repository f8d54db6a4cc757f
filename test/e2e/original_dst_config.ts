/**
 * A sidecar-shaped Bootstrap for original-destination tests: a `use_original_dst` listener (the
 * "virtual" 15001 listener of Istio) and per-destination listeners, most with
 * `bind_to_port: false`. Every listener answers with its own name in the body (a direct
 * response) and its local address in `x-local` (%DOWNSTREAM_LOCAL_ADDRESS%), unless it routes to
 * a cluster; each logs `AL <listener> <local> <direct local> <upstream host>`.
 */

export interface TargetListener {
  readonly name: string;
  readonly address: string;
  readonly port: number;
  /** Default false: only handed-off connections reach it. */
  readonly bind?: boolean;
  /** Route to this cluster instead of answering directly. */
  readonly cluster?: string;
  /**
   * A filter_chain_match (flow YAML) for the listener's chain; the listener then also has a
   * default_filter_chain answering `<name>-default`.
   */
  readonly match?: string;
}

export interface OriginalDstBootstrapSpec {
  readonly virtual: { readonly address: string; readonly port: number };
  readonly targets: readonly TargetListener[];
  /** Clusters (YAML list items, indented by 2), e.g. an ORIGINAL_DST cluster. */
  readonly clusters?: string;
  /** Where the access log goes (default /dev/stdout). */
  readonly accessLogPath?: string;
}

function hcm(name: string, cluster: string | undefined, logPath: string): string {
  const action = cluster
    ? `route: {cluster: ${cluster}, timeout: 5s}`
    : `direct_response: {status: 200, body: {inline_string: ${JSON.stringify(name)}}}`;
  return `      - name: envoy.filters.network.http_connection_manager
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
          stat_prefix: ${name}
          access_log:
          - name: envoy.access_loggers.file
            typed_config:
              "@type": type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog
              path: ${logPath}
              log_format:
                text_format_source:
                  inline_string: "AL ${name} %DOWNSTREAM_LOCAL_ADDRESS% %DOWNSTREAM_DIRECT_LOCAL_ADDRESS% %UPSTREAM_HOST%\\n"
          route_config:
            virtual_hosts:
            - name: all
              domains: ["*"]
              routes:
              - match: {prefix: "/"}
                ${action}
                response_headers_to_add:
                - header: {key: x-listener, value: ${JSON.stringify(name)}}
                - header: {key: x-local, value: "%DOWNSTREAM_LOCAL_ADDRESS%"}
          http_filters:
          - name: envoy.filters.http.router
            typed_config: {"@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router}
`;
}

export function originalDstBootstrap(spec: OriginalDstBootstrapSpec): string {
  const log = spec.accessLogPath ?? '/dev/stdout';
  const listeners = [
    `  - name: virtual
    address: {socket_address: {address: ${JSON.stringify(spec.virtual.address)}, port_value: ${spec.virtual.port}}}
    use_original_dst: true
    filter_chains:
    - filters:
${hcm('virtual', undefined, log)}`,
    ...spec.targets.map(
      (t) => `  - name: ${t.name}
    address: {socket_address: {address: ${JSON.stringify(t.address)}, port_value: ${t.port}}}
    bind_to_port: ${t.bind === true}
    filter_chains:
    - filters:
${hcm(t.name, t.cluster, log)}${t.match ? `      filter_chain_match: ${t.match}
    default_filter_chain:
      filters:
${hcm(`${t.name}-default`, undefined, log).replace(/^/gm, '  ')}` : ''}`,
    ),
  ];
  return `static_resources:
  listeners:
${listeners.join('\n')}
  clusters:${spec.clusters ? `\n${spec.clusters}` : ' []'}
`;
}

/** An ORIGINAL_DST cluster (YAML list item). */
export function originalDstClusterYaml(name: string, lbConfig = ''): string {
  return `  - name: ${name}
    type: ORIGINAL_DST
    lb_policy: CLUSTER_PROVIDED
    connect_timeout: 1s
${lbConfig ? `    original_dst_lb_config: ${lbConfig}\n` : ''}`;
}
