/**
 * Routing rules: configurations that load but route differently from what their author meant —
 * regexes RE2 rejects, weighted clusters with no weight, domains with ports, no catch-all
 * virtual host, `cluster_header` without a fallback. Route shadowing lives in shadowing.ts.
 */
import type { checkRegex } from '../../../core/regex.js';
import type { LintContext } from '../context.js';
import type { HcmSite } from '../model.js';
import type { LintRule } from '../rule.js';
import { collectRegexSites, regexVerdict } from '../regex_sites.js';

/** RE2 verdicts shared by the two regex rules of one lint run (each distinct pattern compiled once). */
const verdictCache = new WeakMap<LintContext, Map<string, ReturnType<typeof checkRegex>>>();
function verdicts(ctx: LintContext): Map<string, ReturnType<typeof checkRegex>> {
  let m = verdictCache.get(ctx);
  if (!m) {
    m = new Map();
    verdictCache.set(ctx, m);
  }
  return m;
}
import { allRoutes, routeConfigLabel, routeLabel, vhostLabel, virtualHosts } from '../walk.js';

export const invalidRegex: LintRule = {
  id: 'regex/invalid',
  severity: 'error',
  category: 'routing',
  summary: 'A safe_regex does not compile in RE2.',
  help:
    'Envoy compiles every safe_regex with RE2 and rejects the config when one does not compile. RE2 has no ' +
    'backreferences or lookaround; rewrite the pattern in RE2 syntax (github.com/google/re2/wiki/Syntax).',
  example: 'match: { safe_regex: { regex: "^/(?=api)" } }',
  check(ctx) {
    for (const site of collectRegexSites(ctx.model)) {
      const r = regexVerdict(verdicts(ctx), site.matcher.regex, ctx.config.runtime);
      if (r.ok || /program size/.test(r.error)) continue;
      ctx.report(this, { node: site.matcher, field: 'regex', path: `${site.path()}.regex` },
        `${site.where()}: regex does not compile in RE2: ${r.error.replace(/^invalid regex '.*?': /, '')}; use RE2 syntax (no lookaround or backreferences)`);
    }
  },
};

export const regexProgramSize: LintRule = {
  id: 'regex/program-size',
  severity: 'error',
  category: 'routing',
  summary: "A safe_regex's RE2 program is larger than re2.max_program_size.error_level (default 100).",
  help:
    'Envoy refuses regexes whose compiled RE2 program exceeds the runtime key re2.max_program_size.error_level ' +
    '(default 100). Simplify the pattern (smaller repetition counts, fewer alternatives) or raise the limit in ' +
    'layered_runtime. For a bare RouteConfiguration the runtime lives elsewhere, so this is reported as a warning.',
  example: 'match: { safe_regex: { regex: "(?:[a-z]{3,6}[0-9]{2,4}){10,20}" } }',
  check(ctx) {
    // A bare RouteConfiguration is loaded by a Bootstrap we cannot see; its runtime may raise the limit.
    const runtimeKnown = ctx.config.kind !== 'route_configuration' || Object.keys(ctx.config.runtime).length > 0;
    for (const site of collectRegexSites(ctx.model)) {
      const r = regexVerdict(verdicts(ctx), site.matcher.regex, ctx.config.runtime);
      if (r.ok || !/program size/.test(r.error)) continue;
      const size = /program size of (\d+) > max program size of (\d+)/.exec(r.error);
      const detail = size ? `RE2 program size ${size[1]} exceeds the limit ${size[2]}` : r.error;
      ctx.report(this, { node: site.matcher, field: 'regex', path: `${site.path()}.regex` },
        `${site.where()}: ${detail} (runtime re2.max_program_size.error_level); simplify the regex or raise the limit in layered_runtime` +
          (runtimeKnown ? '' : ' (warning only: this route configuration\'s runtime is not in the file)'),
        runtimeKnown ? undefined : 'warning');
    }
  },
};

export const weightedClustersZero: LintRule = {
  id: 'route/weighted-clusters-zero',
  severity: 'error',
  category: 'routing',
  summary: 'The weights of a weighted_clusters action sum to 0.',
  help: 'Envoy rejects weighted clusters whose weights sum to 0: no cluster could ever be picked. Give at least one cluster a positive weight.',
  example: 'weighted_clusters: { clusters: [{ name: a, weight: 0 }, { name: b, weight: 0 }] }',
  check(ctx) {
    for (const r of allRoutes(ctx.model)) {
      const wc = r.route.route?.weighted_clusters;
      if (!wc || !Array.isArray(wc.clusters) || wc.clusters.length === 0) continue;
      const sum = wc.clusters.reduce((s, c) => s + (typeof c.weight === 'number' ? c.weight : 0), 0);
      if (sum > 0) continue;
      ctx.report(this, { node: wc, path: `${r.path}.route.weighted_clusters` },
        `${routeLabel(r)} in ${vhostLabel(r.vhost)}: weighted cluster weights sum to 0, so Envoy rejects the route; give at least one cluster a positive weight`);
    }
  },
};

const PORT_RE = /^(?:\[[^\]]*\]|[^:\]]*):(\d+)$/;

