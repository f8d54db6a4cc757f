import { test } from 'node:test';
import assert from 'node:assert/strict';
import { route } from '../../src/core/route.js';
import type { RedirectAction, VirtualHost } from '../../src/config/types.js';
import type { RouteDecision } from '../../src/core/route_types.js';
import { req, routes, table, vhost, fwd } from './helpers.js';

function loc(d: RouteDecision): [string, number] | string {
  return d.kind === 'redirect' ? [d.location, d.status] : d.kind;
}

function redir(r: RedirectAction, path = '/foo', extra = {}): [string, number] | string {
  const t = routes([{ match: { prefix: '/foo' }, redirect: r }, { match: { path: '/exact' }, redirect: r }]);
  return loc(route(t, req('www.lyft.com', path, extra), 0));
}

test('host_redirect keeps path and query; default 301', () => {
  assert.deepEqual(redir({ host_redirect: 'new.lyft.com' }, '/foo/x?a=1'), ['http://new.lyft.com/foo/x?a=1', 301]);
});

test('response codes', () => {
  assert.deepEqual(redir({ host_redirect: 'n', response_code: 'FOUND' }), ['http://n/foo', 302]);
  assert.deepEqual(redir({ host_redirect: 'n', response_code: 'SEE_OTHER' }), ['http://n/foo', 303]);
  assert.deepEqual(redir({ host_redirect: 'n', response_code: 'TEMPORARY_REDIRECT' }), ['http://n/foo', 307]);
  assert.deepEqual(redir({ host_redirect: 'n', response_code: 'PERMANENT_REDIRECT' }), ['http://n/foo', 308]);
});

test('path_redirect: keeps the query unless strip_query; its own query replaces; leading / added', () => {
  assert.deepEqual(redir({ path_redirect: '/new' }, '/foo?a=1'), ['http://www.lyft.com/new?a=1', 301]);
  assert.deepEqual(redir({ path_redirect: '/new', strip_query: true }, '/foo?a=1'), ['http://www.lyft.com/new', 301]);
  assert.deepEqual(redir({ path_redirect: '/new?b=2', strip_query: true }, '/foo?a=1'), ['http://www.lyft.com/new?b=2', 301]);
  assert.deepEqual(redir({ path_redirect: 'new' }, '/foo'), ['http://www.lyft.com/new', 301]);
  assert.deepEqual(redir({ strip_query: true }, '/foo/x?a=1'), ['http://www.lyft.com/foo/x', 301]);
});

test('prefix_rewrite in a redirect replaces the matched prefix', () => {
  assert.deepEqual(redir({ prefix_rewrite: '/bar' }, '/foo/x?q'), ['http://www.lyft.com/bar/x?q', 301]);
  assert.deepEqual(redir({ prefix_rewrite: '/bar' }, '/exact?q'), ['http://www.lyft.com/bar?q', 301]);
});

test('regex_rewrite in a redirect', () => {
  assert.deepEqual(redir({ regex_rewrite: { pattern: { regex: '^/foo/(.*)$' }, substitution: '/v2/\\1' } }, '/foo/x?q=1'), ['http://www.lyft.com/v2/x?q=1', 301]);
});

test('https_redirect / scheme_redirect; default port of the old scheme dropped', () => {
  assert.deepEqual(redir({ https_redirect: true }, '/foo'), ['https://www.lyft.com/foo', 301]);
  assert.deepEqual(redir({ scheme_redirect: 'ftp' }, '/foo'), ['ftp://www.lyft.com/foo', 301]);
  const t = routes([{ match: { prefix: '/' }, redirect: { https_redirect: true } }]);
  assert.deepEqual(loc(route(t, req('a.com:80', '/'), 0)), ['https://a.com/', 301]);
  assert.deepEqual(loc(route(t, req('a.com:8080', '/'), 0)), ['https://a.com:8080/', 301]);
  const h = routes([{ match: { prefix: '/' }, redirect: { https_redirect: true, host_redirect: 'b.com' } }]);
  assert.deepEqual(loc(route(h, req('a.com:8080', '/'), 0)), ['https://b.com/', 301]);
});

test('port_redirect replaces any port', () => {
  const t = routes([{ match: { prefix: '/' }, redirect: { port_redirect: 8443 } }]);
  assert.deepEqual(loc(route(t, req('a.com:8080', '/x'), 0)), ['http://a.com:8443/x', 301]);
  assert.deepEqual(loc(route(t, req('a.com', '/x'), 0)), ['http://a.com:8443/x', 301]);
  const h = routes([{ match: { prefix: '/' }, redirect: { port_redirect: 9000, host_redirect: 'b.com' } }]);
  assert.deepEqual(loc(route(h, req('a.com:1', '/'), 0)), ['http://b.com:9000/', 301]);
});

test('scheme of the redirect follows the request (x-forwarded-proto)', () => {
  assert.deepEqual(redir({ path_redirect: '/new_bar' }, '/foo', { scheme: 'https' }), ['https://www.lyft.com/new_bar', 301]);
});

function tlsTable(requireTls: VirtualHost['require_tls']) {
  return table({ virtual_hosts: [vhost('v', ['*'], [fwd('c', { prefix: '/' })], { require_tls: requireTls })] });
}

test('require_tls ALL redirects any non-https request to https, keeping host and path', () => {
  const t = tlsTable('ALL');
  assert.deepEqual(loc(route(t, req('www.lyft.com', '/foo?x'), 0)), ['https://www.lyft.com/foo?x', 301]);
  assert.deepEqual(loc(route(t, req('www.lyft.com', '/foo', { headers: { 'x-envoy-internal': 'true' } }), 0)), ['https://www.lyft.com/foo', 301]);
  assert.equal(route(t, req('www.lyft.com', '/foo', { scheme: 'https' }), 0).kind, 'forward');
});

test('require_tls EXTERNAL_ONLY redirects unless x-envoy-internal: true', () => {
  const t = tlsTable('EXTERNAL_ONLY');
  assert.deepEqual(loc(route(t, req('api.lyft.com', '/foo'), 0)), ['https://api.lyft.com/foo', 301]);
  assert.equal(route(t, req('api.lyft.com', '/foo', { headers: { 'x-envoy-internal': 'true' } }), 0).kind, 'forward');
  const d = route(t, req('api.lyft.com', '/foo'), 0);
  assert.equal(d.kind === 'redirect' && d.requireTls, true);
});

test('require_tls and redirect port stripping read x-forwarded-proto before the scheme', () => {
  const t = tlsTable('ALL');
  assert.equal(route(t, req('www.lyft.com', '/foo', { headers: { 'x-forwarded-proto': 'https' } }), 0).kind, 'forward');
  assert.equal(route(t, req('www.lyft.com', '/foo', { scheme: 'https', headers: { 'x-forwarded-proto': 'http' } }), 0).kind, 'redirect');
  const r = routes([{ match: { prefix: '/' }, redirect: { https_redirect: true } }]);
  // Served over TLS per XFP: ":443" is the old scheme's default port only when XFP says https.
  assert.deepEqual(loc(route(r, req('a.com:443', '/', { headers: { 'x-forwarded-proto': 'https' } }), 0)), ['https://a.com:443/', 301]);
  assert.deepEqual(loc(route(r, req('a.com:80', '/', { headers: { 'x-forwarded-proto': 'http' } }), 0)), ['https://a.com/', 301]);
});
