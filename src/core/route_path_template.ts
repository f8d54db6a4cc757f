/**
 * A route's URI templates: `RouteMatch.path_match_policy`
 * (`envoy.path.match.uri_template.uri_template_matcher`) and `RouteAction.path_rewrite_policy`
 * (`envoy.path.rewrite.uri_template.uri_template_rewriter`), compiled and validated at load with
 * the position of the template and the character at fault, as Envoy refuses a route
 * configuration whose templates do not parse. Pure.
 */
import type { RouteAction, TypedExtensionConfig } from '../config/types.js';
import { report, type CompileContext } from './compile_context.js';
import { compileUriMatchTemplate, compileUriRewriteTemplate, rewriteUriTemplate, type UriMatchTemplate, type UriRewriteTemplate } from './uri_template.js';

const MATCH_TYPE = 'envoy.extensions.path.match.uri_template.v3.UriTemplateMatchConfig';
const REWRITE_TYPE = 'envoy.extensions.path.rewrite.uri_template.v3.UriTemplateRewriteConfig';
const MATCH_NAME = 'envoy.path.match.uri_template.uri_template_matcher';
const REWRITE_NAME = 'envoy.path.rewrite.uri_template.uri_template_rewriter';

function typeNameOf(url: unknown): string | undefined {
  return typeof url === 'string' ? url.slice(url.lastIndexOf('/') + 1) : undefined;
}

/** The compiled templates of one route (either may be undefined: absent or reported invalid). */
export function compileRoutePathTemplates(
  matchPolicy: TypedExtensionConfig | undefined,
  action: RouteAction | undefined,
  ctx: CompileContext,
  path: string,
): { match?: UriMatchTemplate; rewrite?: UriRewriteTemplate } {
  let match: UriMatchTemplate | undefined;
  const mpath = `${path}.match.path_match_policy`;
  if (matchPolicy !== undefined) {
    const tc = matchPolicy.typed_config;
    const t = typeNameOf(tc?.['@type']);
    if (t !== MATCH_TYPE) {
      report(ctx, 'error', 'route/path-template', `path_match_policy "${matchPolicy.name}" (${t ?? 'no typed_config'}) is not a path matcher tsproxy implements: only ${MATCH_NAME} (${MATCH_TYPE}); the route never matches`, mpath, matchPolicy);
    } else {
      const template = String((tc as { path_template?: unknown }).path_template ?? '');
      const c = compileUriMatchTemplate(template);
      if (c.ok) match = c;
      else report(ctx, 'error', 'route/path-template', `path_template "${template}" is invalid at character ${c.offset + 1}: ${c.error}`, `${mpath}.typed_config.path_template`, tc!, 'path_template');
    }
  }
  let rewrite: UriRewriteTemplate | undefined;
  const rp = action?.path_rewrite_policy;
  if (rp !== undefined) {
    const rpath = `${path}.route.path_rewrite_policy`;
    const tc = rp.typed_config;
    const t = typeNameOf(tc?.['@type']);
    if (t !== REWRITE_TYPE) {
      report(ctx, 'error', 'route/path-template', `path_rewrite_policy "${rp.name}" (${t ?? 'no typed_config'}) is not a path rewriter tsproxy implements: only ${REWRITE_NAME} (${REWRITE_TYPE})`, rpath, rp);
    } else if (matchPolicy === undefined || typeNameOf(matchPolicy.typed_config?.['@type']) !== MATCH_TYPE) {
      // Envoy's UriTemplateRewriter::isCompatiblePathMatcher.
      report(ctx, 'error', 'route/path-template', `Unable to use ${REWRITE_NAME} extension without ${MATCH_NAME} extension: path_rewrite_policy needs the route to match with path_match_policy`, rpath, rp);
    } else {
      const template = String((tc as { path_template_rewrite?: unknown }).path_template_rewrite ?? '');
      const c = compileUriRewriteTemplate(template, match);
      if (c.ok) rewrite = match ? c : undefined;
      else report(ctx, 'error', 'route/path-template', `path_template_rewrite "${template}" is invalid at character ${c.offset + 1}: ${c.error}`, `${rpath}.typed_config.path_template_rewrite`, tc!, 'path_template_rewrite');
    }
  }
  return { match, rewrite };
}

/**
 * Envoy's path_rewrite_policy step of finalizePathHeader: the path (query kept) rewritten by the
 * route's templates, or undefined when the route has none or the rewrite does not apply.
 */
export function rewritePathByTemplate(
  route: { readonly pathTemplate?: UriMatchTemplate; readonly pathRewriteTemplate?: UriRewriteTemplate },
  path: string,
  pathEnd: number,
): string | undefined {
  if (route.pathTemplate === undefined || route.pathRewriteTemplate === undefined) return undefined;
  const rewritten = rewriteUriTemplate(route.pathRewriteTemplate, route.pathTemplate, path.slice(0, pathEnd));
  return rewritten === undefined ? undefined : rewritten + path.slice(pathEnd);
}
