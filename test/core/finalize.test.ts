import { test } from 'node:test';
import assert from 'node:assert/strict';
import { route, finalizeRequest, finalizeResponseHeaders, applyRequestHeaders, applyHeaderMutations } from '../../src/core/route.js';
import type { HeaderValueOption, Route, RouteConfiguration } from '../../src/config/types.js';
import type { ForwardDecision, RouteRequest, RouteTable } from '../../src/core/route_types.js';
import { req, routes, table, vhost, fwd } from './helpers.js';

function forward(t: RouteTable, r: RouteRequest, rv = 0): ForwardDecision {
  const d = route(t, r, rv);
  assert.equal(d.kind, 'forward');
  return d as ForwardDecision;
}

function finalPath(r: Route, path: string): string {
  const t = routes([r]);
  const rq = req('h', path);
  return finalizeRequest(forward(t, rq), rq).path;
}

test('prefix_rewrite on a prefix match replaces only the matched prefix (query kept)', () => {
  assert.equal(finalPath(fwd('c', { prefix: '/pretest' }, { prefix_rewrite: '/pre/test' }), '/pretest/x?q=1'), '/pre/test/x?q=1');
  assert.equal(finalPath(fwd('c', { prefix: '/API', case_sensitive: false }, { prefix_rewrite: '/v2' }), '/api/x'), '/v2/x');
  assert.equal(finalPath(fwd('c', { prefix: '/foo/' }, { prefix_rewrite: '/' }), '/foo/bar'), '/bar');
});

test('prefix_rewrite on path / safe_regex replaces the whole path (query kept)', () => {
  assert.equal(finalPath(fwd('c', { path: '/exact' }, { prefix_rewrite: '/new' }), '/exact?x=1'), '/new?x=1');
  assert.equal(finalPath(fwd('c', { safe_regex: { regex: '/api/v[0-9]+/.*' } }, { prefix_rewrite: '/svc' }), '/api/v1/x?y'), '/svc?y');
});

test('regex_rewrite: RE2 replace-all on the path without query, \\N groups', () => {
  const r = fwd('c', { prefix: '/' }, { regex_rewrite: { pattern: { regex: '/(\\w+)' }, substitution: '/x\\1' } });
  assert.equal(finalPath(r, '/a/b?q=/c'), '/xa/xb?q=/c');
  const r2 = fwd('c', { prefix: '/' }, { regex_rewrite: { pattern: { regex: '^/service/([^/]+)(/.*)$' }, substitution: '\\2/instance/\\1' } });
  assert.equal(finalPath(r2, '/service/foo/v1/api'), '/v1/api/instance/foo');
  const r3 = fwd('c', { prefix: '/' }, { regex_rewrite: { pattern: { regex: 'a' }, substitution: '$1' } });
  assert.equal(finalPath(r3, '/aa'), '/$1$1', 'JS $ replacement patterns are not interpreted');
});

test('x-envoy-original-path is set only when the path is rewritten', () => {
  const t = routes([fwd('c', { prefix: '/a' }, { prefix_rewrite: '/b' }), fwd('d', { prefix: '/' })]);
  const r1 = req('h', '/a/x');
  const f1 = finalizeRequest(forward(t, r1), r1);
  assert.equal(f1.originalPath, '/a/x');
  const h1: Record<string, string | string[] | number | undefined> = {};
  applyRequestHeaders(f1, h1, {});
  assert.deepEqual(h1, { 'x-envoy-original-path': '/a/x' });
  const r2 = req('h', '/z');
  const f2 = finalizeRequest(forward(t, r2), r2);
  assert.equal(f2.originalPath, undefined);
  assert.equal(f2.requestHeaderMutations.empty, true);
});

