/**
 * Terminal styling for human output. Colour only when the stream is a TTY and `NO_COLOR` is not
 * set (https://no-color.org: any non-empty value disables colour); `FORCE_COLOR` (chalk's
 * convention) forces it on, so CI logs can opt in. Commands get one {@link Style} per stream and
 * never call chalk directly, so tests (NO_COLOR=1, piped stdout) see plain text.
 */
import { Chalk, type ChalkInstance } from 'chalk';

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

/** A style with colour forced on or off (tests, `--color`). */
export function makeStyle(color: boolean): Style {
  const c: ChalkInstance = new Chalk({ level: color ? 1 : 0 });
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
