import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../src/config/load.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));

/** Deterministic PRNG (mulberry32): the same mutations on every run. */
function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ALPHABET = ' \n\t:-[]{},"\'&*!|>#@%0123456789abcxyz_.';

function mutate(text: string, rnd: () => number): string {
  let s = text;
  const edits = 1 + Math.floor(rnd() * 4);
  for (let i = 0; i < edits; i++) {
    const at = Math.floor(rnd() * s.length);
    const op = rnd();
    if (op < 0.4) s = s.slice(0, at) + s.slice(at + 1 + Math.floor(rnd() * 8));
    else if (op < 0.8) s = s.slice(0, at) + ALPHABET[Math.floor(rnd() * ALPHABET.length)] + s.slice(at);
    else {
      const b = Math.floor(rnd() * s.length);
      s = s.slice(0, Math.min(at, b)) + s.slice(Math.max(at, b));
    }
  }
  return s;
}

test('mutated configs never throw and every diagnostic is well formed', () => {
  const rnd = prng(42);
  for (const name of ['bootstrap.yaml', 'config_dump_camel.json', 'route_camel.yaml', 'route_trailing_comma.json']) {
    const text = readFileSync(`${root}fixtures/config/${name}`, 'utf8');
    for (let i = 0; i < 150; i++) {
      const m = mutate(text, rnd);
      const r = loadConfig(m, name);
      for (const d of r.diagnostics) {
        assert.ok(d.line >= 1 && d.col >= 1 && d.rule && d.message && d.path.startsWith('$'), JSON.stringify(d));
      }
    }
  }
});
