/**
 * Files that are not an Envoy v3 config, recognised by their shape so the loader can say what
 * the file is instead of reporting every key as an unknown field of a RouteConfiguration: a
 * Kubernetes manifest (Gateway API, Istio, Gloo, Emissary/Ambassador, a ConfigMap holding an
 * Envoy config), Envoy Gateway's intermediate representation, an Envoy v2 API config. Pure.
 */
import type { MapNode, SrcNode } from './source.js';

/** What a foreign file is, and where to point the user. */
export interface ForeignShape {
  /** `a Kubernetes manifest (Gateway API HTTPRoute)`, `an Envoy v2 API config`. */
  readonly what: string;
  /** What to do instead, in one sentence. */
  readonly hint: string;
  /** The range to report (the key or value that gave it away). */
  readonly start: number;
  readonly end: number;
}

function entry(m: MapNode, key: string): SrcNode | undefined {
  return m.entries.find((e) => e.key === key)?.value;
}

function str(n: SrcNode | undefined): string | undefined {
  return n?.t === 'scalar' && typeof n.value === 'string' ? n.value : undefined;
}

/** The families of Kubernetes API groups users hand us, by apiVersion prefix. */
const API_GROUPS: readonly [RegExp, string, string][] = [
  [/^gateway\.networking\.k8s\.io\//, 'Gateway API', 'translate it to Envoy\'s config first (Envoy Gateway: `egctl x translate --from gateway-api --to xds -f FILE`), or pass a /config_dump of the running proxy'],
  [/^(networking|security)\.istio\.io\//, 'Istio', 'pass the Envoy config Istio generated from it: `istioctl proxy-config all POD -o json`'],
  [/^(gloo|gateway|gloo\.solo|gateway\.solo)\.solo\.io\/|\.solo\.io\//, 'Gloo', 'pass the Envoy config Gloo generated from it: the proxy\'s /config_dump (`glooctl proxy dump`)'],
  [/^getambassador\.io\//, 'Emissary-ingress/Ambassador', 'pass the Envoy config Emissary generated from it (/ambassador/snapshots/econf.json in the pod, or the proxy\'s /config_dump)'],
  [/^projectcontour\.io\//, 'Contour', 'pass the Envoy config Contour generated: the proxy\'s /config_dump'],
  [/^kuma\.io\//, 'Kuma', 'pass the Envoy config Kuma generated: `kumactl inspect dataplane NAME --type=config-dump`'],
];

/**
 * Recognises a file that is not an Envoy v3 config from its top-level node; undefined for
 * anything that may be one (including a mapping with typos: the schema then names them).
 * `text` (the file's text) lets the search for v2 types skip the walk when none can be there.
 */
export function foreignShape(root: SrcNode, text?: string): ForeignShape | undefined {
  if (root.t === 'seq') {
    for (const item of root.items) {
      const f = foreignShape(item, text);
      if (f) return f;
    }
    return undefined;
  }
  if (root.t !== 'map') return undefined;
  const apiVersion = str(entry(root, 'apiVersion'));
  const kind = str(entry(root, 'kind'));
  if (apiVersion !== undefined && kind !== undefined) {
    const at = root.entries.find((e) => e.key === 'apiVersion')!;
    if (kind === 'ConfigMap') {
      const data = entry(root, 'data');
      const keys = data?.t === 'map' ? data.entries.map((e) => e.key) : [];
      return {
        what: 'a Kubernetes ConfigMap',
        hint: keys.length > 0
          ? `pass the Envoy config it holds: save data["${keys[0]}"] to a file (kubectl get configmap -o jsonpath='{.data.${keys[0]?.replace(/\./g, '\\.')}}')`
          : 'pass the Envoy config it holds, saved to a file',
        start: at.keyStart, end: at.value.end,
      };
    }
    const group = API_GROUPS.find(([re]) => re.test(apiVersion));
    return {
      what: `a Kubernetes manifest (${group ? `${group[1]} ` : ''}${kind}, apiVersion ${apiVersion}), not an Envoy config`,
      hint: group ? group[2] : 'pass the Envoy config (a Bootstrap, a RouteConfiguration, or the proxy\'s /config_dump)',
      start: at.keyStart, end: at.value.end,
    };
  }
  const ir = root.entries.find((e) => e.key === 'xdsIR' || e.key === 'infraIR');
  if (ir) {
    return {
      what: 'Envoy Gateway\'s intermediate representation (egctl x translate --to ir)',
      hint: 'translate to Envoy\'s config instead: `egctl x translate --from gateway-api --to xds -f FILE`',
      start: ir.keyStart, end: ir.keyEnd,
    };
  }
  return v2Shape(root, text);
}

/** Envoy v2 type names: `envoy.api.v2.*`, `envoy.config.filter.*.v2.*`, `envoy.config.*.v2.*`. */
const V2_TYPE = /(^|\/)envoy\.(api\.v2|config\.filter\.[\w.]+\.v2(alpha)?|config\.[\w.]+\.v2(alpha)?|extensions\.[\w.]+\.v2alpha)\./;

/** Text that may hold a v2 type (a superset of V2_TYPE's matches): a cheap test before the walk. */
const V2_TEXT = /envoy\.(api\.v2|config\.[\w.]+\.v2|extensions\.[\w.]+\.v2alpha)\./;

/** An `@type` of Envoy's removed v2 API anywhere in the file (the first one found). */
function v2Shape(root: SrcNode, text: string | undefined): ForeignShape | undefined {
  // Walking a large config costs more than scanning its text once: walk only when it may match.
  if (text !== undefined && !V2_TEXT.test(text)) return undefined;
  const stack: SrcNode[] = [root];
  let budget = 200_000;
  while (stack.length > 0 && budget-- > 0) {
    const n = stack.pop()!;
    if (n.t === 'seq') {
      for (let i = n.items.length - 1; i >= 0; i--) stack.push(n.items[i]!);
    } else if (n.t === 'map') {
      for (const e of n.entries) {
        if (e.key === '@type') {
          const t = str(e.value);
          if (t !== undefined && V2_TYPE.test(t)) {
            return {
              what: `an Envoy v2 API config ("${t.slice(t.lastIndexOf('/') + 1)}")`,
              hint: 'Envoy removed the v2 API in 1.18 and reads only v3, as tsproxy does: move the config to v3 (envoy.config.*.v3 and envoy.extensions.*.v3 types; `typed_config` instead of `config`)',
              start: e.value.start, end: e.value.end,
            };
          }
        } else {
          stack.push(e.value);
        }
      }
    }
  }
  return undefined;
}
