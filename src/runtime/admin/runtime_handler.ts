/**
 * `/runtime` and `/runtime_modify` (Envoy's RuntimeHandler). `/runtime` prints the layer names
 * and, per key, its `final_value` and `layer_values` (one string per layer, "" where the layer
 * has no value); `/runtime_modify?k=v` (POST; query or form body) writes the admin layer and is
 * seen by the next request.
 */
import type { AdminHandler, AdminServerContext } from './types.js';
import { jsonResponse, prettyJson, textResponse } from './response.js';

function rawString(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

export function runtimeHandlers(ctx: AdminServerContext): AdminHandler[] {
  return [
    {
      prefix: '/runtime',
      help: 'print runtime values',
      mutatesState: false,
      handle() {
        const layers = ctx.runtime.layers;
        const keys = new Set<string>();
        for (const l of layers) for (const k of l.values.keys()) keys.add(k);
        const entries: Record<string, { final_value: string; layer_values: string[] }> = {};
        for (const k of [...keys].sort()) {
          const layerValues = layers.map((l) => rawString(l.values.get(k)));
          let final = '';
          for (const v of layerValues) if (v !== '') final = v;
          entries[k] = { final_value: final, layer_values: layerValues };
        }
        return jsonResponse(200, prettyJson({ entries, layers: layers.map((l) => l.name) }));
      },
    },
    {
      prefix: '/runtime_modify',
      help:
        'Adds or modifies runtime values as passed in query parameters. To delete a previously added key, use an empty string as the value. ' +
        'Note that deletion only applies to overrides added via this endpoint; values loaded from disk can be modified via override but not deleted. E.g. ?key1=value1&key2=value2...',
      mutatesState: true,
      handle(req) {
        const values = req.query.size > 0 ? req.query : (req.form ?? new Map<string, string>());
        if (values.size === 0) {
          return textResponse(
            400,
            'usage: /runtime_modify?key1=value1&key2=value2&keyN=valueN\n' +
              '       or send the parameters as form values\n' +
              'use an empty value to remove a previously added override',
          );
        }
        try {
          ctx.runtime.mergeValues(values);
        } catch (err) {
          return textResponse(503, (err as Error).message);
        }
        return textResponse(200, 'OK\n');
      },
    },
  ];
}
