/**
 * Serve's start-up step for original destinations: every served listener that reads the original
 * destination (`use_original_dst: true` or the `envoy.filters.listener.original_dst` listener
 * filter) gets the accept filter of original_dst_listener.ts, over one hand-off table compiled by
 * the core for the whole config. The addon is loaded here, only when some listener needs it; a
 * missing addon is an error diagnostic naming the listener (serve refuses to start), not a crash.
 * On systems other than Linux there is no SO_ORIGINAL_DST: a warning, and connections stay on the
 * listener that accepted them (Envoy's behaviour there too).
 */
import type { Socket } from 'node:net';
import type { Diagnostic } from '../../config/diagnostic.js';
import type { LoadedConfig } from '../../config/types.js';
import { fieldPositionOf } from '../../config/position.js';
import { compileOriginalDstHandoff, isOriginalDstListenerFilter, originalDstMode } from '../../core/original_dst_handoff.js';
import { loadOriginalDstReader, type OriginalDstReader } from './original_dst.js';
import { originalDstAcceptFilter, type ConnectionTarget } from './original_dst_listener.js';

/** A served listener that can take an accept filter (ActiveListener). */
export interface AcceptingListener extends ConnectionTarget {
  acceptFilter: ((socket: Socket) => boolean) | undefined;
}

export interface OriginalDstSetupOptions {
  /** A reader to use instead of the addon (tests). */
  readonly reader?: OriginalDstReader;
  /** The platform (tests); default process.platform. */
  readonly platform?: string;
  /** Loads the addon (tests); default loadOriginalDstReader. */
  readonly load?: typeof loadOriginalDstReader;
  readonly debug?: (message: string) => void;
}

/** The rule of the diagnostics returned here. */
export const ORIGINAL_DST_RULE = 'serve/original-dst';

/**
 * Installs the accept filters on `served` (served listeners by config index). Returns errors
 * (the addon cannot be loaded) and warnings (not Linux); nothing is installed when there are errors.
 */
export function installOriginalDst(
  config: LoadedConfig,
  served: readonly (AcceptingListener | undefined)[],
  options: OriginalDstSetupOptions = {},
): Diagnostic[] {
  const users = config.listeners
    .map((l, index) => ({ l, index, mode: originalDstMode(l), served: served[index] }))
    .filter((u) => u.mode !== 'none' && u.served !== undefined);
  if (users.length === 0) return [];
  const at = (index: number, severity: Diagnostic['severity'], message: string): Diagnostic => {
    const l = config.listeners[index]!;
    // At `use_original_dst`, else at the original_dst listener filter.
    const f = (l.listener_filters ?? []).findIndex(isOriginalDstListenerFilter);
    const handOff = l.use_original_dst === true || f < 0;
    const pos = handOff ? fieldPositionOf(l, 'use_original_dst') : fieldPositionOf(l.listener_filters!, String(f));
    const base = `$.static_resources.listeners[${index}]`;
    return {
      file: pos?.file ?? config.file,
      line: pos?.line ?? 1,
      col: pos?.col ?? 1,
      severity,
      rule: ORIGINAL_DST_RULE,
      message,
      path: handOff ? `${base}.use_original_dst` : `${base}.listener_filters[${f}]`,
    };
  };
  const what = (u: (typeof users)[number]): string =>
    `listener "${u.l.name ?? u.index}": ${u.mode === 'hand_off' ? 'use_original_dst' : 'the original_dst listener filter'}`;
  let reader = options.reader;
  if (reader === undefined) {
    const platform = options.platform ?? process.platform;
    if (platform !== 'linux') {
      return users.map((u) => at(u.index, 'warning', `${what(u)} reads SO_ORIGINAL_DST, which only Linux has; connections stay on the listener that accepts them`));
    }
    const loaded = (options.load ?? loadOriginalDstReader)();
    if ('error' in loaded) return users.map((u) => at(u.index, 'error', `${what(u)} needs the original destination addon: ${loaded.error}`));
    reader = loaded.reader;
  }
  const table = compileOriginalDstHandoff(config.listeners);
  for (const u of users) {
    const self = u.served!;
    self.acceptFilter = originalDstAcceptFilter({
      self,
      index: u.index,
      mode: u.mode === 'hand_off' ? 'hand_off' : 'restore',
      table,
      listeners: served,
      reader,
      debug: options.debug,
    });
  }
  return [];
}
