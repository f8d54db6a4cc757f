/**
 * One compile per TLS transport socket config: `serve`'s startup checks (serve_support.ts) and
 * the listener / cluster that uses the context share the result, so certificate files are read
 * once at startup and a problem is reported where the field is.
 */
import type { DownstreamTlsContext, UpstreamTlsContext } from '../../config/tls_types.js';
import { compileTlsContext, type CompiledTls, type TlsProblem, type TlsSide } from './tls_context.js';

type Result = { readonly compiled: CompiledTls | undefined; readonly problems: readonly TlsProblem[] };

const cache = new WeakMap<object, Result>();

/** The compiled context of `typedConfig` (memoized per config object). */
export function compiledTlsContext(typedConfig: DownstreamTlsContext | UpstreamTlsContext, side: TlsSide): Result {
  let r = cache.get(typedConfig);
  if (r === undefined) {
    r = compileTlsContext(typedConfig, side);
    cache.set(typedConfig, r);
  }
  return r;
}
