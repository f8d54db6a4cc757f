// The llhttp method table: names by the number llhttp reports, checked against Node's own parser.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { HTTPParser, kOnHeadersComplete, methods, PARSER_RESOURCE } from '../../src/runtime/llhttp.js';

/** The method number llhttp reports for a request line. */
function methodNumber(line: string): number | undefined {
  const p = new HTTPParser();
  p.initialize(HTTPParser.REQUEST, PARSER_RESOURCE, 8192, 0);
  let n: number | undefined;
  p[kOnHeadersComplete] = (_a: number, _b: number, _h: unknown, m: number): number => {
    n = m;
    return 0;
  };
  p.execute(Buffer.from(`${line}\r\nHost: h\r\n\r\n`));
  p.close();
  return n;
}

test('methods[] is indexed by the method number llhttp reports (QUERY is 46, not the 35th name)', () => {
  // Node's dense list agrees for the classic HTTP methods, not beyond.
  const dense = (createRequire(import.meta.url)('_http_common') as { methods: string[] }).methods;
  assert.deepEqual(methods.slice(0, 34), dense.slice(0, 34));
  for (const m of ['GET', 'POST', 'DELETE', 'PURGE', 'SOURCE', 'M-SEARCH', 'QUERY']) {
    const n = methodNumber(`${m} / HTTP/1.1`);
    assert.equal(n === undefined ? undefined : methods[n], m, m);
  }
  for (const m of ['PLAY', 'TEARDOWN', 'GET_PARAMETER']) {
    const n = methodNumber(`${m} / RTSP/1.0`);
    assert.equal(n === undefined ? undefined : methods[n], m, m);
  }
});
