/**
 * Trace context extraction as Envoy's drivers read it: W3C `traceparent` / `tracestate`
 * (opentelemetry SpanContextExtractor) and B3 (zipkin SpanContextExtractor: `b3` single header,
 * or `x-b3-traceid` / `x-b3-spanid` / `x-b3-parentspanid` / `x-b3-sampled` / `x-b3-flags`).
 */
import { isValidHexId } from './ids.js';

type Headers = Readonly<Record<string, string | string[] | undefined>>;

/** A propagated parent: its trace id, span id (the new span's parent) and sampled flag. */
export interface SpanContext {
  readonly traceId: string;
  readonly spanId: string;
  /** B3 only: the parent's own parent (kept by a shared Zipkin server span). */
  readonly parentId?: string;
  readonly sampled: boolean;
  readonly tracestate: string;
}

/**
 * `none`: no propagation header, start a root span; `invalid`: a header that does not parse
 * (Envoy then returns a null span: nothing is traced); otherwise the context.
 */
export type Extracted = { readonly kind: 'none' } | { readonly kind: 'invalid' } | { readonly kind: 'context'; readonly context: SpanContext };

const NONE: Extracted = { kind: 'none' };
const INVALID: Extracted = { kind: 'invalid' };

function first(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

/** W3C trace context: `00-<32 hex>-<16 hex>-<2 hex>`, 55 characters; ids not all zero. */
export function extractW3c(headers: Headers): Extracted {
  const tp = first(headers['traceparent']);
  if (tp === undefined) return NONE;
  if (tp.length !== 55 || tp[2] !== '-' || tp[35] !== '-' || tp[52] !== '-') return INVALID;
  const version = tp.slice(0, 2);
  const traceId = tp.slice(3, 35).toLowerCase();
  const spanId = tp.slice(36, 52).toLowerCase();
  const flags = tp.slice(53, 55);
  if (!/^[0-9a-fA-F]{2}$/.test(version) || version.toLowerCase() === 'ff' || !/^[0-9a-fA-F]{2}$/.test(flags)) return INVALID;
  if (!isValidHexId(traceId, 32) || !isValidHexId(spanId, 16)) return INVALID;
  const ts = headers['tracestate'];
  const tracestate = ts === undefined ? '' : Array.isArray(ts) ? ts.join(',') : ts;
  return { kind: 'context', context: { traceId, spanId, sampled: (parseInt(flags, 16) & 1) === 1, tracestate } };
}

/**
 * Zipkin's sampled decision (SpanContextExtractor::extractSampled): the `b3` header's flag, else
 * `x-b3-sampled` (`1` or `true`), `x-b3-flags: 1` (debug), else the HCM's own decision.
 */
export function extractB3Sampled(headers: Headers, decision: boolean): boolean {
  const b3 = first(headers['b3']);
  if (b3 !== undefined) {
    const parts = b3.split('-');
    const s = parts.length === 1 ? parts[0] : parts[2];
    if (s === '1' || s === 'd') return true;
    if (s === '0') return false;
    return decision;
  }
  if (first(headers['x-b3-flags']) === '1') return true;
  const sampled = first(headers['x-b3-sampled']);
  if (sampled === undefined) return decision;
  return sampled === '1' || sampled === 'true';
}

function validB3TraceId(id: string): boolean {
  return isValidHexId(id, 16) || isValidHexId(id, 32);
}

/** B3 ids (SpanContextExtractor::extractSpanContext); `sampled` from extractB3Sampled. */
export function extractB3(headers: Headers, sampled: boolean): Extracted {
  const b3 = first(headers['b3']);
  if (b3 !== undefined) {
    const parts = b3.split('-');
    if (parts.length === 1) return NONE; // only a sampling decision
    const [traceId, spanId, , parentId] = parts as [string, string, string?, string?];
    if (!validB3TraceId(traceId.toLowerCase()) || !isValidHexId(spanId.toLowerCase(), 16)) return INVALID;
    if (parentId !== undefined && !isValidHexId(parentId.toLowerCase(), 16)) return INVALID;
    return { kind: 'context', context: { traceId: traceId.toLowerCase(), spanId: spanId.toLowerCase(), ...(parentId ? { parentId: parentId.toLowerCase() } : {}), sampled, tracestate: '' } };
  }
  const traceId = first(headers['x-b3-traceid']);
  const spanId = first(headers['x-b3-spanid']);
  if (traceId === undefined && spanId === undefined) return NONE;
  if (traceId === undefined || spanId === undefined) return INVALID;
  const t = traceId.toLowerCase();
  const s = spanId.toLowerCase();
  if (!validB3TraceId(t) || !isValidHexId(s, 16)) return INVALID;
  const p = first(headers['x-b3-parentspanid'])?.toLowerCase();
  if (p !== undefined && !isValidHexId(p, 16)) return INVALID;
  return { kind: 'context', context: { traceId: t, spanId: s, ...(p ? { parentId: p } : {}), sampled, tracestate: '' } };
}
