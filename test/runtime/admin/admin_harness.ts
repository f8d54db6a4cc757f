/**
 * A proxy with an admin listener (real startServer, 127.0.0.1 port 0), one echo upstream, and a
 * small client for the admin port. `stats_flush_on_admin: true` so histograms are merged on every
 * admin read (no waiting for the 5 s flush).
 */
import http from 'node:http';
import { loadConfig } from '../../../src/config/load.js';
import { startServer, type RunningServer, type ServerOptions } from '../../../src/runtime/server.js';
import { request, startUpstream, type SimpleResponse, type Upstream } from '../http/harness.js';

export interface AdminProxy {
  readonly server: RunningServer;
  readonly upstream: Upstream;
  /** Traffic port. */
  readonly port: number;
  readonly adminPort: number;
  admin(path: string, method?: string, body?: string, headers?: Record<string, string>): Promise<SimpleResponse>;
  traffic(path: string, headers?: Record<string, string>): Promise<SimpleResponse>;
  close(): Promise<void>;
}

export interface AdminProxySpec {
  /** Extra Bootstrap top-level YAML (stats_config, layered_runtime...). */
  bootstrapExtra?: string;
  /** `admin:` block body (indented 2); default binds 127.0.0.1:0. */
  adminYaml?: string;
  /** HTTP filters YAML list items before the router (indented 10 in the HCM). */
  filters?: string;
  /** Routes YAML list items placed before the catch-all route to `web` (indented 14). */
  routes?: string;
  options?: ServerOptions;
}

export function adminBootstrap(upstreamPort: number, spec: AdminProxySpec = {}): string {
  const admin = spec.adminYaml === undefined ? 'admin:\n  address: {socket_address: {address: 127.0.0.1, port_value: 0}}\n' : spec.adminYaml;
  const routes = spec.routes ? spec.routes.split('\n').map((l) => (l.trim() ? '              ' + l : l)).join('\n') + '\n' : '';
  const filters = spec.filters ? spec.filters.split('\n').map((l) => (l.trim() ? '          ' + l : l)).join('\n') + '\n' : '';
  return `${admin}stats_flush_on_admin: true
${spec.bootstrapExtra ?? ''}
static_resources:
  listeners:
  - name: ingress
    address: {socket_address: {address: 127.0.0.1, port_value: 0}}
    traffic_direction: INBOUND
    filter_chains:
    - filters:
      - name: envoy.filters.network.http_connection_manager
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
          stat_prefix: ingress
          route_config:
            name: local_routes
            virtual_hosts:
            - name: all
              domains: ["*"]
              routes:
${routes}              - match: {prefix: "/"}
                route: {cluster: web}
          http_filters:
${filters}          - name: envoy.filters.http.router
            typed_config: {"@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router}
  clusters:
  - name: web
    connect_timeout: 1s
    load_assignment:
      cluster_name: web
      endpoints:
      - locality: {region: eu, zone: eu-1a}
        lb_endpoints:
        - endpoint: {address: {socket_address: {address: 127.0.0.1, port_value: ${upstreamPort}}}}
`;
}

/** Any request to 127.0.0.1:port, with method and optional body. */
export function httpCall(port: number, path: string, method = 'GET', body?: string, headers: Record<string, string> = {}): Promise<SimpleResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, method, headers, agent: false }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
      res.on('error', reject);
    });
    req.setTimeout(5000, () => req.destroy(new Error('client timeout')));
    req.on('error', reject);
    req.end(body);
  });
}

export async function startAdminProxy(spec: AdminProxySpec = {}): Promise<AdminProxy> {
  const upstream = await startUpstream('web');
  const loaded = loadConfig(adminBootstrap(upstream.port, spec), 'admin-test.yaml');
  const errors = loaded.diagnostics.filter((d) => d.severity === 'error');
  if (!loaded.config || errors.length) throw new Error('config errors: ' + JSON.stringify(errors));
  const started = await startServer(loaded.config, spec.options);
  if (!started.server) throw new Error('server did not start: ' + JSON.stringify(started.diagnostics));
  const server = started.server;
  const adminPort = server.adminAddress?.port ?? 0;
  return {
    server,
    upstream,
    port: server.listeners[0]!.port,
    adminPort,
    admin: (path, method = 'GET', body, headers) => httpCall(adminPort, path, method, body, headers),
    traffic: (path, headers) => request(server.listeners[0]!.port, path, headers ? { headers } : {}),
    async close() {
      await server.stop(0);
      await upstream.close();
    },
  };
}
