/**
 * The live `top` app: polls the admin API every interval (one poll at a time: the next is
 * scheduled when the previous one settles), feeds samples, errors and keys to the pure UI reducer,
 * and draws the dashboard or the help screen at the terminal's current size.
 */
import { useEffect, useReducer } from 'react';
import { Box, useApp, useInput, useWindowSize } from 'ink';
import { Dashboard } from './dashboard.js';
import { Help, helpMaxScroll } from './help.js';
import type { AdminSample } from './model/sample.js';
import { INITIAL_UI_STATE, reduceUi } from './model/ui_state.js';

/** Runs `fn` after `ms`; returns a cancel function. */
export type Schedule = (fn: () => void, ms: number) => () => void;

export const realSchedule: Schedule = (fn, ms) => {
  const t = setTimeout(fn, ms);
  return () => clearTimeout(t);
};

export interface TopAppProps {
  /** One admin sample; rejects with a user-facing message when the admin cannot be read. */
  readonly poll: () => Promise<AdminSample>;
  readonly intervalMs: number;
  /** The admin address, for the title. */
  readonly admin: string;
  /** Timer for the next poll (tests pass one they drive by hand). */
  readonly schedule?: Schedule;
  /** Fixed terminal size (tests); the real terminal's size, following resizes, otherwise. */
  readonly size?: { readonly columns: number; readonly rows: number };
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export function TopApp({ poll, intervalMs, admin, schedule = realSchedule, size }: TopAppProps) {
  const [state, dispatch] = useReducer(reduceUi, INITIAL_UI_STATE);
  const { exit } = useApp();
  const windowSize = useWindowSize();
  const { columns, rows } = size ?? windowSize;

  useInput((input, key) => dispatch({ type: 'key', input, key, helpMaxScroll: helpMaxScroll(columns, rows, state.sortKey) }));

  useEffect(() => {
    if (state.quit) exit();
  }, [state.quit, exit]);

  useEffect(() => {
    let stopped = false;
    let cancel: (() => void) | undefined;
    const tick = (): void => {
      poll().then(
        (sample) => {
          if (!stopped) dispatch({ type: 'sample', sample });
        },
        (e: unknown) => {
          if (!stopped) dispatch({ type: 'error', message: messageOf(e) });
        },
      ).finally(() => {
        if (!stopped) cancel = schedule(tick, intervalMs);
      });
    };
    tick();
    return () => {
      stopped = true;
      cancel?.();
    };
  }, [poll, intervalMs, schedule]);

  const screen = state.help ? (
    <Help width={columns} height={rows} scroll={state.helpScroll} sortKey={state.sortKey} />
  ) : (
    <Dashboard state={state} admin={admin} intervalMs={intervalMs} width={columns} height={rows} />
  );
  // A fixed size (tests) also bounds the frame; the real terminal bounds it otherwise.
  return size ? <Box width={size.columns}>{screen}</Box> : screen;
}
