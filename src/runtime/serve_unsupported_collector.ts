/**
 * Where serve's startup checks (serve_support.ts and the serve_unsupported_*.ts files it runs)
 * put what they find: a Collector of positioned diagnostics, and the small readers they share
 * for config nodes the decoder keeps raw. Pure: reads the config and its positions only.
 */
import type { Diagnostic, Severity } from '../config/diagnostic.js';
import { fieldPositionOf, jsonPathOf, positionOf } from '../config/position.js';
import { typeNameOf } from '../config/schema/registry.js';

/** The rule id of every `serveUnsupported` diagnostic but the TLS and ORIGINAL_DST errors. */
export const SERVE_UNSUPPORTED_RULE = 'serve/unsupported';

/** `type.googleapis.com/a.b.C` -> `a.b.C`; undefined for anything but a string. */
export function typeName(url: unknown): string | undefined {
  return typeof url === 'string' ? typeNameOf(url) : undefined;
}

/** A raw (undecoded) object's field, in snake_case or lowerCamelCase. */
export function rawField(obj: unknown, snake: string): unknown {
  if (obj === null || typeof obj !== 'object') return undefined;
  const o = obj as Record<string, unknown>;
  if (o[snake] !== undefined) return o[snake];
  return o[snake.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase())];
}

/** Whether a field is configured: present, not null, not an empty list. */
export const isSet = (v: unknown): boolean => v !== undefined && v !== null && !(Array.isArray(v) && v.length === 0);

/** The diagnostics of one `serveUnsupported` run, each at the position where the user wrote it. */
export class Collector {
  readonly out: Diagnostic[] = [];
  /** `file`: the config's file, for nodes the decoder recorded no position for. */
  constructor(private readonly file: string) {}

  /**
   * A diagnostic at `node.field` (where the user wrote the field; the node itself when `field`
   * is undefined). `basePath` is the node's JSON path when the decoder did not record one.
   */
  add(severity: Severity, node: object, field: string | undefined, basePath: string, message: string, rule = SERVE_UNSUPPORTED_RULE): void {
    // A field that is absent (a required one missing) is reported at its message.
    const pos = (field === undefined ? undefined : fieldPositionOf(node, field)) ?? positionOf(node);
    const base = jsonPathOf(node) ?? basePath;
    this.out.push({
      file: pos?.file ?? this.file,
      line: pos?.line ?? 1,
      col: pos?.col ?? 1,
      ...(pos?.endLine !== undefined ? { endLine: pos.endLine, endCol: pos.endCol } : {}),
      severity,
      rule,
      message,
      path: field === undefined ? base : /^\d+$/.test(field) ? `${base}[${field}]` : `${base}.${field}`,
    });
  }

  /** A `serve/unsupported` warning at `node.field`: serve starts without the feature. */
  warn(node: object, field: string, basePath: string, message: string): void {
    this.add('warning', node, field, basePath, message);
  }
}
