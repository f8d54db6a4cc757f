/**
 * Standard output and standard error for the short-lived commands (match, explain, test, lint,
 * diff), written without Node's stream objects where they are not needed.
 *
 * The first use of `process.stdout` or `process.stderr` builds a stream, loading its modules: a
 * net.Socket for a pipe (5-7 ms here), an fs.SyncWriteStream for a file or /dev/null (~3 ms), a
 * tty.WriteStream for a terminal; a `tsproxy match` used both (docs/core.md "tsproxy match cold
 * start"). Here, when the descriptor is a pipe, a socket, a regular file or /dev/null (fstat says
 * which, for ~0.2 ms), text goes straight to it with fs.writeSync: nothing to colour, nothing to
 * wait for. Anything else (a terminal, another character device) goes through Node's stream as
 * before. On Linux Node writes pipes, files and terminals synchronously, so text written here and
 * text written through `process.stdout` (commander's help) keep their order.
 *
 * A non-blocking pipe that is full (EAGAIN, the reader is slow) hands the rest, and every later
 * write, to Node's stream, which queues it; `drained()` resolves once that queue is written. A
 * reader that went away (EPIPE, `tsproxy match ... | head -1`) ends the output quietly.
 */

/** A standard stream: write text; whether it is a terminal (for colour). */
export interface StdStream {
  readonly isTTY: boolean;
  write(text: string): void;
}

/** What a StdStream needs from Node (tests pass their own). */
export interface StdIo {
  fstat(fd: number): { isFIFO(): boolean; isFile(): boolean; isSocket(): boolean; isCharacterDevice(): boolean; rdev: number };
  writeSync(fd: number, buffer: Uint8Array, offset: number, length: number): number;
  /** Node's stream for `fd` (process.stdout or process.stderr). */
  stream(fd: 1 | 2): { readonly isTTY?: boolean; write(chunk: string | Uint8Array, done: () => void): unknown };
}

/** /dev/null's device number on Linux (major 1, minor 3). */
const DEV_NULL_RDEV = 0x103;

const open: Array<StdStream | undefined> = [];
let pending = 0;
let waiting: Array<() => void> = [];

function defaultIo(): StdIo {
  const fs = process.getBuiltinModule('node:fs');
  return {
    fstat: (fd) => fs.fstatSync(fd),
    writeSync: (fd, b, off, len) => fs.writeSync(fd, b, off, len),
    stream: (fd) => (fd === 1 ? process.stdout : process.stderr),
  };
}

/** The process's standard output. */
export function stdout(): StdStream {
  return (open[1] ??= openStdStream(1, defaultIo()));
}

/** The process's standard error. */
export function stderr(): StdStream {
  return (open[2] ??= openStdStream(2, defaultIo()));
}

/** Resolves once everything written through these streams has been handed to the system. */
export function drained(): Promise<void> {
  return pending === 0 ? Promise.resolve() : new Promise((resolve) => waiting.push(resolve));
}

/** Writes `chunk` through Node's stream, counted until its callback (see drained). */
function viaStream(s: ReturnType<StdIo['stream']>, chunk: string | Uint8Array): void {
  pending++;
  s.write(chunk, () => {
    if (--pending > 0) return;
    const w = waiting;
    waiting = [];
    for (const resolve of w) resolve();
  });
}

/**
 * A StdStream for descriptor `fd`: direct for a pipe, socket, regular file or /dev/null, else
 * through Node's stream. Exported for tests; commands use stdout() and stderr().
 */
export function openStdStream(fd: 1 | 2, io: StdIo): StdStream {
  let direct = false;
  try {
    const st = io.fstat(fd);
    direct = st.isFIFO() || st.isSocket() || st.isFile() || (process.platform === 'linux' && st.isCharacterDevice() && st.rdev === DEV_NULL_RDEV);
  } catch {
    // A closed descriptor: let Node's stream deal with it, as before.
  }
  if (!direct) {
    const s = io.stream(fd);
    return { isTTY: s.isTTY === true, write: (text) => viaStream(s, text) };
  }
  let handedOver: ReturnType<StdIo['stream']> | undefined;
  let closed = false;
  return {
    isTTY: false,
    write(text) {
      if (closed || text === '') return;
      if (handedOver !== undefined) return viaStream(handedOver, text);
      const b = Buffer.from(text, 'utf8');
      let off = 0;
      while (off < b.length) {
        try {
          off += io.writeSync(fd, b, off, b.length - off);
        } catch (e) {
          const code = (e as NodeJS.ErrnoException).code;
          if (code === 'EAGAIN') {
            handedOver = io.stream(fd);
            return viaStream(handedOver, b.subarray(off));
          }
          if (code === 'EPIPE') {
            closed = true;
            return;
          }
          throw e;
        }
      }
    },
  };
}
