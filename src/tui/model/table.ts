/**
 * The dashboard's two tables as data: columns (header, width, what a cell shows), which columns
 * fit a terminal width, sorting and filtering. The ink views and the text snapshot both lay
 * rows out with {@link layoutTable}, so they show the same thing.
 */
import { fit, fmtCount, fmtPercent, fmtQuantile, fmtRate } from './format.js';
import type { History } from './history.js';
import { sparkline } from './sparkline.js';
import type { ClusterRow, DownstreamRow } from './view.js';

export interface Column<R> {
  readonly key: string;
  readonly header: string;
  readonly width: number;
  readonly align: 'left' | 'right';
  /** Lower keeps the column on narrower terminals; the name column is always kept. */
  readonly priority: number;
  readonly cell: (row: R, history: History) => string;
  /** How a live view colours the cell: `bad` (red), `warn` (yellow), or plain. */
  readonly tone?: (row: R) => Tone;
}

export type Tone = 'bad' | 'warn' | undefined;

const errorTone = (v: number | null): Tone => (v !== null && v > 0 ? 'bad' : undefined);

function successTone(v: number | null): Tone {
  if (v === null || v >= 0.99) return undefined;
  return v < 0.95 ? 'bad' : 'warn';
}

function hostsTone(r: ClusterRow): Tone {
  if (r.hostsTotal > 0 && r.hostsHealthy === 0) return 'bad';
  return r.hostsHealthy < r.hostsTotal ? 'warn' : undefined;
}

/** What the `s` key cycles through, in order. */
export const SORT_KEYS = ['rps', 'errors', 'success', 'p99', 'p50', 'rq', 'cx', 'hosts', 'retries', 'name'] as const;
export type SortKey = (typeof SORT_KEYS)[number];

export const SORT_LABELS: Record<SortKey, string> = {
  rps: 'RPS',
  errors: '5XX/S',
  success: 'SUCCESS',
  p99: 'P99',
  p50: 'P50',
  rq: 'RQ',
  cx: 'CX',
  hosts: 'HOSTS',
  retries: 'RETRY/S',
  name: 'NAME',
};

/** Width of the name column: at least this, more when the terminal allows. */
const NAME_MIN = 14;
const NAME_MAX = 40;
const TREND_WIDTH = 12;

export const CLUSTER_COLUMNS: readonly Column<ClusterRow>[] = [
  { key: 'name', header: 'CLUSTER', width: NAME_MIN, align: 'left', priority: 0, cell: (r) => r.name },
  { key: 'rps', header: 'RPS', width: 7, align: 'right', priority: 1, cell: (r) => fmtRate(r.rps) },
  { key: 'success', header: 'SUCCESS', width: 8, align: 'right', priority: 2, cell: (r) => fmtPercent(r.successRate), tone: (r) => successTone(r.successRate) },
  { key: 'errors', header: '5XX/S', width: 6, align: 'right', priority: 3, cell: (r) => fmtRate(r.errorsPerS), tone: (r) => errorTone(r.errorsPerS) },
  { key: 'p50', header: 'P50', width: 7, align: 'right', priority: 7, cell: (r) => fmtQuantile(r.p50) },
  { key: 'p99', header: 'P99', width: 7, align: 'right', priority: 4, cell: (r) => fmtQuantile(r.p99) },
  { key: 'rq', header: 'RQ', width: 5, align: 'right', priority: 8, cell: (r) => fmtCount(r.rqActive) },
  { key: 'cx', header: 'CX', width: 5, align: 'right', priority: 9, cell: (r) => fmtCount(r.cxActive) },
  {
    key: 'hosts',
    header: 'HOSTS',
    width: 7,
    align: 'right',
    priority: 5,
    cell: (r) => `${r.hostsHealthy}/${r.hostsTotal}`,
    tone: hostsTone,
  },
  { key: 'cb', header: 'CB OPEN', width: 10, align: 'left', priority: 6, cell: (r) => (r.breakersOpen.length > 0 ? r.breakersOpen.join(',') : '-'), tone: (r) => (r.breakersOpen.length > 0 ? 'bad' : undefined) },
  { key: 'ejected', header: 'EJECT', width: 5, align: 'right', priority: 10, cell: (r) => fmtCount(r.ejectionsActive), tone: (r) => (r.ejectionsActive > 0 ? 'warn' : undefined) },
  { key: 'retries', header: 'RETRY/S', width: 7, align: 'right', priority: 11, cell: (r) => fmtRate(r.retriesPerS) },
  { key: 'trend', header: 'RPS TREND', width: TREND_WIDTH, align: 'left', priority: 12, cell: (r, h) => sparkline(h.clusterRps.get(r.name) ?? [], TREND_WIDTH) },
];

