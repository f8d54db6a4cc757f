/**
 * One table of the dashboard: a header line (the sort column marked) and rows, each cell
 * coloured by its column's tone. Layout comes from model/table.ts, as in the text snapshot.
 */
import { Text } from 'ink';
import { fit } from './model/format.js';
import type { History } from './model/history.js';
import type { Column, LaidOutTable, Tone } from './model/table.js';

const COLOR: Record<'bad' | 'warn', string> = { bad: 'red', warn: 'yellow' };

function toneColor(t: Tone): string | undefined {
  return t === undefined ? undefined : COLOR[t];
}

export interface TableViewProps<R> {
  readonly table: LaidOutTable<R>;
  readonly rows: readonly R[];
  readonly history: History;
  /** Column key the rows are sorted by, marked in the header. */
  readonly sortColumn?: string;
  readonly reverse?: boolean;
  /** Rows beyond what fits; shown as a "... n more" line. */
  readonly hidden: number;
  readonly rowKey: (r: R) => string;
}

function headerText<R>(c: Column<R>, sortColumn: string | undefined, ascending: boolean): string {
  return c.key === sortColumn ? `${c.header}${ascending ? '▲' : '▼'}` : c.header;
}

/** Whether the default order of a sort column is ascending (names, success rate, hosts). */
export function ascendingByDefault(key: string | undefined): boolean {
  return key === 'name' || key === 'success' || key === 'hosts';
}

export function TableView<R>(props: TableViewProps<R>) {
  const { table, rows, history, sortColumn, reverse, hidden, rowKey } = props;
  const ascending = ascendingByDefault(sortColumn) !== (reverse === true);
  return (
    <>
      <Text bold inverse wrap="truncate">
        {table.columns.map((c, i) => (i > 0 ? ' ' : '') + fit(headerText(c, sortColumn, ascending), table.widths[i]!, c.align)).join('')}
      </Text>
      {rows.map((r) => (
        <Text key={rowKey(r)} wrap="truncate">
          {table.columns.map((c, i) => (
            <Text key={c.key} color={toneColor(c.tone?.(r))}>
              {(i > 0 ? ' ' : '') + fit(c.cell(r, history), table.widths[i]!, c.align)}
            </Text>
          ))}
        </Text>
      ))}
      {hidden > 0 ? <Text dimColor>{`… ${hidden} more (/ filters by name)`}</Text> : null}
    </>
  );
}
