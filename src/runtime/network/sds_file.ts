/**
 * File-based SDS (Envoy's `sds_config: {path_config_source: {path}}`, or the deprecated
 * `sds_config.path`): the file holds a DiscoveryResponse-shaped document whose `resources` are
 * `envoy.extensions.transport_sockets.tls.v3.Secret`s (YAML or JSON). Reads one secret by name.
 * Field names are accepted in snake_case or lowerCamelCase, as in the main config.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type { Secret } from '../../config/tls_types.js';

const SECRET_TYPE = 'envoy.extensions.transport_sockets.tls.v3.Secret';

function snake(key: string): string {
  return key.startsWith('@') ? key : key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

function toSnake(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(toSnake);
  if (v === null || typeof v !== 'object') return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) out[snake(k)] = toSnake(x);
  return out;
}

/** The secret named `name` in the SDS file at `path` (`name` empty: the only one), or why not. */
export function readSdsSecret(path: string, name: string | undefined): { readonly secret: Secret } | { readonly error: string } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    return { error: `cannot read the SDS file ${path}: ${e.code ?? e.message}` };
  }
  let doc: unknown;
  try {
    doc = toSnake(parse(text));
  } catch (err) {
    return { error: `the SDS file ${path} does not parse: ${(err as Error).message.split('\n')[0]}` };
  }
  const resources = (doc as { resources?: unknown } | null)?.resources;
  if (!Array.isArray(resources)) return { error: `the SDS file ${path} has no "resources" list` };
  const secrets = resources.filter((r): r is Secret & { '@type'?: string } => {
    if (r === null || typeof r !== 'object') return false;
    const t = (r as { '@type'?: unknown })['@type'];
    return typeof t === 'string' && t.slice(t.lastIndexOf('/') + 1) === SECRET_TYPE;
  });
  const found = name ? secrets.find((s) => s.name === name) : secrets.length === 1 ? secrets[0] : undefined;
  if (!found) return { error: `the SDS file ${path} has no Secret named "${name ?? ''}"` };
  return { secret: found };
}
