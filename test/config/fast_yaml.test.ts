// The YAML fast path builds the same source tree as the `yaml` package on every YAML fixture of
// the repository (values, keys, every start offset; collection ends may differ only by trailing
// comment lines), and gives up on what it does not handle.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseYamlFast } from '../../src/config/fast_yaml.js';
import { parseYamlSource } from '../../src/config/yaml_source.js';
import type { SrcNode } from '../../src/config/source.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));

function yamlFiles(dir: string, out: string[] = []): string[] {
  for (const f of readdirSync(dir)) {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) yamlFiles(p, out);
    else if (/\.ya?ml$/.test(f)) out.push(p);
  }
  return out;
}

const ser = (n: unknown): string => JSON.stringify(n, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));

/** Copies `yaml`'s collection ends onto `fast` where only blank or comment lines separate them. */
function alignEnds(fast: SrcNode, yaml: SrcNode, text: string): void {
  if (fast.t !== yaml.t) return;
  if (fast.t !== 'scalar' && fast.end !== yaml.end) {
    const gap = text.slice(Math.min(fast.end, yaml.end), Math.max(fast.end, yaml.end));
    if (gap.split('\n').every((l) => /^\s*(#.*)?$/.test(l))) fast.end = yaml.end;
  }
  if (fast.t === 'map' && yaml.t === 'map') fast.entries.forEach((e, i) => yaml.entries[i] && alignEnds(e.value, yaml.entries[i]!.value, text));
  if (fast.t === 'seq' && yaml.t === 'seq') fast.items.forEach((e, i) => yaml.items[i] && alignEnds(e, yaml.items[i]!, text));
}

function same(text: string, label: string): boolean {
  const fast = parseYamlFast(text, 100);
  if (fast === undefined) return false;
  const y = parseYamlSource(text, 100, 100_000);
  assert.ok(y.node !== undefined && y.problems.every((p) => p.severity !== 'error'), `${label}: the fast path took a file the yaml package rejects`);
  assert.equal(y.multiDocument, undefined, label);
  alignEnds(fast, y.node, text);
  assert.equal(ser(fast), ser(y.node), label);
  return true;
}

test('every YAML fixture: the fast tree equals the yaml package tree, or the fast path gives up', () => {
  const files = yamlFiles(join(root, 'fixtures'));
  let taken = 0;
  for (const f of files) if (same(readFileSync(f, 'utf8'), f)) taken++;
  // Most configs are plain block YAML: the fast path must take them (else it silently stopped working).
  assert.ok(files.length > 100 && taken / files.length > 0.9, `fast path took ${taken} of ${files.length}`);
});

test('scalars, flows, block scalars, comments and quoting as the yaml package reads them', () => {
  const cases = [
    'a: 1\nb: -3\nc: +4\nd: 1.5\ne: 1e3\nf: .5\ng: 0x1F\nh: 0o17\ni: 012\nj: 1.0.0\nk: true\nl: False\nm: ~\nn: null\no: yes\np: 2001-12-14\n',
    'a: "x\\ty\\u00e9\\"q\\\\"\nb: \'it\'\'s\'\nc: "#not a comment"\nd: x#y\ne: x # comment\n',
    'a: [1, "two", {x: y, "k": [], z: {}}]\nb: {}\nc: []\nd: [ "*" ]\n',
    'a:\n  b: |\n    line1\n\n    line3\n  c: |-\n    x\n  d: 1\n',
    'list:\n- a: 1\n  b: 2\n-   c: 3\n- plain\n- "quoted"\n- {k: v}\n- |\n  text\n',
    'a:\n  # leading comment\n  b: 1\n\n  # between\n  c: 2\n# trailing\n',
    '---\nk: v\n',
    '"quoted key": 1\n\'single\': 2\n80: http\ntrue: yes\n',
    'a: http://x/y?q=1\nb: b:c\nc: /a/b\n',
    'routes:\n- match: {prefix: "/"}\n  route: {cluster: c, timeout: 0s}\n',
    // The plain-key cache: keys of one length and the same end characters share a slot (axd, abd,
    // a-d, axd again), keys met again in nested mappings, a key that is a prefix of another.
    'axd: 1\nabd: 2\nn:\n  a-d: 3\n  axd: 4\n  abd:\n    axd: 5\n    ax: 6\n    axdd: 7\n',
  ];
  for (const c of cases) assert.ok(same(c, JSON.stringify(c)), `the fast path gave up on ${JSON.stringify(c)}`);
});

test('gives up on what it does not handle (the yaml package then parses and reports)', () => {
  const giveUp = [
    'a: &x 1\nb: *x\n', // anchors, aliases
    'a: !tag 1\n', // tags
    'base: &b {x: 1}\nc:\n  <<: *b\n', // merge keys
    'a: 1\n---\nb: 2\n', // several documents
    'a: >\n  folded\n', // folded block scalar
    'a: |+\n  kept\n\n', // kept block scalar
    'a: plain\n  continued\n', // multi-line plain scalar
    'a: "open\n  quote"\n', // multi-line quoted scalar
    'a: [1,\n  2]\n', // multi-line flow
    'a: 1\na: 2\n', // duplicate keys
    'a:\n\tb: 1\n', // tabs
    'a: 1\r\nb: 2\r\n', // CRLF
    'a: .inf\n', // special floats
    '- - x\n', // nested compact sequences
    'a: [1, 2, ]\n', // trailing comma
    'a: b: c\n', // a syntax error
    'plain text\n', // not a collection
  ];
  for (const t of giveUp) assert.equal(parseYamlFast(t, 100), undefined, JSON.stringify(t));
});

test('nesting deeper than the limit gives up (the yaml path reports config/limit)', () => {
  let t = '';
  for (let i = 0; i < 12; i++) t += `${' '.repeat(i * 2)}k${i}:\n`;
  t += `${' '.repeat(24)}v: 1\n`;
  assert.equal(parseYamlFast(t, 5), undefined);
  assert.notEqual(parseYamlFast(t, 100), undefined);
});
