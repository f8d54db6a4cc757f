// The cold-start fixture: an Envoy Bootstrap whose listener's inline route_config holds N routes
// in one virtual host, four matcher kinds in turn (prefix, exact path, safe_regex, prefix + header),
// over 50 STATIC clusters; plus a catch-all virtual host. The same route mix as bench/route.mjs.
// usage: node bench/cold_start_fixture.mjs N > routes.yaml
//        (or import { coldStartBootstrapYaml } from this file)
// Written as plain block YAML by hand (no yaml package): the text is what a user's file looks like.

/** Route i: four matcher kinds in turn, as bench/route.mjs's mixedRoute. */
function routeYaml(i) {
  const kind = i % 4;
  const match =
    kind === 0 ? `            prefix: "/svc${i}/"\n` :
    kind === 1 ? `            path: "/exact/${i}"\n` :
    kind === 2 ? `            safe_regex:\n              regex: "/re${i}/[0-9]+"\n` :
    `            prefix: "/hdr${i}"\n            headers:\n            - name: x-tenant\n              string_match:\n                exact: "t${i}"\n`;
  return `          - name: r${i}\n            match:\n${match.replace(/^ {12}/gm, '              ')}            route:\n              cluster: c${i % 50}\n`;
}

/** A request path that route i (and no earlier route) matches, with the header it needs. */
export function requestFor(i) {
  const kind = i % 4;
  const path = kind === 0 ? `/svc${i}/x` : kind === 1 ? `/exact/${i}` : kind === 2 ? `/re${i}/42` : `/hdr${i}`;
  return { path, headers: kind === 3 ? [`x-tenant: t${i}`] : [] };
}

/** The Bootstrap YAML with n routes in the `big` virtual host. */
export function coldStartBootstrapYaml(n) {
  const routes = Array.from({ length: n }, (_, i) => routeYaml(i)).join('');
  const clusters = Array.from({ length: 50 }, (_, c) =>
    `  - name: c${c}\n    type: STATIC\n    connect_timeout: 1s\n    load_assignment:\n      cluster_name: c${c}\n      endpoints:\n      - lb_endpoints:\n        - endpoint:\n            address:\n              socket_address:\n                address: 127.0.0.1\n                port_value: ${20000 + c}\n`,
  ).join('');
  return `static_resources:
  listeners:
  - name: main
    address:
      socket_address:
        address: 0.0.0.0
        port_value: 8080
    filter_chains:
    - filters:
      - name: envoy.filters.network.http_connection_manager
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
          stat_prefix: ingress_http
          route_config:
            name: bench
            virtual_hosts:
            - name: big
              domains:
              - www.example.com
              - "*.example.com"
              routes:
${routes.replace(/^/gm, '    ').replace(/\n {4}$/, '\n')}            - name: default
              domains:
              - "*"
              routes:
              - match:
                  prefix: "/"
                route:
                  cluster: fallback
          http_filters:
          - name: envoy.filters.http.router
            typed_config:
              "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router
  clusters:
${clusters}  - name: fallback
    type: STATIC
    connect_timeout: 1s
    load_assignment:
      cluster_name: fallback
      endpoints:
      - lb_endpoints:
        - endpoint:
            address:
              socket_address:
                address: 127.0.0.1
                port_value: 19999
`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const n = Number(process.argv[2]);
  if (!Number.isInteger(n) || n < 1) {
    process.stderr.write('usage: node bench/cold_start_fixture.mjs N\n');
    process.exit(2);
  }
  process.stdout.write(coldStartBootstrapYaml(n));
}
