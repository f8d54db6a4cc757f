// The live view's reducer: samples build frames (rates against the previous sample), errors are
// kept until the next good poll, and the keys: sort, reverse, filter editing, pause, help, quit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { INITIAL_UI_STATE, reduceUi, shownFrame, type KeyInfo, type UiState } from '../../../src/tui/model/ui_state.js';
import { envoySample } from '../canned_admin.js';

const key = (s: UiState, input: string, k: KeyInfo = {}): UiState => reduceUi(s, { type: 'key', input, key: k });
const typed = (s: UiState, text: string): UiState => [...text].reduce((acc, ch) => key(acc, ch), s);

test('samples: the first has no rates, the second rates against the first; errors stay until a good poll', () => {
  let s = reduceUi(INITIAL_UI_STATE, { type: 'sample', sample: envoySample(0, 0) });
  assert.equal(shownFrame(s)?.view.seconds, null);
  s = reduceUi(s, { type: 'error', message: 'cannot reach the admin API' });
  assert.equal(s.error, 'cannot reach the admin API');
  assert.ok(shownFrame(s), 'the last good frame stays on screen');
  s = reduceUi(s, { type: 'sample', sample: envoySample(1, 1000) });
  assert.equal(s.error, undefined);
  assert.equal(shownFrame(s)?.view.totals.rps, 422);
  assert.deepEqual(shownFrame(s)?.history.rps, [422]);
});

test('s / S cycle the sort column, r reverses, q quits', () => {
  let s = key(INITIAL_UI_STATE, 's');
  assert.equal(s.sortKey, 'errors');
  s = key(key(s, 'S'), 'S');
  assert.equal(s.sortKey, 'name', 'wraps around backwards');
  assert.equal(key(s, 'r').reverse, true);
  assert.equal(key(key(s, 'r'), 's').reverse, false, 'a new column starts in its natural order');
  assert.equal(key(s, 'q').quit, true);
  assert.equal(key(s, 'x'), s, 'unknown keys change nothing');
});

test('/ edits the filter: typing, backspace, Enter keeps, Esc clears; keys are text while editing', () => {
  let s = key(INITIAL_UI_STATE, '/');
  assert.equal(s.editing, '');
  s = typed(s, 'paysq');
  assert.equal(s.quit, false, 'q is a letter while editing');
  s = key(key(s, '', { backspace: true }), '', { backspace: true });
  assert.equal(s.editing, 'pay');
  s = key(s, '\r', { return: true });
  assert.deepEqual([s.editing, s.filter], [null, 'pay']);
  s = key(s, '/');
  assert.equal(s.editing, 'pay', 'editing starts from the current filter');
  s = key(s, '', { escape: true });
  assert.deepEqual([s.editing, s.filter], [null, '']);
  s = key(key(typed(key(s, '/'), 'web'), '', { return: true }), '', { escape: true });
  assert.equal(s.filter, '', 'Esc outside editing clears the filter too');
  assert.equal(typed(key(INITIAL_UI_STATE, '/'), 'a\u001bb').editing, 'ab', 'control characters are not typed');
});

test('p freezes the screen while samples keep coming; p again shows the latest', () => {
  let s = reduceUi(INITIAL_UI_STATE, { type: 'sample', sample: envoySample(0, 0) });
  s = key(s, 'p');
  const frozen = shownFrame(s);
  s = reduceUi(s, { type: 'sample', sample: envoySample(1, 1000) });
  assert.equal(shownFrame(s), frozen);
  assert.equal(s.live?.view.totals.rps, 422, 'polling went on behind the frozen frame');
  s = key(s, 'p');
  assert.equal(shownFrame(s)?.view.totals.rps, 422);
  assert.equal(key(INITIAL_UI_STATE, 'p').frozen, undefined, 'nothing to freeze before the first poll');
});

test('? opens help; arrows, j/k and space scroll it; ? or Esc close it; q still quits', () => {
  let s = key(INITIAL_UI_STATE, '?');
  assert.equal(s.help, true);
  s = key(key(key(s, 'j'), '', { downArrow: true }), ' ');
  assert.equal(s.helpScroll, 12);
  s = key(key(s, 'k'), '', { pageUp: true });
  assert.equal(s.helpScroll, 1);
  s = key(key(s, '', { pageUp: true }), '', { upArrow: true });
  assert.equal(s.helpScroll, 0, 'never above the top');
  const end = reduceUi(s, { type: 'key', input: ' ', key: {}, helpMaxScroll: 4 });
  assert.equal(end.helpScroll, 4, 'never past the last screen');
  assert.equal(key(s, 's').sortKey, 'rps', 'sort keys are inert in help');
  assert.equal(key(s, '', { escape: true }).help, false);
  assert.equal(key(s, '?').help, false);
  assert.equal(key(s, 'q').quit, true);
});
