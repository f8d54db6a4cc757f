/**
 * `match` analyses without the decision chain (analyze's `decisionChain: false`: no trace, near
 * misses or unreached routes). Its report must be exactly the one it had with the chain: over
 * every explain fixture and the cold-start fixture's routes, toMatchReport() of both is equal.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { loadConfig } from '../../../src/config/load.js';
import type { LoadedConfig } from '../../../src/config/types.js';
import { analyze, toMatchReport } from '../../../src/analysis/explain/analyze.js';
import type { RequestInput } from '../../../src/analysis/explain/request.js';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const classify = () => ({ supported: true });

function input(host: string | undefined, path: string, headers: [string, string][] = [], method = 'GET'): RequestInput {
  return { host, path, method, scheme: 'http', headers, randomValue: 37 };
}

/** Compares both modes on `req`; returns the number of trace steps the chain recorded. */
function same(config: LoadedConfig, req: RequestInput, what: string): number {
  const withChain = analyze(config, req, { classify });
  const without = analyze(config, req, { classify, decisionChain: false });
  assert.equal(without.ok, withChain.ok, what);
  if (!withChain.ok || !without.ok) {
    assert.deepEqual(without, withChain, what);
    return 0;
  }
  assert.deepEqual(toMatchReport(without.report), toMatchReport(withChain.report), what);
  assert.deepEqual([without.report.steps, without.report.near_misses, without.report.unreached_routes], [[], [], []], what);
  assert.deepEqual(without.diagnostics, withChain.diagnostics, what);
  return withChain.report.steps.length;
}

test('every explain fixture: the match report is the same without the decision chain', () => {
  const dir = ROOT + 'fixtures/explain/';
  let compared = 0;
  let steps = 0;
  for (const f of readdirSync(dir).filter((x) => /\.(ya?ml|json)$/.test(x))) {
    const r = loadConfig(readFileSync(dir + f, 'utf8'), f);
    if (!r.config) continue;
    for (const host of [undefined, 'www.example.com', 'api.example.com', 'example.com:10000', 'other.test']) {
      for (const path of ['/', '/api/v1/users', '/healthz', '/static/app.js', '/nothing/here']) {
        steps += same(r.config, input(host, path), `${f} ${host} ${path}`);
        compared++;
      }
    }
  }
  assert.ok(compared >= 200, `${compared} requests compared`);
  // The check can fail: with the chain, the reports do carry steps.
  assert.ok(steps > 0);
});

test('the cold-start fixture: every route, and no route, the same without the decision chain', async () => {
  const gen = (await import(pathToFileURL(ROOT + 'bench/cold_start_fixture.mjs').href)) as {
    coldStartBootstrapYaml: (n: number) => string;
    requestFor: (i: number) => { path: string; headers: string[] };
  };
  const r = loadConfig(gen.coldStartBootstrapYaml(40), 'cold.yaml');
  assert.ok(r.config, JSON.stringify(r.diagnostics));
  for (let i = 0; i < 40; i++) {
    const q = gen.requestFor(i);
    const headers = q.headers.map((h) => h.split(': ') as [string, string]);
    const w = analyze(r.config, input('www.example.com', q.path, headers), { classify, decisionChain: false });
    assert.ok(w.ok && w.report.route?.name === `r${i}`, `route ${i}`);
    same(r.config, input('www.example.com', q.path, headers), `route ${i}`);
  }
  same(r.config, input('www.example.com', '/nothing/here'), 'no route');
});
