/**
 * Every --json report of match and explain validates against docs/report.schema.json (draft
 * 2020-12, additionalProperties false): a field added to the output without the schema, or
 * renamed, fails here.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { ROOT, runCli } from './run_cli.js';

const schema = JSON.parse(readFileSync(ROOT + 'docs/report.schema.json', 'utf8')) as object;
const validate = new Ajv2020({ allErrors: true, strict: false }).compile(schema);

const CASES: string[][] = [
  ['-c', 'fixtures/explain/bootstrap.yaml', '--host', 'api.example.com', '--path', '/api/x', '--random', '50'],
  ['-c', 'fixtures/explain/bootstrap.yaml', '--host', 'api.example.com:10000', '--path', '/'],
  ['-c', 'fixtures/explain/bootstrap.yaml', '--host', 'api.example.com', '--path', '/old'],
  ['-c', 'fixtures/explain/bootstrap.yaml', '--host', 'api.example.com', '--path', '/healthz'],
  ['-c', 'fixtures/explain/bootstrap.yaml', '--host', 'secure.example.com', '--path', '/'],
  ['-c', 'fixtures/explain/bootstrap.yaml', '--host', 'api.example.com', '--path', '/ghost'],
  ['-c', 'fixtures/explain/bootstrap.yaml', '--host', 'api.example.com', '--path', '/', '--scheme', 'https'],
  ['-c', 'fixtures/explain/routes.yaml', '--host', 'www.example.com', '--path', '/users/1', '-H', 'x-tenant: acme'],
  ['-c', 'fixtures/explain/nostar.yaml', '--path', '/'],
  ['-c', 'fixtures/explain/config_dump.json', '--host', 'reviews', '--path', '/'],
  ['-c', 'fixtures/explain/sni_only.yaml', '--host', 'b.example.com', '--path', '/', '--scheme', 'https'],
  // The connection manager's request handling: normalised path and mutated headers, its local replies.
  ['-c', 'fixtures/explain/edge.yaml', '--host', 'a.com', '--path', '/public/../admin', '-H', 'x-forwarded-proto: https', '-H', 'x-envoy-retry-on: 5xx'],
  ['-c', 'fixtures/explain/edge.yaml', '--host', 'a.com', '--path', '/a%2Fb'],
  ['-c', 'fixtures/explain/edge.yaml', '--host', 'evil.com/path', '--path', '/'],
  // The original destination hand-off (listener.original_dst).
  ['-c', 'fixtures/explain/sidecar.yaml', '--host', 'ratings', '--path', '/', '--original-dst', '10.96.3.4:80'],
  ['-c', 'fixtures/explain/sidecar.yaml', '--host', 'ratings', '--path', '/', '--original-dst', '[fd00::1]:80', '--listener', '0.0.0.0_80'],
  // filter_chain_matcher (an Istio-ambient-style waypoint): a chain by the IP trie, a TCP chain.
  ['-c', 'fixtures/explain/waypoint.yaml', '--host', 'reviews', '--path', '/', '--dest-ip', '10.96.0.10', '--dest-port', '9080'],
  ['-c', 'fixtures/explain/waypoint.yaml', '--host', 'reviews', '--path', '/', '--dest-ip', '10.1.2.3', '--alpn', 'h2'],
  // A safe_regex matching part of the path; routes left unreached by a broad one.
  ['-c', 'fixtures/explain/broad_routes.yaml', '--host', 'x', '--path', '/orders/42/items'],
  ['-c', 'fixtures/explain/broad_routes.yaml', '--host', 'x', '--path', '/api/v2/users'],
];

// explain's report is match's plus the decision chain: every case through explain, a few through match.
for (const [command, cases] of [['explain', CASES], ['match', CASES.slice(0, 3)]] as const) {
  test(`${command} --json validates against docs/report.schema.json`, () => {
    for (const args of cases) {
      const r = runCli([command, ...args, '--json']);
      assert.ok(r.status === 0 || r.status === 1, `${args.join(' ')}: exit ${r.status} ${r.stderr}`);
      assert.notEqual(r.stdout, "", `${args.join(" ")}: no output; stderr: ${r.stderr}`);
      const report = JSON.parse(r.stdout) as { schema: string };
      assert.equal(report.schema, `tsproxy.${command}/v1`);
      const ok = validate(report);
      assert.ok(ok, `${command} ${args.join(' ')}: ${JSON.stringify(validate.errors, null, 1)}`);
    }
  });
}

test('the schema rejects an unknown field', () => {
  const r = JSON.parse(runCli(['match', ...CASES[0]!, '--json']).stdout) as Record<string, unknown>;
  assert.equal(validate({ ...r, surprise: 1 }), false);
});
