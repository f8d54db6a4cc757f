/** Runs a test against a tsproxy with HCM tracing on, exporting to a fresh receiver (both closed after). */
import { startProxy, type Proxy } from '../../e2e/proxy.js';
import type { Receiver } from './receivers.js';
import { tracingBootstrap, type TracingBootstrap } from './tracing_bootstrap.js';

/** The bootstrap fields a test chooses; `collectorPort` defaults to the receiver's. */
export type TracingProxySpec = Omit<TracingBootstrap, 'upstreamPort' | 'collectorPort' | 'provider'> & { collectorPort?: number };

export async function withTracingProxy(
  provider: TracingBootstrap['provider'],
  startReceiver: () => Promise<Receiver>,
  upstreamPort: number,
  spec: TracingProxySpec,
  fn: (p: Proxy, r: Receiver) => Promise<void>,
): Promise<void> {
  const r = await startReceiver();
  const p = await startProxy(tracingBootstrap({ provider, upstreamPort, collectorPort: spec.collectorPort ?? r.port, ...spec }));
  try {
    await fn(p, r);
  } finally {
    await p.stop();
    await r.close();
  }
}
