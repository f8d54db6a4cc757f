/**
 * `?mask=` of `/config_dump` (protobuf's FieldMaskUtil as Envoy's config dump handler uses it):
 * comma-separated paths of snake_case field names; every path must name fields of the message
 * (intermediate fields singular messages), else the mask is invalid for that message; the
 * message is trimmed to the named fields. Works on proto3 JSON objects with the schema's
 * descriptors.
 */
import type { MessageDescriptor } from '../../config/schema/descriptor.js';

/** FieldMaskUtil::FromString. */
export function parseFieldMask(mask: string): string[] {
  return mask.split(',').map((p) => p.trim()).filter((p) => p !== '');
}

/** FieldMaskUtil::GetFieldDescriptors: does `path` name a field of `desc`? */
export function validPath(desc: MessageDescriptor, path: string): boolean {
  let d = desc;
  const frags = path.split('.');
  for (let i = 0; i < frags.length; i++) {
    const f = d.fields[frags[i]!];
    if (!f) return false;
    if (i === frags.length - 1) return true;
    if (f.type.k !== 'message' || f.repeated || f.map) return false;
    d = f.type.ref();
  }
  return true;
}

interface Tree {
  [field: string]: Tree;
}

/** FieldMaskUtil::TrimMessage on a JSON object (paths already validated). */
export function trimMessage(obj: Record<string, unknown>, paths: readonly string[]): Record<string, unknown> {
  const tree: Tree = {};
  for (const p of paths) {
    let t = tree;
    for (const f of p.split('.')) t = t[f] ??= {};
  }
  return trimWith(obj, tree);
}

function trimWith(obj: Record<string, unknown>, tree: Tree): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) {
    const sub = tree[k];
    if (sub === undefined) continue;
    if (Object.keys(sub).length === 0) out[k] = v;
    else if (v !== null && typeof v === 'object' && !Array.isArray(v)) out[k] = trimWith(v as Record<string, unknown>, sub);
  }
  return out;
}
