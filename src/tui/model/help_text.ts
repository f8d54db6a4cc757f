/**
 * The help screen's text: keys, what each column is and how it is derived, and how each response
 * flag is derived from Envoy's counters. docs/top.md says the same for readers of the docs.
 */
import { RESPONSE_FLAG_SOURCES } from './response_flags.js';
import { SORT_LABELS, type SortKey } from './table.js';

export interface HelpLine {
  readonly text: string;
  readonly heading?: boolean;
}

/** [label, explanation] rows, wrapped under the explanation column. */
type Entry = readonly [string, string];

const KEYS = (sort: SortKey): Entry[] => [
  ['s / S', `sort by the next / previous column (now: ${SORT_LABELS[sort]})`],
  ['r', 'reverse the sort'],
  ['/', 'filter clusters and downstream rows by name: Enter keeps it, Esc clears it'],
  ['p', 'pause the screen (polling goes on; p again shows the latest)'],
  ['?', 'this help: arrows, j/k and space scroll, ? or Esc closes'],
  ['q', 'quit (Ctrl+C too)'],
];

const COLUMNS: Entry[] = [
  ['listener', 'listener.<address>.downstream_cx_total (CX/S) and downstream_cx_active (CX); its RPS and 5XX/S from Envoy\'s per-listener listener.<address>.http.<prefix>.downstream_rq_completed / _5xx ("-" when the admin has none)'],
  ['http', 'a connection manager: http.<prefix>.downstream_rq_total (RPS), downstream_rq_5xx, downstream_cx_total, downstream_cx_active, downstream_rq_active'],
  ['RPS', 'requests completed per second: cluster.<name>.upstream_rq_1xx + ... + upstream_rq_5xx (final responses, local replies charged to the cluster such as UF 503 or UT 504 included; upstream_rq_total when the admin has no such counters)'],
  ['SUCCESS', '1 - upstream_rq_5xx / (upstream_rq_1xx + ... + upstream_rq_5xx) over the last poll ("-" when nothing completed)'],
  ['5XX/S', 'upstream_rq_5xx per second'],
  ['P50 P99', 'upstream_rq_time from /stats?format=json computed_quantiles: the interval value (Envoy\'s last stats flush); * marks the cumulative value, used when that interval recorded nothing'],
  ['RQ CX', 'upstream_rq_active and upstream_cx_active gauges'],
  ['HOSTS', 'healthy/total from /clusters?format=json health_status: failing active health checks, outlier-ejected or EDS-unhealthy hosts are not healthy'],
  ['CB OPEN', 'circuit_breakers.<priority>.{cx,cx_pool,rq_pending,rq,rq_retry}_open gauges at 1 (high priority named high:)'],
  ['EJECT', 'outlier_detection.ejections_active'],
  ['RETRY/S', 'upstream_rq_retry per second'],
  ['RPS TREND', "sparkline of the cluster's RPS over the last polls; the header's sparklines are total downstream rps and 5xx/s"],
];

/** Words of `text` wrapped to `width`, the first line prefixed by `head`, others indented as much. */
function wrap(head: string, text: string, width: number): string[] {
  const indent = ' '.repeat(head.length);
  const room = Math.max(20, width - head.length);
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line !== '' && line.length + 1 + word.length > room) {
      lines.push(line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  if (line !== '') lines.push(line);
  return lines.map((l, i) => (i === 0 ? head : indent) + l);
}

function entries(rows: readonly Entry[], labelWidth: number, width: number): HelpLine[] {
  return rows.flatMap(([label, text]) => wrap(`  ${label.padEnd(labelWidth)} `, text, width).map((t) => ({ text: t })));
}

/** The help screen's lines for a terminal `width` cells wide. */
export function helpLines(width: number, sort: SortKey): HelpLine[] {
  const flagRows: Entry[] = RESPONSE_FLAG_SOURCES.map((f) => [
    f.flag,
    `${f.long}: ${f.meaning}. From ${f.stats.map((s) => `${f.scope}.*.${s}`).join(' + ')}${f.caveat ? ` (${f.caveat})` : ''}`,
  ]);
  return [
    { text: 'tsproxy top: keys', heading: true },
    ...entries(KEYS(sort), 6, width),
    { text: '' },
    { text: 'Columns (a rate is a counter\'s growth between two polls over the seconds between them)', heading: true },
    ...entries(COLUMNS, 9, width),
    { text: '' },
    { text: 'Response flags: Envoy keeps no per-flag counter; each flag is read from the counter Envoy increments where it sets that flag', heading: true },
    ...entries(flagRows, 5, width),
    { text: '' },
    { text: 'The admin listener itself (http.admin, listener.admin) is left out: its traffic is this polling.' },
  ];
}
