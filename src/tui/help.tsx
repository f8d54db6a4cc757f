/** The help screen: model/help_text.ts's lines, scrolled to fit the terminal's height. */
import { Box, Text } from 'ink';
import { helpLines } from './model/help_text.js';
import type { SortKey } from './model/table.js';

export interface HelpProps {
  readonly width: number;
  readonly height: number;
  readonly scroll: number;
  readonly sortKey: SortKey;
}

/** Lines of help shown at once on a terminal `height` rows high (one for the key line, one spare). */
const visibleLines = (height: number): number => Math.max(3, height - 2);

/** How far the help can scroll at this size: its last line at the bottom. */
export function helpMaxScroll(width: number, height: number, sortKey: SortKey): number {
  return Math.max(0, helpLines(width, sortKey).length - visibleLines(height));
}

export function Help({ width, height, scroll, sortKey }: HelpProps) {
  const lines = helpLines(width, sortKey);
  const visible = visibleLines(height);
  const top = Math.min(scroll, Math.max(0, lines.length - visible));
  const shown = lines.slice(top, top + visible);
  const last = Math.min(lines.length, top + visible);
  return (
    <Box flexDirection="column">
      {shown.map((l, i) => (
        <Text key={top + i} bold={l.heading === true} wrap="truncate">
          {l.text === '' ? ' ' : l.text}
        </Text>
      ))}
      <Text dimColor wrap="truncate">{`lines ${top + 1}-${last} of ${lines.length}  ↑↓ j k space scroll  ? or Esc closes  q quits`}</Text>
    </Box>
  );
}
