/**
 * `envoy.config.route.v3.QueryParameterMatcher`, compiled (Envoy's
 * ConfigUtility::QueryParameterMatcher). Only the first occurrence of a parameter counts. The
 * query string is not URL-decoded (Envoy: Utility::QueryParamsMulti::parseQueryString); a
 * parameter without `=` has the value "" just like `name=`.
 */
import type { QueryParameterMatcher } from '../config/types.js';
import type { CompileContext } from './compile_context.js';
import { compileStringMatcher, type CompiledStringMatcher } from './string_matcher.js';

/** First value of query parameter `name` in `path` (undefined when absent). */
export function firstQueryParam(path: string, name: string): string | undefined {
  const q = path.indexOf('?');
  if (q < 0) return undefined;
  let start = q + 1;
  const end = path.length;
  while (start <= end) {
    let amp = path.indexOf('&', start);
    if (amp < 0) amp = end;
    const eq = path.indexOf('=', start);
    if (eq >= 0 && eq < amp) {
      if (eq - start === name.length && path.startsWith(name, start)) return path.slice(eq + 1, amp);
    } else if (amp - start === name.length && path.startsWith(name, start) && amp > start) {
      return '';
    }
    start = amp + 1;
  }
  return undefined;
}

export class CompiledQueryParameterMatcher {
  constructor(
    readonly name: string,
    readonly config: QueryParameterMatcher,
    private readonly stringMatcher: CompiledStringMatcher | undefined,
    private readonly presentMatch: boolean | undefined,
  ) {}

  matches(path: string): boolean {
    const v = firstQueryParam(path, this.name);
    if (v === undefined) return false;
    if (this.presentMatch !== undefined) return this.presentMatch;
    if (this.stringMatcher === undefined) return true;
    return this.stringMatcher.match(v);
  }

  describe(): string {
    if (this.presentMatch !== undefined) return `query parameter ${JSON.stringify(this.name)} present_match ${this.presentMatch}`;
    if (this.stringMatcher === undefined) return `query parameter ${JSON.stringify(this.name)} present`;
    return `query parameter ${JSON.stringify(this.name)} ${this.stringMatcher.describe()}`;
  }
}

export function compileQueryParameterMatcher(qm: QueryParameterMatcher, ctx: CompileContext, path: string): CompiledQueryParameterMatcher {
  const sm = qm.string_match !== undefined ? compileStringMatcher(qm.string_match, ctx, `${path}.string_match`) : undefined;
  return new CompiledQueryParameterMatcher(qm.name ?? '', qm, sm, qm.present_match);
}
