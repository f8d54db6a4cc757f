/** The destination of a connection before iptables REDIRECT / TPROXY rewrote it. */
export interface OriginalDst {
  readonly address: string;
  readonly port: number;
  readonly family: 4 | 6;
}
/** getsockopt failed for another reason than "no original destination" (closed fd, ...). */
export interface OriginalDstError {
  /** `EBADF`, `ENOTSOCK`, ... */
  readonly error: string;
  readonly errno: number;
}
/**
 * SO_ORIGINAL_DST (IPv4) / IP6T_SO_ORIGINAL_DST (IPv6) of an accepted TCP socket's fd (Linux).
 * undefined: the connection was not redirected (or not Linux). Never throws for a bad fd.
 */
export function getOriginalDst(fd: number): OriginalDst | OriginalDstError | undefined;
