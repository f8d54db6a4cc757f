/**
 * `/listeners?format=json` -> {@link ListenerInfo}: a listener's name and address, and the key its
 * stats live under (`listener.<key>.downstream_cx_total`).
 */
import { AdminShapeError, isObject, type AddressJson } from './admin_shapes.js';

export interface ListenerInfo {
  readonly name: string;
  /** `0.0.0.0:10000`, `[::]:443`, a pipe path, or '' when the admin did not say. */
  readonly address: string;
  /**
   * The stat keys this listener's address maps to: Envoy's `listener.<address>_<port>.` with `:`
   * replaced by `_` (`0.0.0.0_10000`, `[__]_443`). A listener with a `stat_prefix` uses that
   * instead, which `/listeners` does not report; such a listener shows under its stat key.
   */
  readonly statKeys: readonly string[];
}

/** Printable address and stat keys of an admin `Address`. */
export function addressKeys(a: AddressJson | undefined): { address: string; statKeys: string[] } {
  const sa = a?.socket_address;
  if (sa && typeof sa.address === 'string') {
    const port = typeof sa.port_value === 'number' ? sa.port_value : 0;
    const v6 = sa.address.includes(':');
    const address = v6 ? `[${sa.address}]:${port}` : `${sa.address}:${port}`;
    const keys = [address.replace(/:/g, '_')];
    if (v6) keys.push(`${sa.address}:${port}`.replace(/:/g, '_'));
    return { address, statKeys: keys };
  }
  if (a?.pipe && typeof a.pipe.path === 'string') return { address: a.pipe.path, statKeys: [a.pipe.path] };
  return { address: '', statKeys: [] };
}

/**
 * Parses `/listeners?format=json` (already `JSON.parse`d). Throws {@link AdminShapeError} when the
 * body is not a JSON object.
 */
export function parseListenersJson(json: unknown): ListenerInfo[] {
  if (!isObject(json)) throw new AdminShapeError('/listeners?format=json did not answer a JSON object');
  const list = json.listener_statuses;
  if (!Array.isArray(list)) return [];
  const out: ListenerInfo[] = [];
  for (const l of list as unknown[]) {
    if (!isObject(l) || typeof l.name !== 'string') continue;
    const { address, statKeys } = addressKeys(isObject(l.local_address) ? (l.local_address as AddressJson) : undefined);
    out.push({ name: l.name, address, statKeys });
  }
  return out;
}
