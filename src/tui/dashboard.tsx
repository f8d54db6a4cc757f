/**
 * The live dashboard, drawn from the UI state for a terminal of `width` x `height` cells: title,
 * totals with sparklines, the downstream and cluster tables (rows that do not fit are counted,
 * columns that do not fit are dropped by priority), the busiest response flags, and a key line.
 */
import { Box, Text } from 'ink';
import { fmtRate } from './model/format.js';
import { topFlags } from './model/response_flags.js';
import { flagLine, FLAGS_NOTE, titleLine } from './model/snapshot.js';
import { sparkline } from './model/sparkline.js';
import { CLUSTER_COLUMNS, DOWNSTREAM_COLUMNS, SORT_LABELS, downstreamName, filterRows, layoutTable, sortRows } from './model/table.js';
import { shownFrame, type UiState } from './model/ui_state.js';
import { TableView } from './table_view.js';

export interface DashboardProps {
  readonly state: UiState;
  readonly admin: string;
  readonly intervalMs: number;
  readonly width: number;
  readonly height: number;
}

/** Flags shown under the tables at most (fewer on a short terminal, to leave room for rows). */
const flagLines = (height: number): number => (height < 24 ? 2 : 5);

/** How many of `down` and `clusters` rows fit in `room` lines (each table's "more" line included). */
export function splitRows(room: number, down: number, clusters: number): { down: number; clusters: number } {
  const fits = (n: number, avail: number): number => (n <= avail ? n : Math.max(0, avail - 1));
  if (down + clusters <= room) return { down, clusters };
  const downShare = Math.min(down, Math.max(2, Math.floor(room / 3)));
  const d = fits(down, downShare);
  const dLines = d + (d < down ? 1 : 0);
  return { down: d, clusters: fits(clusters, Math.max(0, room - dLines)) };
}

function footer(s: UiState, intervalMs: number): string {
  const filter = s.editing !== null ? `/${s.editing}█ (Enter keeps, Esc clears)` : s.filter ? `filter "${s.filter}" (Esc clears)` : '/ filter';
  const sort = `s sort: ${SORT_LABELS[s.sortKey]}${s.reverse ? ' (reversed)' : ''}`;
  return `${sort}  r reverse  ${filter}  p ${s.frozen ? 'resume' : 'pause'}  ? help  q quit  | every ${intervalMs / 1000}s`;
}

/**
 * `width` chooses the columns; the root box takes ink's own width (the terminal's), so a frame
 * ink redraws at a new size before React has re-rendered is cut at the terminal's edge instead of
 * wrapping (every line is `truncate`, except the error, which wraps inside the terminal).
 */
export function Dashboard({ state, admin, intervalMs, width, height }: DashboardProps) {
  const frame = shownFrame(state);
  const errorText = state.error ? `${state.error} (retrying every ${intervalMs / 1000}s${frame ? '; showing the last good poll' : ''})` : '';
  // The reason matters more than the space: the error line wraps instead of being cut.
  const errorLines = errorText ? Math.ceil([...errorText].length / Math.max(1, width)) : 0;
  const errorLine = errorText ? <Text color="red">{errorText}</Text> : null;
  if (!frame) {
    return (
      <Box flexDirection="column">
        <Text bold wrap="truncate">{`tsproxy top  ${admin}`}</Text>
        {errorLine ?? <Text>{`polling ${admin} ...`}</Text>}
        <Text dimColor wrap="truncate">{footer(state, intervalMs)}</Text>
      </Box>
    );
  }
  const { view, history } = frame;
  const filter = state.editing ?? state.filter;
  const down = sortRows(filterRows(view.downstream, filter, downstreamName), state.sortKey, state.reverse);
  const clusters = sortRows(filterRows(view.clusters, filter), state.sortKey, state.reverse);
  const flags = topFlags(view.flags, flagLines(height));
  // title, totals, [error], blank, header, blank, header, blank, flags heading, flags, keys.
  const fixed = 2 + errorLines + 6 + flags.length + 1;
  const room = Math.max(2, height - fixed - 1);
  const fit = splitRows(room, down.length, clusters.length);
  const sparkWidth = Math.max(8, Math.min(30, Math.floor((width - 50) / 2)));
  const t = view.totals;
  return (
    <Box flexDirection="column">
      <Text bold wrap="truncate">
        {titleLine(view, admin)}
        {state.frozen ? <Text color="yellow">{'  [PAUSED]'}</Text> : null}
      </Text>
      <Text wrap="truncate">
        {'rps '}
        <Text color="cyan">{sparkline(history.rps, sparkWidth)}</Text>
        {` ${fmtRate(t.rps)}/s   5xx `}
        <Text color="red">{sparkline(history.errors, sparkWidth)}</Text>
        {` ${fmtRate(t.errorsPerS)}/s   cx ${t.cxActive}  rq ${t.rqActive}`}
      </Text>
      {errorLine}
      <Box height={1} />
      <TableView
        table={layoutTable(DOWNSTREAM_COLUMNS, width)}
        rows={down.slice(0, fit.down)}
        hidden={down.length - fit.down}
        history={history}
        sortColumn={state.sortKey}
        reverse={state.reverse}
        rowKey={(r) => `${r.kind}:${r.name}`}
      />
      <Box height={1} />
      <TableView
        table={layoutTable(CLUSTER_COLUMNS, width)}
        rows={clusters.slice(0, fit.clusters)}
        hidden={clusters.length - fit.clusters}
        history={history}
        sortColumn={state.sortKey}
        reverse={state.reverse}
        rowKey={(r) => r.name}
      />
      <Box height={1} />
      <Text bold wrap="truncate">{flags.length > 0 ? FLAGS_NOTE : `${FLAGS_NOTE}: none seen`}</Text>
      {flags.map((f) => (
        <Text key={f.source.flag} wrap="truncate" color={(f.rate ?? 0) > 0 ? 'red' : undefined}>
          {flagLine(f)}
        </Text>
      ))}
      <Text dimColor wrap="truncate">{footer(state, intervalMs)}</Text>
    </Box>
  );
}
