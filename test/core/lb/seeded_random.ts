/** Test fixtures for load balancers: a seeded random source, hosts, pick tallies. */
import type { HostHealth, LbHost } from '../../../src/core/lb/types.js';

/** Deterministic 32-bit generator (mulberry32). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

export interface TestHost extends LbHost {
  name: string;
  priority: number;
  activeRequests: number;
}

export function host(name: string, opts: { weight?: number; priority?: number; health?: HostHealth } = {}): TestHost {
  return {
    name,
    weight: opts.weight ?? 1,
    priority: opts.priority ?? 0,
    health: opts.health ?? 'healthy',
    activeRequests: 0,
    hashKey: `${name}:80`,
  };
}

/** Counts picks by host name. */
export function tally(n: number, pick: () => { name: string } | null): Map<string, number> {
  const m = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const h = pick();
    const k = h ? h.name : 'null';
    m.set(k, (m.get(k) ?? 0) + 1);
  }
  return m;
}
