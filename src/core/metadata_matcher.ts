/**
 * `envoy.type.matcher.v3.MetadataMatcher` for `RouteMatch.dynamic_metadata` (Envoy's
 * Matchers::MetadataMatcher): look up `filter` then `path[].key` in the request's dynamic
 * metadata and apply a ValueMatcher; `invert` negates.
 */
import type { StringMatcher } from '../config/types.js';
import type { CompileContext } from './compile_context.js';
import { report } from './compile_context.js';
import { compileStringMatcher, type CompiledStringMatcher } from './string_matcher.js';

/** `envoy.type.matcher.v3.ValueMatcher` as decoded (types.ts keeps dynamic_metadata loose). */
export interface ValueMatcherConfig {
  null_match?: Record<string, never>;
  double_match?: { range?: { start?: number; end?: number }; exact?: number };
  string_match?: StringMatcher;
  bool_match?: boolean;
  present_match?: boolean;
  list_match?: { one_of?: ValueMatcherConfig };
  or_match?: { value_matchers?: ValueMatcherConfig[] };
}

/** `envoy.type.matcher.v3.MetadataMatcher` as decoded. */
export interface MetadataMatcherConfig {
  filter: string;
  path?: { key: string }[];
  value?: ValueMatcherConfig;
  invert?: boolean;
}

type ValueMatch = (v: unknown) => boolean;

function compileValueMatcher(vm: ValueMatcherConfig | undefined, ctx: CompileContext, path: string): ValueMatch {
  if (vm === undefined) return () => false;
  if (vm.null_match !== undefined) return (v) => v === null;
  if (vm.double_match !== undefined) {
    const dm = vm.double_match;
    if (dm.exact !== undefined) return (v) => typeof v === 'number' && v === dm.exact;
    const start = dm.range?.start ?? -Infinity;
    const end = dm.range?.end ?? Infinity;
    return (v) => typeof v === 'number' && v >= start && v < end;
  }
  if (vm.string_match !== undefined) {
    const sm: CompiledStringMatcher = compileStringMatcher(vm.string_match, ctx, `${path}.string_match`);
    return (v) => typeof v === 'string' && sm.match(v);
  }
  if (vm.bool_match !== undefined) return (v) => typeof v === 'boolean' && v === vm.bool_match;
  if (vm.present_match !== undefined) {
    const want = vm.present_match;
    return (v) => (v !== undefined) === want;
  }
  if (vm.list_match !== undefined) {
    const one = compileValueMatcher(vm.list_match.one_of, ctx, `${path}.list_match.one_of`);
    return (v) => Array.isArray(v) && v.some(one);
  }
  if (vm.or_match !== undefined) {
    const ms = (vm.or_match.value_matchers ?? []).map((m, i) => compileValueMatcher(m, ctx, `${path}.or_match.value_matchers[${i}]`));
    return (v) => ms.some((m) => m(v));
  }
  report(ctx, 'error', 'schema/required', 'ValueMatcher needs one match pattern', path, vm);
  return () => false;
}

export class CompiledMetadataMatcher {
  constructor(
    readonly config: MetadataMatcherConfig,
    private readonly keys: readonly string[],
    private readonly value: ValueMatch,
  ) {}

  matches(dynamicMetadata: Readonly<Record<string, unknown>> | undefined): boolean {
    let cur: unknown = dynamicMetadata?.[this.config.filter];
    for (const k of this.keys) {
      if (cur === null || typeof cur !== 'object' || Array.isArray(cur)) {
        cur = undefined;
        break;
      }
      cur = (cur as Record<string, unknown>)[k];
    }
    return this.value(cur) !== (this.config.invert === true);
  }

  describe(): string {
    return `dynamic_metadata ${this.config.filter}${this.keys.map((k) => '.' + k).join('')}${this.config.invert ? ' (inverted)' : ''}`;
  }
}

export function compileMetadataMatcher(m: MetadataMatcherConfig, ctx: CompileContext, path: string): CompiledMetadataMatcher {
  const keys = (m.path ?? []).map((p) => p.key);
  return new CompiledMetadataMatcher(m, keys, compileValueMatcher(m.value, ctx, `${path}.value`));
}
