/**
 * Tests that read data from the steering repository's ../shared folder (Envoy's router_check
 * conformance data): present, they run; absent, they skip with the reason printed — except in
 * CI (`CI` set, e.g. `CI=true`), where an absent folder is a failing test, so a CI run never
 * passes with nothing checked.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';

/** Whether the environment says this is a CI run (`CI=true`, or any value but empty/0/false). */
export function inCI(env: Readonly<Record<string, string | undefined>> = process.env): boolean {
  const v = env['CI'];
  return v !== undefined && v !== '' && v !== '0' && v.toLowerCase() !== 'false';
}

/**
 * The `skip` option for tests that need `dir`: false when it exists; otherwise the reason, and
 * in CI a failing test named after the folder is registered as well.
 */
export function needsSharedFolder(dir: string, env: Readonly<Record<string, string | undefined>> = process.env): false | string {
  if (existsSync(dir)) return false;
  const ci = inCI(env);
  const reason = `${dir} is missing (the ../shared conformance data)${ci ? ': CI is set, see the failing test' : '; skipped outside CI'}`;
  if (ci) {
    test(`../shared data present: ${dir}`, () => {
      assert.fail(`${dir} is missing and CI is set: these conformance tests would check nothing. Put the shared/ folder next to the repository.`);
    });
  }
  return reason;
}
