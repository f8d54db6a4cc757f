/**
 * The live view's state and how polls and keys change it, as one pure reducer (the ink App only
 * dispatches). Keys:
 *   s / S   next / previous sort column        r   reverse the sort
 *   /       filter by name (Enter keeps it, Esc clears it)
 *   p       pause (polling goes on; the screen stays frozen until p again)
 *   ?       help (arrows, j/k, space scroll it; ? or Esc closes it)
 *   q       quit (Ctrl+C too)
 */
import { EMPTY_HISTORY, pushHistory, type History } from './history.js';
import type { AdminSample } from './sample.js';
import { SORT_KEYS, type SortKey } from './table.js';
import { buildView, type TopView } from './view.js';

/** What the screen shows: a view and the series behind its sparklines. */
export interface Frame {
  readonly view: TopView;
  readonly history: History;
}

export interface UiState {
  /** The latest sample: the next poll's rates are computed against it. */
  readonly last?: AdminSample;
  readonly live?: Frame;
  /** The frame frozen by `p`; undefined when not paused. */
  readonly frozen?: Frame;
  /** Why the last poll failed; cleared by the next good poll. */
  readonly error?: string;
  readonly sortKey: SortKey;
  readonly reverse: boolean;
  readonly filter: string;
  /** The filter being typed after `/`, or null. */
  readonly editing: string | null;
  readonly help: boolean;
  readonly helpScroll: number;
  readonly quit: boolean;
}

export const INITIAL_UI_STATE: UiState = { sortKey: 'rps', reverse: false, filter: '', editing: null, help: false, helpScroll: 0, quit: false };

/** The keys the reducer reads (a subset of ink's Key). */
export interface KeyInfo {
  readonly escape?: boolean;
  readonly return?: boolean;
  readonly backspace?: boolean;
  readonly delete?: boolean;
  readonly upArrow?: boolean;
  readonly downArrow?: boolean;
  readonly pageUp?: boolean;
  readonly pageDown?: boolean;
  readonly ctrl?: boolean;
  readonly meta?: boolean;
}

export type UiAction =
  | { readonly type: 'sample'; readonly sample: AdminSample }
  | { readonly type: 'error'; readonly message: string }
  /** A key; `helpMaxScroll` is how far the help screen can scroll at the current size. */
  | { readonly type: 'key'; readonly input: string; readonly key: KeyInfo; readonly helpMaxScroll?: number };

/** The frame on screen: the frozen one while paused, else the latest. */
export function shownFrame(s: UiState): Frame | undefined {
  return s.frozen ?? s.live;
}

function onSample(s: UiState, sample: AdminSample): UiState {
  const view = buildView(s.last, sample);
  const live: Frame = { view, history: pushHistory(s.live?.history ?? EMPTY_HISTORY, view) };
  const { error: _dropped, ...rest } = s;
  return { ...rest, last: sample, live };
}

function cycleSort(s: UiState, step: number): UiState {
  const i = SORT_KEYS.indexOf(s.sortKey);
  const next = SORT_KEYS[(i + step + SORT_KEYS.length) % SORT_KEYS.length]!;
  return { ...s, sortKey: next, reverse: false };
}

function onFilterKey(s: UiState, editing: string, input: string, key: KeyInfo): UiState {
  if (key.escape) return { ...s, editing: null, filter: '' };
  if (key.return) return { ...s, editing: null, filter: editing.trim() };
  if (key.backspace || key.delete) return { ...s, editing: [...editing].slice(0, -1).join('') };
  if (key.ctrl || key.meta || input === '') return s;
  // Printable characters only (a paste arrives as one string).
  const text = input.replace(/[\u0000-\u001f\u007f]/g, '');
  return { ...s, editing: (editing + text).slice(0, 80) };
}

/** Lines one help scroll step moves; page keys move a screen (the view passes its height). */
const PAGE = 10;

function onHelpKey(s: UiState, input: string, key: KeyInfo, maxScroll: number): UiState {
  if (input === '?' || key.escape || input === 'h') return { ...s, help: false, helpScroll: 0 };
  if (input === 'q') return { ...s, quit: true };
  let d = 0;
  if (key.downArrow || input === 'j') d = 1;
  else if (key.upArrow || input === 'k') d = -1;
  else if (key.pageDown || input === ' ') d = PAGE;
  else if (key.pageUp) d = -PAGE;
  return d === 0 ? s : { ...s, helpScroll: Math.max(0, Math.min(maxScroll, s.helpScroll + d)) };
}

function onKey(s: UiState, input: string, key: KeyInfo, helpMaxScroll: number): UiState {
  if (s.editing !== null) return onFilterKey(s, s.editing, input, key);
  if (s.help) return onHelpKey(s, input, key, helpMaxScroll);
  switch (input) {
    case 'q':
      return { ...s, quit: true };
    case 's':
      return cycleSort(s, 1);
    case 'S':
      return cycleSort(s, -1);
    case 'r':
      return { ...s, reverse: !s.reverse };
    case '/':
      return { ...s, editing: s.filter };
    case 'p': {
      if (s.frozen) {
        const { frozen: _f, ...rest } = s;
        return rest;
      }
      return s.live ? { ...s, frozen: s.live } : s;
    }
    case '?':
    case 'h':
      return { ...s, help: true, helpScroll: 0 };
  }
  if (key.escape && s.filter !== '') return { ...s, filter: '' };
  return s;
}

/** The state after `action`. Never throws; unknown keys change nothing. */
export function reduceUi(s: UiState, action: UiAction): UiState {
  switch (action.type) {
    case 'sample':
      return onSample(s, action.sample);
    case 'error':
      return { ...s, error: action.message };
    case 'key':
      return onKey(s, action.input, action.key, action.helpMaxScroll ?? Number.MAX_SAFE_INTEGER);
  }
}
