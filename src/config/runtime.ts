/**
 * The static runtime of a Bootstrap: `layered_runtime.layers[].static_layer`, flattened to
 * dotted keys (`{upstream: {maintenance_mode: {web: 50}}}` -> `upstream.maintenance_mode.web`),
 * later layers overriding earlier ones, as Envoy's runtime snapshot does. A mapping shaped like
 * a FractionalPercent (`{numerator, denominator}`) is a value, not a level of nesting.
 */
import type { RuntimeLayer } from './types.js';

/** Flattens the static layers of `layers` into one key -> value map. */
export function flattenRuntimeLayers(layers: readonly RuntimeLayer[] | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const layer of layers ?? []) {
    if (layer.static_layer) flattenInto(out, '', layer.static_layer, 0);
  }
  return out;
}

/** Flattens one Struct into `out` with `prefix`. */
export function flattenInto(out: Record<string, unknown>, prefix: string, value: Record<string, unknown>, depth: number): void {
  for (const [k, v] of Object.entries(value)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (v !== null && typeof v === 'object' && !Array.isArray(v) && !isFractionalPercent(v) && depth < 100) {
      flattenInto(out, key, v as Record<string, unknown>, depth + 1);
    } else {
      out[key] = v;
    }
  }
}

function isFractionalPercent(v: object): boolean {
  const keys = Object.keys(v);
  return keys.length > 0 && keys.every((k) => k === 'numerator' || k === 'denominator');
}
