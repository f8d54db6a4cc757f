/**
 * `envoy.type.matcher.v3.StringMatcher`, compiled (Envoy's Matchers::StringMatcherImpl).
 * `ignore_case` applies to exact/prefix/suffix/contains, not to safe_regex (Envoy docs).
 * An `exact` value that looks like a regex is compared literally.
 */
import type { RegexMatcher, StringMatcher } from '../config/types.js';
import { report, type CompileContext } from './compile_context.js';
import { compileRegex, regexFullMatch, type CompiledRegex } from './regex.js';

export type StringMatchKind = 'exact' | 'prefix' | 'suffix' | 'contains' | 'safe_regex' | 'none';

export class CompiledStringMatcher {
  constructor(
    readonly kind: StringMatchKind,
    /** The literal to compare (lowercased when ignoreCase). */
    readonly value: string,
    readonly ignoreCase: boolean,
    readonly regex: CompiledRegex | undefined,
  ) {}

  match(input: string): boolean {
    const v = this.ignoreCase && this.kind !== 'safe_regex' ? input.toLowerCase() : input;
    switch (this.kind) {
      case 'exact':
        return v === this.value;
      case 'prefix':
        return v.startsWith(this.value);
      case 'suffix':
        return v.endsWith(this.value);
      case 'contains':
        return v.includes(this.value);
      case 'safe_regex':
        // A regex that failed to compile never matches (the config error was reported).
        return this.regex !== undefined && regexFullMatch(this.regex, input);
      case 'none':
        return false;
    }
  }

  /** `exact "foo"`, `prefix "/a" (ignore_case)`: for traces and explain. */
  describe(): string {
    const v = this.kind === 'safe_regex' ? (this.regex?.pattern ?? this.value) : this.value;
    return `${this.kind} ${JSON.stringify(v)}${this.ignoreCase && this.kind !== 'safe_regex' ? ' (ignore_case)' : ''}`;
  }
}

/** Compiles a RegexMatcher, reporting failures at its `regex` field. */
export function compileRegexMatcher(rm: RegexMatcher, ctx: CompileContext, path: string): CompiledRegex | undefined {
  const r = compileRegex(rm.regex ?? '', ctx.runtime, rm.google_re2?.max_program_size);
  if (!r.ok) {
    const rule = r.error.includes('program size') ? 'route/regex-program-size' : 'route/invalid-regex';
    report(ctx, 'error', rule, r.error, `${path}.regex`, rm, 'regex');
    return undefined;
  }
  if (r.warning !== undefined) report(ctx, 'warning', 'route/regex-program-size', r.warning, `${path}.regex`, rm, 'regex');
  return r.regex;
}

export function compileStringMatcher(sm: StringMatcher, ctx: CompileContext, path: string): CompiledStringMatcher {
  const ic = sm.ignore_case === true;
  const fold = (s: string): string => (ic ? s.toLowerCase() : s);
  if (sm.exact !== undefined) return new CompiledStringMatcher('exact', fold(sm.exact), ic, undefined);
  if (sm.prefix !== undefined) return new CompiledStringMatcher('prefix', fold(sm.prefix), ic, undefined);
  if (sm.suffix !== undefined) return new CompiledStringMatcher('suffix', fold(sm.suffix), ic, undefined);
  if (sm.contains !== undefined) return new CompiledStringMatcher('contains', fold(sm.contains), ic, undefined);
  if (sm.safe_regex !== undefined) {
    const re = compileRegexMatcher(sm.safe_regex, ctx, `${path}.safe_regex`);
    return new CompiledStringMatcher('safe_regex', sm.safe_regex.regex ?? '', false, re);
  }
  // Envoy rejects a StringMatcher with no pattern (validation: oneof required).
  report(ctx, 'error', 'schema/required', 'StringMatcher needs one of exact, prefix, suffix, contains, safe_regex', path, sm);
  return new CompiledStringMatcher('none', '', false, undefined);
}
