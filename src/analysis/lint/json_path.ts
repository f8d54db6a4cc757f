/**
 * JSON paths for diagnostics. Rules build paths while they walk (`$.static_resources.clusters[0]`);
 * only top-level objects whose place the LoadedConfig does not record (sections of an admin
 * `/config_dump`) are looked up by position through a resolver.
 */
import { positionOf } from '../../config/position.js';

/** Finds the JSON path of a decoded top-level object. */
export interface JsonPathResolver {
  /** The object's path in the file, or `fallback` when it cannot be told. */
  pathOf(node: object, fallback: string): string;
}

/** A resolver that knows nothing: every lookup yields its fallback. */
export const noPaths: JsonPathResolver = { pathOf: (_node, fallback) => fallback };

/**
 * A resolver that defers the lookup: it hands out placeholder paths and, once findings exist,
 * `finish` replaces the placeholders with `lookup`'s answer (run at most once, and only when a
 * finding needs it, since it re-reads the source).
 */
export class DeferredPaths implements JsonPathResolver {
  private readonly nodes: { node: object; fallback: string }[] = [];

  pathOf(node: object, fallback: string): string {
    this.nodes.push({ node, fallback });
    return `\u0000${this.nodes.length - 1}\u0000`;
  }

  /** Rewrites placeholder paths in `paths` (in place, through `set`). */
  finish(count: number, get: (i: number) => string, set: (i: number, path: string) => void, lookup: () => ReadonlyMap<string, string>): void {
    let table: ReadonlyMap<string, string> | undefined;
    const resolved = new Map<number, string>();
    for (let i = 0; i < count; i++) {
      const path = get(i);
      if (!path.includes('\u0000')) continue;
      set(i, path.replace(/\u0000(\d+)\u0000/g, (_, id: string) => {
        const n = Number(id);
        let r = resolved.get(n);
        if (r === undefined) {
          table ??= lookup();
          const e = this.nodes[n]!;
          const p = positionOf(e.node);
          r = (p && table.get(`${p.line}:${p.col}`)) ?? e.fallback;
          resolved.set(n, r);
        }
        return r;
      }));
    }
  }
}

/** Appends a property to a JSON path, quoting names that are not identifiers. */
export function child(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return /^[A-Za-z_@][A-Za-z0-9_@]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}
