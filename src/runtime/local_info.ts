/**
 * Envoy's LocalInfo as tsproxy needs it: the server's own address. Its own small module (only
 * node:os) so that the offline commands that need it (match/explain for a loopback peer, diff,
 * replay) load it without the connection manager and the rest of serve's runtime.
 */
import { networkInterfaces } from 'node:os';

let cachedLocalInfoAddress: string | undefined;

/**
 * Envoy's local_info address (Network::Utility::getLocalAddress for IPv4): the first
 * non-loopback IPv4 address of the host, else 127.0.0.1. With use_remote_address, Envoy appends
 * it to x-forwarded-for instead of a loopback peer's address. Read once per process.
 */
export function localInfoAddress(): string {
  if (cachedLocalInfoAddress !== undefined) return cachedLocalInfoAddress;
  let found = '127.0.0.1';
  try {
    outer: for (const list of Object.values(networkInterfaces())) {
      for (const a of list ?? []) {
        if (a.family === 'IPv4' && !a.internal) {
          found = a.address;
          break outer;
        }
      }
    }
  } catch {
    // No interface list (sandboxes): keep the loopback default, as Envoy does.
  }
  cachedLocalInfoAddress = found;
  return found;
}
