/**
 * The original destination listener filter and the hand-off, at run time (Envoy's
 * OriginalDstFilter::onAccept + ActiveTcpSocket::newConnection): on each accepted socket of a
 * listener that uses the original destination, read it (SO_ORIGINAL_DST); when there is one, the
 * connection's local address becomes it, and a `use_original_dst` listener hands the connection
 * to the listener the core's hand-off table picks (exact ip:port, else 0.0.0.0/[::]:port, else
 * itself). The receiving listener serves it without reading or handing off again.
 *
 * A connection that was not redirected, or whose destination cannot be read (the socket closed
 * already: EBADF), stays on the accepting listener with its own local address.
 */
import type { Socket } from 'node:net';
import { parseIpAddress } from '../../core/internal_address.js';
import type { OriginalDstHandoffTable, OriginalDstMode } from '../../core/original_dst_handoff.js';
import { socketFd, type OriginalDstReader, type RestoredLocalAddress } from './original_dst.js';

/** A listener that can serve a connection (ActiveListener). */
export interface ConnectionTarget {
  readonly name: string;
  /** Serves `socket`; `restoredLocal` is its original destination, its local address from now on. */
  newConnection(socket: Socket, restoredLocal?: RestoredLocalAddress): void;
}

export interface OriginalDstAcceptOptions {
  /** The accepting listener and its index in the config's listeners. */
  readonly self: ConnectionTarget;
  readonly index: number;
  /** `hand_off` (use_original_dst) or `restore` (the listener filter only). */
  readonly mode: Exclude<OriginalDstMode, 'none'>;
  readonly table: OriginalDstHandoffTable;
  /** Serving listeners by config index (undefined where a listener is not served). */
  readonly listeners: readonly (ConnectionTarget | undefined)[];
  readonly reader: OriginalDstReader;
  /** Debug log (a destination that could not be read). */
  readonly debug?: (message: string) => void;
}

/**
 * The accept filter of one listener: returns true when it gave the socket to a listener (this
 * one with its restored address, or another), false when the listener should serve it as usual.
 */
export function originalDstAcceptFilter(o: OriginalDstAcceptOptions): (socket: Socket) => boolean {
  return (socket: Socket): boolean => {
    const r = o.reader(socketFd(socket));
    if (r === undefined) return false;
    if ('error' in r) {
      o.debug?.(`listener "${o.self.name}": the original destination could not be read (${r.error}); the connection stays on this listener`);
      return false;
    }
    const local: RestoredLocalAddress = { address: r.address, port: r.port };
    let target = o.self;
    if (o.mode === 'hand_off') {
      const ip = parseIpAddress(r.address);
      if (ip !== undefined) target = o.listeners[o.table.select(o.index, { ip, port: r.port }).index] ?? o.self;
    }
    target.newConnection(socket, local);
    return true;
  };
}
