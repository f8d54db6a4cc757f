/**
 * Source lookups lint needs beyond what the decoder records, done on demand over the loader's own
 * source tree (fast JSON scanner, or the YAML front end):
 * - the range of a JSON path (scalar list items such as one domain, which the decoder does not
 *   position one by one);
 * - the JSON paths of the resources of an admin `/config_dump` (which the LoadedConfig flattens).
 */
import type { SourcePosition } from '../../config/diagnostic.js';
import { MAX_ALIAS_EXPANSION_NODES, MAX_CONFIG_DEPTH } from '../../config/defaults.js';
import { scanJson } from '../../config/json_source.js';
import { LineIndex, type SrcNode } from '../../config/source.js';
import { parseYamlSource } from '../../config/yaml_source.js';
import { child } from './json_path.js';

const SEGMENT = /\.([A-Za-z_@][A-Za-z0-9_@]*)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]/g;

/** Splits `$.a.b[0]["x.y"]` into `['a', 'b', 0, 'x.y']`. */
export function parseJsonPath(path: string): (string | number)[] {
  const out: (string | number)[] = [];
  SEGMENT.lastIndex = 0;
  for (let m = SEGMENT.exec(path); m; m = SEGMENT.exec(path)) {
    if (m[1] !== undefined) out.push(m[1]);
    else if (m[2] !== undefined) out.push(Number(m[2]));
    else out.push(JSON.parse(m[3]!) as string);
  }
  return out;
}

/** proto3 JSON accepts lowerCamelCase for every snake_case field. */
function camel(s: string): string {
  return s.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

function entry(node: SrcNode | undefined, key: string): SrcNode | undefined {
  if (!node || node.t !== 'map') return undefined;
  const alt = camel(key);
  return node.entries.find((e) => e.key === key || e.key === alt)?.value;
}

function items(node: SrcNode | undefined): SrcNode[] {
  return node && node.t === 'seq' ? node.items : [];
}

/** Config dump sections: (list field, path to the resource inside an item). */
const DUMP_SECTIONS: readonly (readonly [string, readonly string[]])[] = [
  ['static_listeners', ['listener']],
  ['dynamic_listeners', ['active_state', 'listener']],
  ['static_clusters', ['cluster']],
  ['dynamic_active_clusters', ['cluster']],
  ['static_route_configs', ['route_config']],
  ['dynamic_route_configs', ['route_config']],
];

/** Lazily parsed source of one config text. */
export class SourceTree {
  private root: SrcNode | null | undefined;
  private lines: LineIndex | undefined;

  constructor(
    private readonly text: string,
    private readonly file: string,
  ) {}

  private tree(): SrcNode | null {
    if (this.root === undefined) {
      const first = /\S/.exec(this.text)?.[0];
      let node: SrcNode | undefined;
      if (first === '{' || first === '[') {
        const r = scanJson(this.text, MAX_CONFIG_DEPTH);
        if (r.ok) node = r.node;
      }
      node ??= parseYamlSource(this.text, MAX_CONFIG_DEPTH, MAX_ALIAS_EXPANSION_NODES).node;
      this.root = node ?? null;
    }
    return this.root;
  }

  private index(): LineIndex {
    this.lines ??= new LineIndex(this.text, this.file);
    return this.lines;
  }

  /** Range of the node at `path` (snake_case or camelCase keys), or undefined. */
  locate(path: string): SourcePosition | undefined {
    let node: SrcNode | undefined = this.tree() ?? undefined;
    for (const seg of parseJsonPath(path)) {
      node = typeof seg === 'number' ? items(node)[seg] : entry(node, seg);
      if (!node) return undefined;
    }
    return node ? this.index().span(node.start, node.end) : undefined;
  }

  /**
   * `line:col` of every resource in a config dump -> its JSON path
   * (`$.configs[1].dynamic_listeners[0].active_state.listener`, `$.configs[0].bootstrap`).
   */
  dumpResourcePaths(): Map<string, string> {
    const out = new Map<string, string>();
    const configs = items(entry(this.tree() ?? undefined, 'configs'));
    configs.forEach((cfg, i) => {
      const bootstrap = entry(cfg, 'bootstrap');
      if (bootstrap) {
        const p = this.index().lineCol(bootstrap.start);
        out.set(`${p.line}:${p.col}`, `$.configs[${i}].bootstrap`);
      }
      for (const [field, inner] of DUMP_SECTIONS) {
        items(entry(cfg, field)).forEach((item, j) => {
          let node: SrcNode | undefined = item;
          let path = child(child(`$.configs[${i}]`, field), j);
          for (const k of inner) {
            node = entry(node, k);
            path = child(path, k);
          }
          if (!node) return;
          const p = this.index().lineCol(node.start);
          out.set(`${p.line}:${p.col}`, path);
        });
      }
    });
    return out;
  }
}