test('host rewrites: literal, header, path regex; auto_host_rewrite is a flag', () => {
  const t = routes([
    fwd('c', { path: '/lit' }, { host_rewrite_literal: 'new.host' }),
    fwd('c', { path: '/hdr' }, { host_rewrite_header: 'X-Host' }),
    fwd('c', { prefix: '/re/' }, { host_rewrite_path_regex: { pattern: { regex: '^/re/([^/]+).*$' }, substitution: '\\1.svc' } }),
    fwd('c', { path: '/auto' }, { auto_host_rewrite: true }),
  ]);
  const f = (r: RouteRequest) => finalizeRequest(forward(t, r), r);
  assert.equal(f(req('h', '/lit')).authority, 'new.host');
  assert.equal(f(req('h', '/hdr', { headers: { 'x-host': 'from.header' } })).authority, 'from.header');
  assert.equal(f(req('h', '/hdr')).authority, 'h');
  assert.equal(f(req('h', '/re/abc/x?q')).authority, 'abc.svc');
  const auto = f(req('h', '/auto'));
  assert.equal(auto.autoHostRewrite, true);
  assert.equal(auto.authority, 'h');
});

function hv(key: string, value: string, extra: Partial<HeaderValueOption> = {}): HeaderValueOption {
  return { header: { key, value }, ...extra };
}

function mutationTable(mostSpecific: boolean): RouteTable {
  const rc: RouteConfiguration = {
    most_specific_header_mutations_wins: mostSpecific,
    request_headers_to_add: [hv('x-level', 'rc', { append: false })],
    response_headers_to_add: [hv('x-resp', 'rc', { append: false })],
    virtual_hosts: [
      vhost('v', ['*'], [
        fwd('c', { prefix: '/' }, {}, {
          request_headers_to_add: [hv('x-level', 'route', { append: false })],
          response_headers_to_add: [hv('x-resp', 'route', { append: false })],
        }),
      ], { request_headers_to_add: [hv('x-level', 'vhost', { append: false })] }),
    ],
  };
  return table(rc);
}

test('header mutations: route, vhost, route config order; route config wins on overwrite', () => {
  const rq = req('h', '/');
  const d = forward(mutationTable(false), rq);
  const h: Record<string, string | string[] | number | undefined> = {};
  applyRequestHeaders(finalizeRequest(d, rq), h, {});
  assert.equal(h['x-level'], 'rc');
  const resp: Record<string, string | string[] | number | undefined> = {};
  applyHeaderMutations(finalizeResponseHeaders(d), resp, {});
  assert.equal(resp['x-resp'], 'rc');
});

test('most_specific_header_mutations_wins: the route wins', () => {
  const rq = req('h', '/');
  const d = forward(mutationTable(true), rq);
  const h: Record<string, string | string[] | number | undefined> = {};
  applyRequestHeaders(finalizeRequest(d, rq), h, {});
  assert.equal(h['x-level'], 'route');
});

test('append actions, keep_empty_value and removals', () => {
  const t = routes([
    fwd('c', { prefix: '/' }, {}, {
      request_headers_to_remove: ['X-Gone'],
      request_headers_to_add: [
        hv('x-app', 'two'),
        hv('x-abs', 'no', { append_action: 'ADD_IF_ABSENT' }),
        hv('x-new', 'yes', { append_action: 'ADD_IF_ABSENT' }),
        hv('x-ow', 'no', { append_action: 'OVERWRITE_IF_EXISTS' }),
        hv('x-set', 'new', { append_action: 'OVERWRITE_IF_EXISTS' }),
        hv('x-empty', ''),
        hv('x-keep', '', { keep_empty_value: true }),
        hv('x-ip', '%DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT%'),
      ],
    }),
  ]);
  const rq = req('h', '/');
  const h: Record<string, string | string[] | number | undefined> = { 'x-gone': '1', 'x-app': 'one', 'x-abs': 'old', 'x-set': 'old' };
  applyRequestHeaders(finalizeRequest(forward(t, rq), rq), h, { remoteAddress: '127.0.0.1', remotePort: 0 });
  assert.deepEqual(h, { 'x-app': ['one', 'two'], 'x-abs': 'old', 'x-new': 'yes', 'x-set': 'new', 'x-keep': '', 'x-ip': '127.0.0.1' });
});

