/**
 * The original destination of an accepted connection: SO_ORIGINAL_DST (IPv4) and
 * IP6T_SO_ORIGINAL_DST (IPv6), read by the Node-API addon in native/original_dst (Node has no
 * getsockopt). Linux-only: the option is netfilter's (iptables REDIRECT / TPROXY); the fd comes
 * from the accepted socket's libuv handle (`socket._handle.fd`, a number on Unix only).
 *
 * The addon is loaded lazily, on the first call of loadOriginalDstReader(), which serve makes only
 * when a listener uses the original destination; a missing or broken addon is returned as an error
 * message for serve to report (naming the listener), never thrown at import time.
 */
import { createRequire } from 'node:module';
import type { Socket } from 'node:net';
import { fileURLToPath } from 'node:url';

/** A connection's destination before iptables rewrote it (the local address Envoy restores). */
export interface RestoredLocalAddress {
  readonly address: string;
  readonly port: number;
}

/** What the addon returns for one fd. */
export type OriginalDstResult =
  | { readonly address: string; readonly port: number; readonly family: 4 | 6 }
  /** getsockopt failed otherwise than "not redirected" (EBADF for a closed fd, ENOTSOCK, ...). */
  | { readonly error: string; readonly errno: number }
  /** The connection was not redirected (ENOENT, ENOPROTOOPT), or not Linux. */
  | undefined;

/** Reads the original destination of a socket's fd; never throws for a bad fd. */
export type OriginalDstReader = (fd: number) => OriginalDstResult;

/** The npm name of native/original_dst, when installed as a dependency. */
const PACKAGE = 'tsproxy-original-dst';
/** The addon in this checkout: dist/src/runtime/network/ -> the repository root. */
const IN_TREE = fileURLToPath(new URL('../../../../native/original_dst/index.js', import.meta.url));

let loaded: { readonly reader: OriginalDstReader } | { readonly error: string } | undefined;

/**
 * The addon's reader, or why it cannot be loaded (not built, built for another Node, ...).
 * Loads once; later calls return the same answer.
 */
export function loadOriginalDstReader(): { readonly reader: OriginalDstReader } | { readonly error: string } {
  if (loaded !== undefined) return loaded;
  const require = createRequire(import.meta.url);
  const failures: string[] = [];
  for (const spec of [PACKAGE, IN_TREE]) {
    try {
      const mod = require(spec) as { getOriginalDst?: unknown };
      if (typeof mod.getOriginalDst !== 'function') {
        failures.push(`${spec}: getOriginalDst is not exported`);
        continue;
      }
      const fn = mod.getOriginalDst as OriginalDstReader;
      loaded = { reader: fn };
      return loaded;
    } catch (err) {
      failures.push(`${spec}: ${firstLine((err as Error).message)}`);
    }
  }
  loaded = {
    error: `cannot load native/original_dst (${failures.join('; ')}); build it with \`npx node-gyp rebuild -C native/original_dst\``,
  };
  return loaded;
}

function firstLine(s: string): string {
  const i = s.indexOf('\n');
  return i < 0 ? s : s.slice(0, i);
}

/** The accepted socket's file descriptor (libuv's TCP handle `fd`, Linux/Unix only); -1 when unknown. */
export function socketFd(socket: Socket): number {
  const fd = (socket as unknown as { _handle?: { fd?: unknown } })._handle?.fd;
  return typeof fd === 'number' ? fd : -1;
}
