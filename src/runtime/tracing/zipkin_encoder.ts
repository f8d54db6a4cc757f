/**
 * Zipkin v2 JSON encoding (`collector_endpoint_version: HTTP_JSON`): a JSON array of spans as the
 * Zipkin API's `POST /api/v2/spans` takes them (zipkin2 model: traceId, id, parentId, name, kind,
 * timestamp and duration in microseconds, localEndpoint, tags, shared).
 */
import type { Span } from './span.js';

/** The proxy as a Zipkin endpoint: the node's cluster name and its address. */
export interface ZipkinEndpoint {
  readonly serviceName: string;
  readonly ipv4?: string;
  readonly ipv6?: string;
}

export function encodeZipkinJson(spans: readonly Span[], local: ZipkinEndpoint): string {
  const out = spans.map((s) => {
    const tags: Record<string, string> = {};
    const t = s.tags;
    for (let i = 0; i < t.length; i += 2) tags[t[i]!] = t[i + 1]!;
    return {
      traceId: s.traceId,
      id: s.spanId,
      ...(s.parentId !== undefined ? { parentId: s.parentId } : {}),
      name: s.name,
      kind: s.kind,
      timestamp: Math.round(s.startUs),
      duration: Math.max(1, Math.round(s.endUs - s.startUs)),
      localEndpoint: local,
      tags,
      ...(s.shared ? { shared: true } : {}),
    };
  });
  return JSON.stringify(out);
}