test('weighted cluster: its mutations run first, its filter config wins, host_rewrite_literal', () => {
  const t = routes([
    {
      match: { prefix: '/' },
      route: {
        weighted_clusters: {
          clusters: [
            { name: 'a', weight: 1, request_headers_to_add: [hv('x-w', 'wc', { append: false })], typed_per_filter_config: { f: { '@type': 'wc' } }, host_rewrite_literal: 'wc.host' },
          ],
        },
      },
      request_headers_to_add: [hv('x-w', 'route', { append: false })],
      typed_per_filter_config: { f: { '@type': 'route' } },
    },
  ]);
  const rq = req('h', '/');
  const d = forward(t, rq);
  assert.equal(d.perFilterConfig.f['@type'], 'wc');
  const fin = finalizeRequest(d, rq);
  assert.equal(fin.authority, 'wc.host');
  const h: Record<string, string | string[] | number | undefined> = {};
  applyRequestHeaders(fin, h, {});
  assert.equal(h['x-w'], 'route');
});

test('header mutation config errors become diagnostics', async () => {
  const { compileRouteConfig } = await import('../../src/core/route.js');
  const r = compileRouteConfig({
    virtual_hosts: [vhost('v', ['*'], [fwd('c', { prefix: '/' }, {}, {
      request_headers_to_add: [hv(':path', '/x'), hv('x-a', 'v', { append: true, append_action: 'ADD_IF_ABSENT' }), hv('x-b', '%NOPE%')],
      request_headers_to_remove: ['host'],
    })])],
  });
  assert.deepEqual(r.diagnostics.map((d) => d.message), [
    ':-prefixed or host headers may not be modified',
    "Both append and append_action are set and it's not allowed",
    'Not supported field in StreamInfo: NOPE',
    ':-prefixed or host headers may not be removed',
  ]);
});

test('a substitution naming a missing group is a warning and the rewrite never applies', async () => {
  const { compileRouteConfig } = await import('../../src/core/route.js');
  const r = compileRouteConfig({ virtual_hosts: [vhost('v', ['*'], [fwd('c', { prefix: '/' }, { regex_rewrite: { pattern: { regex: '/(a)' }, substitution: '/\\2' } })])] });
  assert.equal(r.diagnostics.length, 1);
  assert.equal(r.diagnostics[0].rule, 'route/invalid-rewrite');
  assert.equal(r.diagnostics[0].severity, 'warning');
  const rq = req('h', '/a');
  const d = route(r.table, rq, 0);
  assert.ok(d.kind === 'forward');
  if (d.kind === 'forward') assert.equal(finalizeRequest(d, rq).path, '/a');
});

test('internal_only_headers are exposed lowercased on the table', () => {
  const t = routes([fwd('c', { prefix: '/' })], { internal_only_headers: ['X-Internal'] });
  assert.deepEqual(t.internalOnlyHeaders, ['x-internal']);
});

