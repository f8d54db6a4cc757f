/** JSON paths of decoded config, as diagnostics spell them: `$.virtual_hosts[0].routes[2]`. */

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** JSON path of a map key or field: `.name` or `["envoy.filters.http.cors"]`. */
export function keyPath(path: string, key: string): string {
  return IDENT.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}