/** `listener <name> (<address>)` or `http <stat_prefix>`. */
export function downstreamName(r: DownstreamRow): string {
  if (r.kind === 'http') return `http ${r.name}`;
  return r.address ? `listener ${r.name} (${r.address})` : `listener ${r.name}`;
}

export const DOWNSTREAM_COLUMNS: readonly Column<DownstreamRow>[] = [
  { key: 'name', header: 'DOWNSTREAM', width: NAME_MIN, align: 'left', priority: 0, cell: downstreamName },
  { key: 'rps', header: 'RPS', width: 7, align: 'right', priority: 1, cell: (r) => fmtRate(r.rps) },
  { key: 'errors', header: '5XX/S', width: 6, align: 'right', priority: 3, cell: (r) => fmtRate(r.errorsPerS), tone: (r) => errorTone(r.errorsPerS) },
  { key: 'cxps', header: 'CX/S', width: 6, align: 'right', priority: 4, cell: (r) => fmtRate(r.cxPerS) },
  { key: 'cx', header: 'CX', width: 5, align: 'right', priority: 2, cell: (r) => fmtCount(r.cxActive) },
  { key: 'rq', header: 'RQ', width: 5, align: 'right', priority: 5, cell: (r) => (r.kind === 'http' ? fmtCount(r.rqActive) : '-') },
];

export interface LaidOutTable<R> {
  readonly columns: readonly Column<R>[];
  /** Width of each column in `columns`, the name column's grown to use spare room. */
  readonly widths: readonly number[];
}

/**
 * The columns that fit `width` terminal cells (one space between columns), keeping the most
 * important ones; the name column takes what is left, up to NAME_MAX.
 */
export function layoutTable<R>(columns: readonly Column<R>[], width: number): LaidOutTable<R> {
  const byPriority = [...columns].sort((a, b) => a.priority - b.priority);
  const kept = new Set<Column<R>>();
  let used = -1;
  for (const c of byPriority) {
    // Strictly by priority: a less important column never takes the place of one that did not fit.
    if (c.priority !== 0 && used + 1 + c.width > width) break;
    kept.add(c);
    used += 1 + c.width;
  }
  const shown = columns.filter((c) => kept.has(c));
  const spare = Math.max(0, width - used);
  const widths = shown.map((c) => (c.priority === 0 ? Math.min(NAME_MAX, c.width + spare) : c.width));
  return { columns: shown, widths };
}

/** One line of a laid-out table: the header when `row` is undefined. */
export function formatTableLine<R>(t: LaidOutTable<R>, row: R | undefined, history: History): string {
  return t.columns
    .map((c, i) => fit(row === undefined ? c.header : c.cell(row, history), t.widths[i]!, c.align))
    .join(' ')
    .trimEnd();
}

type Sortable = { name: string; rps: number | null; errorsPerS: number | null; cxActive: number };

function sortValue(r: Sortable & Partial<ClusterRow> & { rqActive?: number }, key: SortKey): number | string | null {
  switch (key) {
    case 'name':
      return r.name;
    case 'rps':
      return r.rps;
    case 'errors':
      return r.errorsPerS;
    case 'success':
      return r.successRate ?? null;
    case 'p99':
      return r.p99?.ms ?? null;
    case 'p50':
      return r.p50?.ms ?? null;
    case 'rq':
      return r.rqActive ?? null;
    case 'cx':
      return r.cxActive;
    case 'hosts':
      return r.hostsTotal ? (r.hostsHealthy ?? 0) / r.hostsTotal : null;
    case 'retries':
      return r.retriesPerS ?? null;
  }
}

/**
 * Rows sorted by `key`: names A-Z, success rate and healthy-host share worst first, every other
 * figure largest first; `reverse` flips that. Rows without the figure go last; ties keep name order.
 */
export function sortRows<R extends Sortable>(rows: readonly R[], key: SortKey, reverse: boolean): R[] {
  const ascending = key === 'name' || key === 'success' || key === 'hosts';
  const dir = (ascending ? 1 : -1) * (reverse ? -1 : 1);
  return [...rows].sort((a, b) => {
    const va = sortValue(a, key);
    const vb = sortValue(b, key);
    if (va === null || vb === null) {
      if (va !== vb) return va === null ? 1 : -1;
    } else if (va !== vb) {
      return (va < vb ? -1 : 1) * dir;
    }
    return a.name.localeCompare(b.name);
  });
}

/** Rows whose name (or, downstream, shown name) contains `filter`, case-insensitively. */
export function filterRows<R extends { name: string }>(rows: readonly R[], filter: string, shownName: (r: R) => string = (r) => r.name): R[] {
  const f = filter.trim().toLowerCase();
  if (f === '') return [...rows];
  return rows.filter((r) => shownName(r).toLowerCase().includes(f));
}
