/** Small builders for admin responses. */
import type { AdminResponse } from './types.js';

export function textResponse(status: number, body: string, contentType?: string): AdminResponse {
  return { status, headers: contentType ? { 'content-type': contentType } : {}, body };
}

/** `application/json` (Envoy's ContentTypeValues.Json). */
export function jsonResponse(status: number, body: string): AdminResponse {
  return { status, headers: { 'content-type': 'application/json' }, body };
}

/** Envoy pretty-prints admin JSON with two spaces (MessageUtil::getJsonStringFromMessage, pretty). */
export function prettyJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2) + '\n';
}
