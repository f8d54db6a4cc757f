/**
 * Terminal styling for human output. Colour only when the stream is a TTY and `NO_COLOR` is not
 * set (https://no-color.org: any non-empty value disables colour); `FORCE_COLOR` (chalk's
 * convention) forces it on, so CI logs can opt in. Commands get one {@link Style} per stream and
 * never call chalk directly, so tests (NO_COLOR=1, piped stdout) see plain text.
 */
import { createRequire } from 'node:module';
import type { ChalkInstance } from 'chalk';

/** Semantic styles; each returns its argument unchanged when colour is off. */
export interface Style {
  readonly color: boolean;
  readonly ok: (s: string) => string;
  readonly bad: (s: string) => string;
  readonly warn: (s: string) => string;
  readonly info: (s: string) => string;
  readonly dim: (s: string) => string;
  readonly bold: (s: string) => string;
  readonly name: (s: string) => string;
  readonly code: (s: string) => string;
}

/** Whether to colour output written to `stream`, following NO_COLOR / FORCE_COLOR / isTTY. */
export function wantsColor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  const force = env.FORCE_COLOR;
  if (force !== undefined) return force !== '0' && force !== 'false';
  return stream.isTTY === true;
}

/** A style for `stream` (default stdout). */
export function styleFor(stream: { isTTY?: boolean } = process.stdout, env: NodeJS.ProcessEnv = process.env): Style {
  return makeStyle(wantsColor(stream, env));
}

const plain = (s: string): string => s;

/** Without colour every style is the identity: chalk is not even loaded (it costs ~35 ms at start-up). */
const PLAIN: Style = { color: false, ok: plain, bad: plain, warn: plain, info: plain, dim: plain, bold: plain, name: plain, code: plain };

/** A style with colour forced on or off (tests, `--color`). */
export function makeStyle(color: boolean): Style {
  if (!color) return PLAIN;
  // Loaded on the first coloured style (require of an ES module, Node >= 22.12).
  const { Chalk } = createRequire(import.meta.url)('chalk') as typeof import('chalk');
  const c: ChalkInstance = new Chalk({ level: 1 });
  return {
    color,
    ok: (s) => c.green(s),
    bad: (s) => c.red(s),
    warn: (s) => c.yellow(s),
    info: (s) => c.cyan(s),
    dim: (s) => c.dim(s),
    bold: (s) => c.bold(s),
    name: (s) => c.bold(s),
    code: (s) => c.magenta(s),
  };
}
