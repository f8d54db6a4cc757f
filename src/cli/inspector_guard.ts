/**
 * No debugger from outside (docs/serve.md "Signals and the debugger"). Node's inspector lets
 * whoever connects to it run code in the process, and anyone on the host can connect to
 * 127.0.0.1:9229. tsproxy closes every way it can be opened from outside the process:
 *
 * - SIGUSR1 (also what `process._debugProcess(pid)` sends): bin/tsproxy.js installs a SIGUSR1
 *   listener before anything else, which replaces Node's inspector signal handler (serve's own
 *   listener reopens the access logs). `--disable-sigusr1` is not used: on Node 24 it leaves
 *   SIGUSR1 blocked in every thread, so no listener would ever run and logrotate's SIGUSR1 would
 *   be lost.
 * - Node flags that open or arm the inspector (`--inspect`, `--inspect-brk`, `--inspect-wait`,
 *   `--inspect-port`/`--debug-port`, `--inspect-publish-uid`) on the command line or in
 *   NODE_OPTIONS, and Node config files (`--experimental-config-file`,
 *   `--experimental-default-config-file`), which can hold them: refused (exit 2) unless
 *   TSPROXY_ALLOW_INSPECT=1. bin/tsproxy refuses them before starting node, since
 *   `--inspect-brk` and `--inspect-wait` wait for a debugger before any of our code runs.
 * - An inspector opened by a SIGUSR1 that arrived before the listener existed (during node's own
 *   start-up): closed. serve and top (long-running) load node:inspector to see it and warn; the
 *   short-lived commands close it through `process._debugEnd()` without loading node:inspector,
 *   which costs ~10 ms of their start-up (it loads worker_threads).
 * - `inspector.open()` exists only inside the process; tsproxy's code never calls it (a test
 *   checks that no source file imports node:inspector except this one).
 *
 * node:inspector is loaded only by closeUnrequestedInspector, never at import: bin/tsproxy.js
 * imports this module for every command.
 */

/** Set to `1` to let the inspector flags through (local debugging only). */
export const ALLOW_INSPECT_ENV = 'TSPROXY_ALLOW_INSPECT';

/** Whether the user opted in to the inspector (TSPROXY_ALLOW_INSPECT=1). */
export function inspectAllowed(env: Readonly<Record<string, string | undefined>>): boolean {
  return env[ALLOW_INSPECT_ENV] === '1';
}

/** Flags that open, arm or may configure the inspector (Node reads `_` as `-` in flag names). */
const INSPECT_FLAG = /^--(inspect|debug[-_]port|experimental[-_](default[-_])?config[-_]file)([-_=]|$)/;

/** The inspector flags among node's command-line flags and NODE_OPTIONS. */
export function inspectorFlags(execArgv: readonly string[], nodeOptions: string | undefined): string[] {
  const fromEnv = (nodeOptions ?? '').split(/\s+/).map((a) => a.replace(/^["']|["']$/g, ''));
  return [...execArgv, ...fromEnv].filter((a) => INSPECT_FLAG.test(a));
}

/**
 * What bin/tsproxy.js does before loading the CLI: the refusal message (exit 2) when inspector
 * flags are present without TSPROXY_ALLOW_INSPECT=1; otherwise closes an inspector nobody asked
 * for and returns undefined. `longRunning` (serve, top): closeUnrequestedInspector, which loads
 * node:inspector and warns when it closed one; otherwise endUnrequestedInspector (no module loaded,
 * no warning).
 */
export function guardInspector(
  execArgv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  longRunning: boolean,
  warn: (message: string) => void = (m) => process.stderr.write(m),
): string | undefined {
  if (inspectAllowed(env)) return undefined;
  const flags = inspectorFlags(execArgv, env['NODE_OPTIONS']);
  if (flags.length > 0) {
    return (
      `tsproxy: refusing to run with Node's inspector enabled (${flags.join(' ')}): ` +
      `whoever can reach it can run code inside tsproxy. Set ${ALLOW_INSPECT_ENV}=1 to debug on purpose.\n`
    );
  }
  if (longRunning) closeUnrequestedInspector(warn);
  else endUnrequestedInspector(warn);
  return undefined;
}

/**
 * Closes the inspector when it is open although no flag asked for it (a SIGUSR1 that came
 * during node's start-up, before tsproxy's listener). Returns whether it did. Loads
 * node:inspector (~10 ms on a first use).
 */
export function closeUnrequestedInspector(warn: (message: string) => void): boolean {
  const inspector = process.getBuiltinModule('node:inspector');
  if (inspector.url() === undefined) return false;
  let closes = 0;
  closeNowAndAfterATurn(() => {
    const url = inspector.url();
    if (url === undefined) return;
    inspector.close();
    warn(
      closes++ === 0
        ? `tsproxy: closed Node's inspector (${url}), opened by a SIGUSR1 received during start-up\n`
        : `tsproxy: closed Node's inspector again (${url}): the same SIGUSR1 reopened it\n`,
    );
  });
  return true;
}

/**
 * Runs `close` now and once more when the event loop has turned. Node answers one SIGUSR1 along
 * three paths (an event-loop async handle, a platform task and a V8 interrupt), each starting the
 * inspector unless it already listens: one still pending when it was closed opens it again. They
 * were all queued with the signal, so a second close after a turn catches them (seen about one
 * run in eight under load without it).
 */
function closeNowAndAfterATurn(close: () => void): void {
  close();
  setImmediate(close);
}

/** Node's `process._debugEnd` (not in @types/node): what `inspector.close` is bound to. */
type DebugEnd = (() => void) | undefined;

/**
 * Closes an inspector nobody asked for without loading node:inspector, for the short-lived
 * commands: `process._debugEnd()` is Node's own close (`require('node:inspector').close` is that
 * very function; it stops the inspector if it listens, otherwise does nothing), the counterpart
 * of `process._debugProcess`. It cannot tell whether there was one, so nothing is said. Where a
 * Node has no such function, closeUnrequestedInspector instead.
 */
export function endUnrequestedInspector(warn: (message: string) => void): void {
  const debugEnd = (process as unknown as { _debugEnd?: DebugEnd })._debugEnd;
  if (typeof debugEnd !== 'function') {
    closeUnrequestedInspector(warn);
    return;
  }
  closeNowAndAfterATurn(() => debugEnd.call(process));
}

/** Whether SIGUSR1 is blocked by `--disable-sigusr1` (then access logs cannot be reopened). */
export function sigusr1Disabled(execArgv: readonly string[], nodeOptions: string | undefined): boolean {
  const all = [...(nodeOptions ?? '').split(/\s+/), ...execArgv];
  let disabled = false;
  for (const a of all) {
    if (/^--disable[-_]sigusr1$/.test(a)) disabled = true;
    else if (/^--no[-_]disable[-_]sigusr1$/.test(a)) disabled = false;
  }
  return disabled;
}
