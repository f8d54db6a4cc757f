// The raw cost of Node's native llhttp (the HTTPParser binding both HTTP/1 codecs use) on one
// 200-byte keep-alive GET, per Node version: run it under each node to compare.
//   node bench/llhttp-parse.mjs [iterations=2000000] [rounds=5]
// Prints ns per parse (CPU time, median of rounds): execute() with only the headers-complete
// callback, then with message-complete, then with every callback the codecs can set (each JS
// callback the native parser calls costs a C++ -> JS transition).
import { createRequire } from 'node:module';

const { HTTPParser } = createRequire(import.meta.url)('_http_common');
const N = Number(process.argv[2] ?? 2_000_000);
const ROUNDS = Number(process.argv[3] ?? 5);
const req = Buffer.from(
  'GET /api/v1/users/12345?expand=true HTTP/1.1\r\nHost: api.example.com\r\nUser-Agent: wrk/4.2\r\n' +
    'Accept: */*\r\nX-Request-Id: 5d494e5b-26cf-4404-aec5-6f56367e78e2\r\nConnection: keep-alive\r\n\r\n',
);
const resource = {};

function variant(withCallbacks, completeOnly = false) {
  const p = new HTTPParser();
  p.initialize(HTTPParser.REQUEST, resource, 0, 0);
  let n = 0;
  p[HTTPParser.kOnHeadersComplete | 0] = (major, minor, headers, method, url) => {
    n += headers.length + url.length;
    return 0;
  };
  if (completeOnly) {
    p[HTTPParser.kOnMessageComplete | 0] = () => {
      n++;
    };
  }
  if (withCallbacks) {
    p[HTTPParser.kOnMessageBegin | 0] = () => {};
    p[HTTPParser.kOnHeaders | 0] = () => {};
    p[HTTPParser.kOnBody | 0] = () => {};
    p[HTTPParser.kOnMessageComplete | 0] = () => {
      n++;
    };
    p[HTTPParser.kOnExecute | 0] = () => {};
  }
  return () => {
    for (let i = 0; i < N; i++) p.execute(req);
    return n;
  };
}

function time(fn) {
  fn(); // warm-up
  const rounds = [];
  for (let r = 0; r < ROUNDS; r++) {
    const t0 = process.cpuUsage();
    fn();
    const d = process.cpuUsage(t0);
    rounds.push(((d.user + d.system) * 1000) / N);
  }
  rounds.sort((a, b) => a - b);
  return rounds[Math.floor(rounds.length / 2)];
}

console.log(`node ${process.version} llhttp ${process.versions.llhttp}: ${req.length}-byte GET, ${N} parses x ${ROUNDS}`);
console.log(`  execute, headers-complete only   ${time(variant(false)).toFixed(0)} ns/parse`);
console.log(`  + message-complete                ${time(variant(false, true)).toFixed(0)} ns/parse`);
console.log(`  + begin, headers, body, execute  ${time(variant(true)).toFixed(0)} ns/parse`);
