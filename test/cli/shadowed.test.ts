// route/shadowed names the route that shadows and a request both match; that request, replayed
// with `tsproxy match`, goes to the shadowing route (checked through the real CLI).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from './run_cli.js';

const BAD = 'fixtures/lint/route__shadowed/bad.yaml';

test('each shadowed route: the shadowing route and an example request, which match sends to the shadowing route', () => {
  const r = runCli(['lint', BAD, '--format', 'json']);
  const findings = (JSON.parse(r.stdout) as { rule: string; message: string }[]).filter((f) => f.rule === 'route/shadowed');
  assert.equal(findings.length, 3);
  const want: [RegExp, number][] = [
    [/^route #2 can never match: route #1 \(line 22\) matches the shorter prefix "\/api" and comes first; both match GET \/api\/v1 \(and every path starting with "\/api\/v1"\), which goes to route #1;/, 0],
    [/^route #4 can never match: route #3 \(line 26\) has the identical match and comes first; both match GET \/login with x-canary: x, which goes to route #3;/, 2],
    [/^route #6 can never match: route #5 \(line 30\) matches every path \(prefix "\/"\) and comes first; both match GET \/static\/ \(and every path the regex "\/static\/\.\*" matches\), which goes to route #5;/, 4],
  ];
  findings.forEach((f, i) => {
    const [re, shadowing] = want[i]!;
    assert.match(f.message, re);
    const [, method, path, header] = /both match (\S+) (\S+)(?: with ([^,(]+))?/.exec(f.message)!;
    const args = ['match', '-c', BAD, '--host', 'x', '--method', method!, '--path', path!, '--json', ...(header ? ['-H', header.trim()] : [])];
    const m = JSON.parse(runCli(args).stdout) as { route: { index: number } | null };
    assert.equal(m.route?.index, shadowing, `${f.message}: match sends ${method} ${path} elsewhere`);
  });
});