test('Envoy TestRoutes: host_rewrite_header reads the header added by the route itself; original host kept', () => {
  const t = routes([
    fwd('ats', { path: '/rewrite-host-with-header-value' }, { host_rewrite_header: 'x-rewrite-host', append_x_forwarded_host: true }, {
      request_headers_to_add: [hv('x-rewrite-host', 'rewrote')],
    }),
    fwd('ats', { path: '/do-not-rewrite-host-with-header-value' }, { host_rewrite_header: 'x-rewrite-host', append_x_forwarded_host: true }),
    fwd('ats', { prefix: '/host/rewrite/me' }, { host_rewrite_literal: 'new_host' }),
  ]);
  const r1 = req('api.lyft.com', '/rewrite-host-with-header-value');
  const f1 = finalizeRequest(forward(t, r1), r1);
  assert.equal(f1.authority, 'rewrote');
  assert.equal(f1.originalAuthority, 'api.lyft.com');
  assert.equal(f1.appendXForwardedHost, true);
  const r2 = req('api.lyft.com', '/do-not-rewrite-host-with-header-value');
  const f2 = finalizeRequest(forward(t, r2), r2);
  assert.equal(f2.authority, 'api.lyft.com');
  assert.equal(f2.originalAuthority, undefined);
  const r3 = req('api.lyft.com', '/host/rewrite/me');
  const h: Record<string, string | string[] | number | undefined> = {};
  applyRequestHeaders(finalizeRequest(forward(t, r3), r3), h, {});
  assert.deepEqual(h, { 'x-envoy-original-host': 'api.lyft.com' });
  const h2: Record<string, string | string[] | number | undefined> = {};
  applyRequestHeaders(finalizeRequest(forward(t, r3), r3, { insertOriginalPath: false }), h2, {});
  assert.deepEqual(h2, {});
});

test('Envoy TestRoutes: regex and prefix rewrites', () => {
  const t = table({
    virtual_hosts: [
      vhost('www2', ['www.lyft.com'], [
        fwd('www2', { prefix: '/newforreg1_endpoint' }, { regex_rewrite: { pattern: { regex: '^/new(.*?)_endpoint(.*)$' }, substitution: '/\\1_rewritten_endpoint\\2' } }),
        fwd('www2', { prefix: '/newforreg2_endpoint' }, { regex_rewrite: { pattern: { regex: 'e' }, substitution: 'X' } }),
        fwd('www2', { path: '/exact/path/for/regex1', case_sensitive: true }, { regex_rewrite: { pattern: { regex: '[aeioe]' }, substitution: 'V' } }),
      ]),
      vhost('regex', ['bat.com'], [
        fwd('three_numbers', { safe_regex: { regex: '.*/\\d{3}$' } }, { prefix_rewrite: '/rewrote' }),
        fwd('four_numbers', { safe_regex: { regex: '.*/\\d{4}$' } }, { regex_rewrite: { pattern: { regex: '(^.*)/(\\d{4})$' }, substitution: '/four/\\2/endpoint\\1' } }),
      ]),
      vhost('default', ['*'], [
        fwd('locations', { path: '/api/locations', case_sensitive: false }, { prefix_rewrite: '/rewrote' }),
        fwd('ats', { path: '/FOOD', case_sensitive: false }, { prefix_rewrite: '/cAndy' }),
      ]),
    ],
  });
  const p = (host: string, path: string): [string, string | undefined] => {
    const r = req(host, path);
    const f = finalizeRequest(forward(t, r), r);
    return [f.path, f.originalPath];
  };
  assert.deepEqual(p('www.lyft.com', '/newforreg1_endpoint/foo'), ['/forreg1_rewritten_endpoint/foo', '/newforreg1_endpoint/foo']);
  assert.deepEqual(p('www.lyft.com', '/newforreg2_endpoint/tee?test=me'), ['/nXwforrXg2_Xndpoint/tXX?test=me', '/newforreg2_endpoint/tee?test=me']);
  assert.deepEqual(p('www.lyft.com', '/exact/path/for/regex1?test=aeiou'), ['/VxVct/pVth/fVr/rVgVx1?test=aeiou', '/exact/path/for/regex1?test=aeiou']);
  assert.deepEqual(p('bat.com', '/foo/bar/238?bar=true'), ['/rewrote?bar=true', '/foo/bar/238?bar=true']);
  assert.deepEqual(p('bat.com', '/xx/yy/6472?test=foo'), ['/four/6472/endpoint/xx/yy?test=foo', '/xx/yy/6472?test=foo']);
  assert.deepEqual(p('api.lyft.com', '/API/locations?works=true'), ['/rewrote?works=true', '/API/locations?works=true']);
  assert.deepEqual(p('api.lyft.com', '/fooD'), ['/cAndy', '/fooD']);
});
