import { test } from 'node:test';
import assert from 'node:assert/strict';
import { route } from '../../src/core/route.js';
import { compileRouteConfig } from '../../src/core/route.js';
import { portStart } from '../../src/core/vhost_selector.js';
import { fwd, req, table, vhost } from './helpers.js';

const any = fwd('c', { prefix: '/' });

function vhFor(t: ReturnType<typeof table>, authority: string | undefined): string | undefined {
  return route(t, req(authority, '/'), 0).virtualHost?.name;
}

const t = table({
  virtual_hosts: [
    vhost('exact', ['www.foo.com'], [any]),
    vhost('suffix', ['*.foo.com'], [any]),
    vhost('longsuffix', ['*.bar.foo.com'], [any]),
    vhost('dashsuffix', ['*-bar.baz.com'], [any]),
    vhost('baz', ['*.baz.com'], [any]),
    vhost('prefix', ['foo.*'], [any]),
    vhost('longprefix', ['foo.bar.*'], [any]),
    vhost('port', ['api.example.com:8080'], [any]),
    vhost('default', ['*'], [any]),
  ],
});

test('exact domain wins over wildcards', () => {
  assert.equal(vhFor(t, 'www.foo.com'), 'exact');
});

test('host matching ignores case', () => {
  assert.equal(vhFor(t, 'WWW.Foo.COM'), 'exact');
  assert.equal(vhFor(t, 'A.FOO.COM'), 'suffix');
});

test('longest *.suffix wins', () => {
  assert.equal(vhFor(t, 'x.bar.foo.com'), 'longsuffix');
  assert.equal(vhFor(t, 'x.foo.com'), 'suffix');
});

test('a wildcard never matches an empty string: .foo.com and foo.com miss *.foo.com', () => {
  assert.equal(vhFor(t, '.foo.com'), 'default');
  assert.equal(vhFor(t, 'foo.com'), 'prefix'); // foo.com hits foo.* (non-empty remainder "com")
});

test('-bar.baz.com misses *-bar.baz.com but hits *.baz.com', () => {
  assert.equal(vhFor(t, '-bar.baz.com'), 'baz');
  assert.equal(vhFor(t, 'x-bar.baz.com'), 'dashsuffix');
});

test('suffix wildcards before prefix wildcards; longest prefix.* wins', () => {
  assert.equal(vhFor(t, 'foo.bar.x'), 'longprefix');
  assert.equal(vhFor(t, 'foo.x'), 'prefix');
  assert.equal(vhFor(t, 'foo.baz.com'), 'baz');
});

test('unknown host falls to *', () => {
  assert.equal(vhFor(t, 'nothing.example'), 'default');
});

test('the port is part of the Host by default', () => {
  assert.equal(vhFor(t, 'www.foo.com:8090'), 'default');
  assert.equal(vhFor(t, 'api.example.com:8080'), 'port');
  assert.equal(vhFor(t, 'api.example.com'), 'default');
});

test('ignore_port_in_host_matching strips the port (the HCM strip_*_host_port options are normalizeHost, hcm_host.ts)', () => {
  const rc = { virtual_hosts: [vhost('exact', ['www.foo.com'], [any])] };
  const t1 = table({ ...rc, ignore_port_in_host_matching: true });
  assert.equal(vhFor(t1, 'www.foo.com:8090'), 'exact');
  const t3 = table(rc, { ignorePortInHostMatching: true });
  assert.equal(vhFor(t3, '[::1]:80'), undefined);
  assert.equal(vhFor(t3, 'www.foo.com'), 'exact');
});

test('no :authority gets no route (unless the only vhost is *)', () => {
  assert.equal(route(t, req(undefined, '/'), 0).kind, 'no_route');
  assert.equal(route(t, req(undefined, '/'), 0).virtualHost, undefined);
  const only = table({ virtual_hosts: [vhost('d', ['*'], [any])] });
  // Envoy's findVirtualHost fast path returns the default vhost before looking at Host.
  assert.equal(vhFor(only, undefined), 'd');
});

test('no * vhost: unknown hosts get no route', () => {
  const t2 = table({ virtual_hosts: [vhost('a', ['a.com'], [any])] });
  const d = route(t2, req('b.com', '/'), 0);
  assert.equal(d.kind, 'no_route');
  assert.equal(d.virtualHost, undefined);
});

test('duplicate domains (case-insensitive) are config errors', () => {
  const r = compileRouteConfig({ virtual_hosts: [vhost('a', ['A.com'], [any]), vhost('b', ['a.COM'], [any])] });
  assert.equal(r.diagnostics.length, 1);
  assert.equal(r.diagnostics[0].rule, 'route/duplicate-domain');
  assert.match(r.diagnostics[0].message, /Duplicate entry of domain a\.com/);
  const r2 = compileRouteConfig({ virtual_hosts: [vhost('a', ['*'], [any]), vhost('b', ['*'], [any])] });
  assert.match(r2.diagnostics[0].message, /Only a single wildcard domain/);
});

test('portStart follows Envoy getPortStart', () => {
  assert.equal(portStart('a.com:80'), 5);
  assert.equal(portStart('a.com'), -1);
  assert.equal(portStart('[::1]:80'), 5);
  assert.equal(portStart('[::1]'), -1);
});
