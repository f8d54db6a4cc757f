// The replay progress bar: drawn only on a terminal, throttled, erased at the end.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatCount, ProgressBar } from '../../../src/cli/output/progress.js';

function fakeStream(isTTY: boolean, columns = 200) {
  const writes: string[] = [];
  return { stream: { isTTY, columns, write: (s: string) => writes.push(s) } as unknown as NodeJS.WriteStream, writes };
}

test('on a terminal: a bar with percent, lines and rate, then erased', () => {
  const { stream, writes } = fakeStream(true);
  const bar = new ProgressBar(stream, 1000);
  bar.update(500, 12345, 'access.log');
  assert.equal(writes.length, 1);
  assert.match(writes[0]!, /^\r\x1b\[K\[#{12}\.{12}\] {2}50% 12\.3k lines, .* lines\/s {2}access\.log$/);
  // Throttled: a second update right away draws nothing.
  bar.update(600, 20000, 'access.log');
  assert.equal(writes.length, 1);
  bar.done();
  assert.deepEqual(writes.slice(1), ['\r\x1b[K']);
  // A narrow terminal: the line is cut to its width (no wrapping).
  const narrow = fakeStream(true, 30);
  new ProgressBar(narrow.stream, 10).update(5, 5, 'a-very-long-file-name.log');
  assert.equal(narrow.writes[0]!.length, '\r\x1b[K'.length + 29);
});

test('not a terminal: nothing is written', () => {
  const { stream, writes } = fakeStream(false);
  const bar = new ProgressBar(stream, undefined);
  bar.update(1, 1, 'x');
  bar.done();
  assert.deepEqual(writes, []);
  assert.equal(formatCount(1_234_567), '1.2M');
  assert.equal(formatCount(999), '999');
});
