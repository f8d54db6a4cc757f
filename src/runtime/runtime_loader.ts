/**
 * The live runtime (Envoy's Runtime::LoaderImpl): the static layers of `layered_runtime` plus an
 * admin layer that `/runtime_modify` writes. Every consumer (route table, fault, CORS, router
 * maintenance mode) holds the same `values` object, which is updated in place, so a change is
 * visible to the next request; `runtimeGeneration(values)` moves on every change for consumers
 * that cache a derived value.
 *
 * Layers as Envoy: without `layered_runtime`, a static layer `base` and an admin layer `admin`;
 * with it, the configured layers in order, and `/runtime_modify` fails with "No admin layer
 * specified" unless one of them is an `admin_layer`. Later layers override earlier ones; an admin
 * value of "" removes the admin override. Disk and RTDS layers are not implemented.
 *
 * DEVIATION: values computed at config load from the runtime (weighted cluster weights from
 * `runtime_key_prefix`) do not follow later changes.
 */
import type { LoadedConfig } from '../config/types.js';
import { flattenInto } from '../config/runtime.js';
import type { RuntimeValues } from '../core/route_types.js';

const GENERATION = Symbol('tsproxy.runtimeGeneration');

type Values = Record<string, unknown> & { [GENERATION]?: number };

/** A counter that changes whenever `values` changed (0 for a runtime that never changes). */
export function runtimeGeneration(values: RuntimeValues): number {
  return (values as Values)[GENERATION] ?? 0;
}

export interface RuntimeLayerView {
  readonly name: string;
  /** Key -> value; the admin layer's values are strings. */
  readonly values: ReadonlyMap<string, unknown>;
}

export class RuntimeLoader {
  /** The merged view every consumer reads (mutated in place). */
  readonly values: Values;
  private readonly layerList: Array<{ name: string; values: Map<string, unknown>; admin: boolean }> = [];

  constructor(config: LoadedConfig) {
    const layers = config.bootstrap?.layered_runtime?.layers;
    if (layers === undefined) {
      this.layerList.push({ name: 'base', values: new Map(Object.entries(config.runtime)), admin: false });
      this.layerList.push({ name: 'admin', values: new Map(), admin: true });
    } else {
      for (const l of layers) {
        const flat: Record<string, unknown> = {};
        if (l.static_layer) flattenInto(flat, '', l.static_layer, 0);
        this.layerList.push({ name: l.name, values: new Map(Object.entries(flat)), admin: l.admin_layer !== undefined });
      }
    }
    this.values = {};
    Object.defineProperty(this.values, GENERATION, { value: 0, writable: true, enumerable: false });
    this.rebuild();
  }

  get layers(): readonly RuntimeLayerView[] {
    return this.layerList;
  }

  /**
   * `/runtime_modify`: sets admin-layer values ("" removes an override). Throws "No admin layer
   * specified" when the runtime has no admin layer.
   */
  mergeValues(values: ReadonlyMap<string, string>): void {
    const admin = this.layerList.find((l) => l.admin);
    if (!admin) throw new Error('No admin layer specified');
    for (const [k, v] of values) {
      if (v === '') admin.values.delete(k);
      else admin.values.set(k, v);
    }
    this.rebuild();
  }

  private rebuild(): void {
    const v = this.values;
    for (const k of Object.keys(v)) delete v[k];
    for (const l of this.layerList) for (const [k, x] of l.values) v[k] = x;
    v[GENERATION] = (v[GENERATION] ?? 0) + 1;
  }
}
