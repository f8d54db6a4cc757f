/**
 * Downstream connection ids (%CONNECTION_ID%, Envoy's per-process connection counter): one
 * sequence for every downstream connection, whatever its protocol.
 */
let next = 1;

/** The next connection id (1, 2, ...). */
export function nextConnectionId(): number {
  return next++;
}
