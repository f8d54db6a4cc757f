/**
 * The layer rules of DESIGN.md, checked from import specifiers in src/:
 *   config <- core <- analysis; runtime uses config and core; cli and tui use the rest;
 *   nothing imports cli; config, core and analysis are pure (no node:* modules, no clock,
 *   timers, randomness or process access).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const src = join(root, 'src');

type Layer = 'config' | 'core' | 'analysis' | 'runtime' | 'cli' | 'tui';
const allowed: Record<Layer, Layer[]> = {
  config: ['config'],
  core: ['config', 'core'],
  analysis: ['config', 'core', 'analysis'],
  runtime: ['config', 'core', 'runtime'],
  cli: ['config', 'core', 'analysis', 'runtime', 'cli', 'tui'],
  tui: ['config', 'core', 'analysis', 'runtime', 'tui'],
};
const pure = new Set<Layer>(['config', 'core', 'analysis']);

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...sourceFiles(p));
    else if (/\.tsx?$/.test(name)) out.push(p);
  }
  return out;
}

function layerOf(file: string): Layer | undefined {
  const top = relative(src, file).split(/[\\/]/)[0];
  return top && top in allowed ? (top as Layer) : undefined;
}

/** Import specifiers of a file: static imports/exports and dynamic import('...'). */
export function importsOf(text: string): string[] {
  const specs: string[] = [];
  const re = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|(?:^|\n)\s*import\s*['"]([^'"]+)['"]/g;
  for (const m of text.matchAll(re)) specs.push((m[1] ?? m[2] ?? m[3])!);
  return specs;
}

const forbiddenInPure = [/\bDate\.now\(/, /\bMath\.random\(/, /\bsetTimeout\(/, /\bsetInterval\(/, /\bsetImmediate\(/, /\bprocess\./, /\bperformance\.now\(/];
const nodeBuiltins = new Set(['fs', 'net', 'http', 'https', 'http2', 'tls', 'dns', 'os', 'path', 'child_process', 'cluster', 'worker_threads', 'timers', 'crypto', 'stream', 'events', 'url', 'util', 'zlib', 'readline', 'perf_hooks', 'buffer', 'process', 'v8', 'vm', 'dgram']);

const files = sourceFiles(src);

test('src has files in every expected layer directory it uses', () => {
  assert.ok(files.length > 0);
  for (const f of files) assert.ok(layerOf(f), `${relative(root, f)} is outside the known layers`);
});

test('imports flow down only', () => {
  const violations: string[] = [];
  for (const f of files) {
    const layer = layerOf(f)!;
    for (const spec of importsOf(readFileSync(f, 'utf8'))) {
      if (!spec.startsWith('.')) continue;
      const target = layerOf(resolve(dirname(f), spec));
      if (!target) violations.push(`${relative(root, f)} imports ${spec} outside src layers`);
      else if (!allowed[layer].includes(target)) violations.push(`${relative(root, f)} (${layer}) imports ${spec} (${target})`);
    }
  }
  assert.deepEqual(violations, []);
});

test('pure layers import no node built-ins and touch no clock, timers, randomness or process', () => {
  const violations: string[] = [];
  for (const f of files) {
    const layer = layerOf(f)!;
    if (!pure.has(layer)) continue;
    const text = readFileSync(f, 'utf8');
    for (const spec of importsOf(text)) {
      const bare = spec.replace(/^node:/, '').split('/')[0]!;
      if (spec.startsWith('node:') || nodeBuiltins.has(bare)) violations.push(`${relative(root, f)} imports ${spec}`);
    }
    const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
    for (const re of forbiddenInPure) if (re.test(code)) violations.push(`${relative(root, f)} uses ${re.source}`);
  }
  assert.deepEqual(violations, []);
});

test('nothing outside cli imports cli', () => {
  const violations: string[] = [];
  for (const f of files) {
    if (layerOf(f) === 'cli') continue;
    for (const spec of importsOf(readFileSync(f, 'utf8'))) {
      if (spec.startsWith('.') && layerOf(resolve(dirname(f), spec)) === 'cli') violations.push(`${relative(root, f)} imports ${spec}`);
    }
  }
  assert.deepEqual(violations, []);
});

test('the import scanner sees static, re-export and dynamic imports (so the checks above can fail)', () => {
  const specs = importsOf(`import a from './a.js';\nexport { b } from "../b.js";\nconst c = await import('node:fs');\nimport './side.js';`);
  assert.deepEqual(specs.sort(), ['../b.js', './a.js', './side.js', 'node:fs'].sort());
});
