/**
 * `route/path-template`: URI templates (`path_match_policy`, `path_rewrite_policy`) that Envoy
 * refuses at load. The check is the core's own compilation (core/route_path_template.ts), so lint
 * says exactly what `match`, `test` and `serve` say, at the same position.
 */
import type { CompileContext } from '../../../core/compile_context.js';
import { compileRoutePathTemplates } from '../../../core/route_path_template.js';
import type { LintRule } from '../rule.js';
import { allRoutes } from '../walk.js';

export const pathTemplate: LintRule = {
  id: 'route/path-template',
  severity: 'error',
  category: 'routing',
  summary: 'A URI template (path_match_policy / path_rewrite_policy) Envoy refuses.',
  help:
    'Envoy parses path_template and path_template_rewrite when it loads the route configuration and rejects an ' +
    'invalid one: literals of RFC 3986 pchars (no * or =), * and ** operators, {var} or {var=...} captures (at most 5, ' +
    'names of 1-16 characters), nothing after **; a rewrite may only use variables the match template captures, and ' +
    'needs the uri_template matcher. The message names the character at fault.',
  example: 'path_match_policy: { name: envoy.path.match.uri_template.uri_template_matcher, typed_config: { "@type": type.googleapis.com/envoy.extensions.path.match.uri_template.v3.UriTemplateMatchConfig, path_template: "/videos/{id" } }',
  check(ctx) {
    for (const site of allRoutes(ctx.model)) {
      const r = site.route;
      if (r.match?.path_match_policy === undefined && r.route?.path_rewrite_policy === undefined) continue;
      const cc: CompileContext = { runtime: ctx.config.runtime, diagnostics: [], file: ctx.file };
      compileRoutePathTemplates(r.match?.path_match_policy, r.route, cc, site.path);
      for (const d of cc.diagnostics) ctx.diagnostics.push({ ...d, file: ctx.file, rule: this.id, severity: this.severity });
    }
  },
};
