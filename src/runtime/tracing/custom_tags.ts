/**
 * `custom_tags` (envoy.type.tracing.v3.CustomTag) compiled once per HCM or route: `literal`,
 * `environment` (read once at config time, as Envoy reads it), `request_header` (first value, or
 * `default_value`) and `metadata` of kind `route` (the route's metadata); metadata kinds
 * `request`, `cluster` and `host` have no metadata in tsproxy's stream and give `default_value`.
 * A tag whose value is empty is not set (Envoy's CustomTagBase::apply).
 */
import type { Metadata } from '../../config/types.js';
import type { CustomTag } from '../../config/tracing_types.js';
import type { Span } from './span.js';

type Headers = Readonly<Record<string, string | string[] | undefined>>;

/** What a custom tag reads its value from. */
export interface CustomTagContext {
  readonly headers: Headers;
  readonly routeMetadata: Metadata | undefined;
}

export interface CompiledCustomTag {
  readonly tag: string;
  apply(span: Span, ctx: CustomTagContext): void;
}

function setIfNotEmpty(span: Span, tag: string, value: string | undefined): void {
  if (value !== undefined && value !== '') span.setTag(tag, value);
}

function metadataValue(meta: Metadata | undefined, key: { key: string; path?: Array<{ key?: string }> } | undefined): unknown {
  if (meta === undefined || key === undefined) return undefined;
  let v: unknown = meta.filter_metadata?.[key.key];
  for (const seg of key.path ?? []) {
    if (v === null || typeof v !== 'object' || Array.isArray(v) || seg.key === undefined) return undefined;
    v = (v as Record<string, unknown>)[seg.key];
  }
  return v;
}

/** Envoy prints a metadata value: booleans and numbers as text, lists and structs as JSON. */
function metadataText(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') return String(v);
  if (v !== null && typeof v === 'object') return JSON.stringify(v);
  return undefined;
}

/** Compiles one tag; `env` is the process environment (read once). */
export function compileCustomTag(t: CustomTag, env: Readonly<Record<string, string | undefined>>): CompiledCustomTag | undefined {
  const tag = t.tag;
  if (t.literal !== undefined) {
    const value = t.literal.value;
    return { tag, apply: (span) => setIfNotEmpty(span, tag, value) };
  }
  if (t.environment !== undefined) {
    const value = env[t.environment.name] ?? t.environment.default_value ?? '';
    return { tag, apply: (span) => setIfNotEmpty(span, tag, value) };
  }
  if (t.request_header !== undefined) {
    const name = t.request_header.name.toLowerCase();
    const def = t.request_header.default_value;
    return {
      tag,
      apply: (span, ctx) => {
        const v = ctx.headers[name];
        setIfNotEmpty(span, tag, v === undefined ? def : Array.isArray(v) ? v[0] : v);
      },
    };
  }
  if (t.metadata !== undefined) {
    const m = t.metadata;
    const def = m.default_value;
    const routeKind = m.kind?.route !== undefined;
    return {
      tag,
      apply: (span, ctx) => {
        const text = routeKind ? metadataText(metadataValue(ctx.routeMetadata, m.metadata_key)) : undefined;
        setIfNotEmpty(span, tag, text ?? def);
      },
    };
  }
  return undefined;
}

/** Compiles a list; a route's tags are merged over the HCM's by tag name (the route's win). */
export function compileCustomTags(tags: readonly CustomTag[] | undefined, env: Readonly<Record<string, string | undefined>>, base: readonly CompiledCustomTag[] = []): CompiledCustomTag[] {
  const out = new Map<string, CompiledCustomTag>();
  for (const b of base) out.set(b.tag, b);
  for (const t of tags ?? []) {
    const c = compileCustomTag(t, env);
    if (c !== undefined) out.set(c.tag, c);
  }
  return [...out.values()];
}