export const domainWithPort: LintRule = {
  id: 'vhost/domain-with-port',
  severity: 'warning',
  category: 'routing',
  summary: 'A virtual host domain carries a port, so it only matches Host headers with that port.',
  help:
    'Envoy compares the whole Host header, port included: "example.com:8080" matches only requests whose Host ' +
    'names port 8080, and with ignore_port_in_host_matching (or strip_any_host_port) it never matches. ' +
    'List the domain without the port as well, or strip the port in the connection manager.',
  example: 'domains: ["example.com:8080"]',
  check(ctx) {
    for (const vh of virtualHosts(ctx.model)) {
      const rc = vh.routeConfig;
      const stripped = rc.routeConfig.ignore_port_in_host_matching === true || stripsPort(rc.hcm);
      const domains = vh.vhost.domains ?? [];
      domains.forEach((d, j) => {
        if (typeof d !== 'string') return;
        const m = PORT_RE.exec(d);
        if (!m) return;
        const host = d.slice(0, d.length - m[1]!.length - 1);
        // The same virtual host also takes the port-less Host (tsproxy's own demo lists both): the
        // pair is deliberate. A "*" does not count: the port-less Host would reach the catch-all.
        if (!stripped && domains.some((other) => typeof other === 'string' && other !== '*' && domainTakes(other, host))) return;
        const msg = stripped
          ? `domain "${d}" carries port ${m[1]}, but ports are stripped before host matching here, so it never matches; use "${host}"`
          : `domain "${d}" only matches Host headers that carry port ${m[1]}; requests for "${host}" get 404 NR — also list "${host}" or strip the port (strip_any_host_port)`;
        ctx.report(this, { node: domains, field: String(j), path: `${vh.path}.domains[${j}]` }, msg);
      });
    }
  },
};

/**
 * Whether virtual host domain `domain` takes Host `host` (Envoy's forms: exact, `*.suffix`,
 * `prefix.*`, `*`; case-insensitive; a wildcard never matches an empty remainder).
 */
function domainTakes(domain: string, host: string): boolean {
  const d = domain.toLowerCase();
  const h = host.toLowerCase();
  if (d === '*' || d === h) return true;
  if (d.length > 1 && d.startsWith('*')) return h.length > d.length - 1 && h.endsWith(d.slice(1));
  if (d.length > 1 && d.endsWith('*')) return h.length > d.length - 1 && h.startsWith(d.slice(0, -1));
  return false;
}

function stripsPort(h: HcmSite | undefined): boolean {
  return h !== undefined && (h.hcm.strip_any_host_port === true || h.hcm.strip_matching_host_port === true);
}

export const noDefaultVirtualHost: LintRule = {
  id: 'route-config/no-default-vhost',
  severity: 'info',
  category: 'routing',
  summary: 'No virtual host has the "*" domain.',
  help:
    'Requests whose Host matches no domain get 404 NR (route_not_found). That may be intended; if not, add a ' +
    'virtual host with domains: ["*"] as the catch-all.',
  example: 'virtual_hosts: [{ name: api, domains: [api.example.com] }]',
  check(ctx) {
    for (const rc of ctx.model.routeConfigs) {
      const vhs = rc.routeConfig.virtual_hosts ?? [];
      if (vhs.length === 0) continue;
      if (vhs.some((v) => (v.domains ?? []).includes('*'))) continue;
      ctx.report(this, { node: rc.routeConfig, field: 'virtual_hosts', path: `${rc.path}.virtual_hosts` },
        `${routeConfigLabel(rc.routeConfig)} has no virtual host with domain "*": requests for other hosts get 404 NR; add a catch-all virtual host if that is not intended`);
    }
  },
};

export const clusterHeaderNoFallback: LintRule = {
  id: 'route/cluster-header-no-fallback',
  severity: 'info',
  category: 'routing',
  summary: 'A cluster_header route matches even when the header is absent.',
  help:
    'When the request lacks the header, a cluster_header route still matches with an empty cluster name and the ' +
    'request gets 503 NC (cluster_not_found). Add a header matcher requiring the header on this route and a later ' +
    'route with a fixed cluster as the fallback.',
  example: 'route: { cluster_header: x-target-cluster }',
  check(ctx) {
    for (const r of allRoutes(ctx.model)) {
      const a = r.route.route;
      if (!a) continue;
      const headers = [a.cluster_header, ...(a.weighted_clusters?.clusters ?? []).map((c) => c.cluster_header)].filter(
        (h): h is string => typeof h === 'string' && h !== '',
      );
      for (const h of headers) {
        const guarded = (r.route.match?.headers ?? []).some(
          (m) => m.name?.toLowerCase() === h.toLowerCase() && m.invert_match !== true && m.treat_missing_header_as_empty !== true,
        );
        if (guarded) continue;
        const field = a.cluster_header === h ? 'cluster_header' : 'weighted_clusters';
        ctx.report(this, { node: a, field, path: `${r.path}.route.${field}` },
          `${routeLabel(r)} in ${vhostLabel(r.vhost)} takes its cluster from header "${h}"; without that header it still matches and returns 503 NC — ` +
            `match on the header (headers: [{name: "${h}", present_match: true}]) and add a fallback route`);
      }
    }
  },
};

export const routingRules: readonly LintRule[] = [
  invalidRegex,
  regexProgramSize,
  weightedClustersZero,
  domainWithPort,
  noDefaultVirtualHost,
  clusterHeaderNoFallback,
];
