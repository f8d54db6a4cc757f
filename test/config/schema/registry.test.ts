import { test } from 'node:test';
import assert from 'node:assert/strict';
import { knownTypeNames, lookupType, typeNameOf } from '../../../src/config/schema/registry.js';
import { compile, jsonName, type MessageDescriptor } from '../../../src/config/schema/descriptor.js';

/** Every descriptor reachable from the registered types. */
function reachable(): MessageDescriptor[] {
  const seen = new Set<MessageDescriptor>();
  const todo: MessageDescriptor[] = [];
  for (const name of knownTypeNames()) {
    const d = lookupType(name)?.desc;
    if (d) todo.push(d);
  }
  while (todo.length) {
    const d = todo.pop()!;
    if (seen.has(d)) continue;
    seen.add(d);
    for (const f of Object.values(d.fields)) if (f.type.k === 'message') todo.push(f.type.ref());
  }
  return [...seen];
}

test('descriptors are consistent: names, camelCase spellings, oneofs', () => {
  const all = reachable();
  assert.ok(all.length > 80, String(all.length));
  for (const d of all) {
    assert.match(d.name, /^[a-z][\w.]*\.[A-Z]\w*$/, d.name);
    const c = compile(d);
    // No camelCase spelling of one field collides with another field's name.
    for (const name of Object.keys(d.fields)) {
      assert.match(name, /^[a-z][a-z0-9_]*$/, `${d.name}.${name}`);
      assert.equal(c.byName.get(jsonName(name)), name, `${d.name}.${name}`);
    }
    for (const g of d.requiredOneofs ?? []) assert.ok(c.oneofs.has(g), `${d.name} oneof ${g}`);
  }
});

test('the request-path messages are registered by type name', () => {
  for (const t of [
    'envoy.config.route.v3.RouteConfiguration',
    'envoy.config.listener.v3.Listener',
    'envoy.config.cluster.v3.Cluster',
    'envoy.config.bootstrap.v3.Bootstrap',
    'envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager',
    'envoy.extensions.filters.http.router.v3.Router',
    'envoy.extensions.filters.http.fault.v3.HTTPFault',
    'envoy.extensions.filters.http.cors.v3.Cors',
    'envoy.extensions.filters.http.cors.v3.CorsPolicy',
    'envoy.extensions.access_loggers.file.v3.FileAccessLog',
    'envoy.extensions.access_loggers.stream.v3.StdoutAccessLog',
    'envoy.extensions.access_loggers.stream.v3.StderrAccessLog',
    'envoy.extensions.upstreams.http.v3.HttpProtocolOptions',
  ]) {
    assert.ok(lookupType(t)?.desc, t);
  }
  // Envoy's types that tsproxy does not model are known by name (the generated catalogue).
  assert.equal(lookupType('envoy.extensions.filters.http.ext_authz.v3.ExtAuthz')!.envoy!.extension, 'envoy.filters.http.ext_authz');
  assert.equal(lookupType('envoy.extensions.transport_sockets.internal_upstream.v3.InternalUpstreamTransport')!.envoy!.extension, 'envoy.transport_sockets.internal_upstream');
  assert.equal(lookupType('envoy.extensions.filters.udp.udp_proxy.v3.UdpProxyConfig')!.envoy!.what, 'the UDP listener filter envoy.filters.udp_listener.udp_proxy');
  assert.equal(lookupType('com.google.espv2.filters.http.service_control.FilterConfig'), undefined);
  assert.equal(lookupType('envoy.config.filter.http.router.v2.Router'), undefined);
  assert.equal(typeNameOf('type.googleapis.com/a.b.C'), 'a.b.C');
});

test("jsonName: protobuf's lowerCamelCase of a field name", () => {
  const cases: Array<[string, string]> = [
    ['prefix', 'prefix'],
    ['route_config', 'routeConfig'],
    ['consecutive_5xx', 'consecutive5xx'],
    ['max_grpc_timeout', 'maxGrpcTimeout'],
    ['a__b', 'aB'],
    ['_leading', 'Leading'],
    ['trailing_', 'trailing'],
    ['x_y_z', 'xYZ'],
  ];
  for (const [name, json] of cases) assert.equal(jsonName(name), json, name);
});
