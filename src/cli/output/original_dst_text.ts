/**
 * Text of `--original-dst` (the listener hand-off) for match and explain: how the connection
 * reached its listener. The JSON is `listener.original_dst` (docs/json-schema.md).
 */
import type { OriginalDstJson } from '../../analysis/explain/report_types.js';

function accepting(o: OriginalDstJson): string {
  const a = o.accepting_listener;
  return `${a.name === null ? `#${a.index}` : `"${a.name}"`} ${a.address}`;
}

/** One line for match: `10.0.0.1:80, accepted by "virtual" 0.0.0.0:15001 (hand-off: exact)`; the listener line says why. */
export function originalDstLine(o: OriginalDstJson): string {
  return `${o.address}, accepted by ${accepting(o)} (${o.mode === 'hand_off' ? `hand-off: ${o.match}` : o.match === 'not_read' ? 'not read' : 'restored, no hand-off'})`;
}

/** Lines for explain (indented by the caller): the accepting listener, each address looked up. */
export function originalDstLines(o: OriginalDstJson): string[] {
  const lines = [`original destination ${o.address}, accepted by ${accepting(o)} (${o.accepting_listener.reason})`];
  for (const l of o.lookups) lines.push(`  looked up ${l.address}: ${l.listener_index < 0 ? 'no listener' : `listener #${l.listener_index}`}`);
  if (o.match === 'not_read' || o.match === 'no_hand_off') lines.push(`  ${o.reason}`);
  return lines;
}
