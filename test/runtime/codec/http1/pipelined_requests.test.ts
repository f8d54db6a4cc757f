// PipelinedRequests (codec/http1/pipelined_requests.ts): requests parsed behind a response in
// progress keep their order, their bodies and their parse errors until the codec takes them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PipelinedRequests } from '../../../../src/runtime/codec/http1/pipelined_requests.js';
import type { RequestHead } from '../../../../src/runtime/codec/http1/request_head.js';

const head = (url: string): RequestHead => ({ method: 'POST', url }) as RequestHead;

test('each queued request keeps its own body and completion, in order', () => {
  const q = new PipelinedRequests();
  q.add(head('/a'));
  q.onBody(Buffer.from('ab'));
  q.onBody(Buffer.from('c'));
  q.onMessageComplete();
  q.onBody(Buffer.from('stray')); // between messages: belongs to no request
  q.add(head('/b'));
  q.onBody(Buffer.from('d'));
  assert.equal(q.length, 2);
  const a = q.shift()!;
  assert.deepEqual([a.head?.url, Buffer.concat(a.body!).toString(), a.complete, a.error], ['/a', 'abc', true, undefined]);
  // /b is taken out while still being parsed: what follows is no longer the queue's.
  const b = q.shift()!;
  q.onBody(Buffer.from('e'));
  q.onMessageComplete();
  assert.deepEqual([b.head?.url, Buffer.concat(b.body!).toString(), b.complete], ['/b', 'd', false]);
  assert.equal(q.shift(), undefined);
});

test('a parse error lands inside the request being parsed, else in place of the next one', () => {
  const q = new PipelinedRequests();
  q.add(head('/a'));
  q.onParseError('HPE_INVALID_CHUNK_SIZE');
  const inside = q.shift()!;
  assert.deepEqual([inside.head?.url, inside.complete, inside.error], ['/a', false, 'HPE_INVALID_CHUNK_SIZE']);

  q.add(head('/b'));
  q.onMessageComplete();
  q.onParseError('HPE_INVALID_METHOD');
  assert.equal(q.length, 2);
  assert.equal(q.shift()!.error, undefined);
  const next = q.shift()!;
  assert.deepEqual([next.head, next.complete, next.error], [undefined, true, 'HPE_INVALID_METHOD']);

  q.add(head('/c'));
  q.clear();
  assert.equal(q.length, 0);
});
