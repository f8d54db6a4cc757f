/**
 * Generates the Bootstrap YAML of an end-to-end run: one listener on 127.0.0.1 port 0 whose HTTP
 * connection manager carries the route configuration file verbatim (indented into
 * `route_config`, so int64 values and comments survive), and one STATIC cluster per cluster name
 * pointing at its echo server.
 */

export interface BootstrapSpec {
  /** The RouteConfiguration YAML text, as in the route file. */
  routeText: string;
  /** cluster name -> port on 127.0.0.1. */
  clusterPorts: ReadonlyMap<string, number>;
  /** layered_runtime static layer values. */
  runtime?: Record<string, unknown>;
  /** Extra HTTP filters (YAML list items, each `- name: ...`), placed before the router. */
  httpFiltersYaml?: string;
  /** `access_log` list YAML for the HCM, if any. */
  accessLogYaml?: string;
  statPrefix?: string;
  /** Extra HttpConnectionManager fields (YAML lines at the HCM's indentation, e.g. `use_remote_address: true`). */
  hcmExtraYaml?: string;
  /** Extra Cluster fields per cluster name (YAML lines at the cluster's indentation). */
  clusterExtraYaml?: Readonly<Record<string, string>>;
  /**
   * Clusters written whole (YAML list items `  - name: ...` at the clusters list's indentation),
   * after the generated ones: for clusters a port alone does not describe (TLS, metadata...).
   */
  clustersYaml?: string;
}

/**
 * A RouteConfiguration text with one virtual host for every domain and a prefix route per entry
 * (`/<prefix>` -> cluster; `extra` adds fields to the route action, e.g. `host_rewrite_literal: "a"`).
 */
export function prefixRoutesYaml(routes: ReadonlyArray<{ prefix: string; cluster: string; extra?: string }>): string {
  const items = routes.map((r) => `  - match: {prefix: "/${r.prefix}"}\n    route: {cluster: ${r.cluster}${r.extra ? `, ${r.extra}` : ''}}`);
  return `virtual_hosts:\n- name: all\n  domains: ["*"]\n  routes:\n${items.join('\n')}\n`;
}

function indent(text: string, spaces: number): string {
  const pad = ' '.repeat(spaces);
  return text
    .replace(/^\uFEFF/, '')
    .split('\n')
    .filter((l) => l.trim() !== '---')
    .map((l) => (l.length ? pad + l : l))
    .join('\n');
}

export function bootstrapYaml(spec: BootstrapSpec): string {
  const clusters = [...spec.clusterPorts]
    .map(
      ([name, port]) => `  - name: ${JSON.stringify(name)}
    type: STATIC
    connect_timeout: 1s
${spec.clusterExtraYaml?.[name] ? indent(spec.clusterExtraYaml[name]!, 4) + '\n' : ''}    load_assignment:
      cluster_name: ${JSON.stringify(name)}
      endpoints:
      - lb_endpoints:
        - endpoint:
            address:
              socket_address: {address: 127.0.0.1, port_value: ${port}}`,
    )
    .concat(spec.clustersYaml !== undefined ? [spec.clustersYaml.replace(/\n+$/, '')] : [])
    .join('\n');
  const runtime = Object.entries(spec.runtime ?? {});
  const runtimeYaml = runtime.length
    ? `layered_runtime:
  layers:
  - name: static
    static_layer:
${runtime.map(([k, v]) => `      ${JSON.stringify(k)}: ${JSON.stringify(typeof v === 'bigint' ? Number(v) : v)}`).join('\n')}
`
    : '';
  return `${runtimeYaml}static_resources:
  listeners:
  - name: e2e
    address:
      socket_address: {address: 127.0.0.1, port_value: 0}
    filter_chains:
    - filters:
      - name: envoy.filters.network.http_connection_manager
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
          stat_prefix: ${spec.statPrefix ?? 'e2e'}
${spec.hcmExtraYaml ? indent(spec.hcmExtraYaml, 10) + '\n' : ''}${spec.accessLogYaml ? indent(spec.accessLogYaml, 10) + '\n' : ''}          http_filters:
${spec.httpFiltersYaml ? indent(spec.httpFiltersYaml, 10) + '\n' : ''}          - name: envoy.filters.http.router
            typed_config:
              "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router
          route_config:
${indent(spec.routeText, 12)}
${clusters ? '  clusters:\n' + clusters : '  clusters: []'}
`;
}
