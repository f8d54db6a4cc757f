/** Small formatting pieces shared by the match and explain text output. */
import type { ExplainReport, HeaderChangeJson, PositionJson, RequestHandlingJson } from '../../analysis/explain/report_types.js';
import { OFFLINE_REQUEST_ID } from '../../analysis/explain/connection_manager.js';
import type { Style } from './style.js';

/** `5s`, `1.5s`, `250ms`; `0` prints as `0s (disabled)` where a 0 timeout disables. */
export function formatMs(ms: number): string {
  if (ms === 0) return '0s';
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  if (ms > 1000 && (ms * 10) % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}

/** `file:line:col`, or '' when unknown. */
export function formatPos(p: PositionJson | null): string {
  return p ? `${p.file}:${p.line}:${p.col}` : '';
}

/** Label/value lines with the labels padded to one column. */
export function kv(rows: readonly (readonly [string, string])[], style: Style): string {
  const width = Math.max(...rows.map(([k]) => k.length)) + 2;
  return rows
    .map(([k, v]) => {
      const [first, ...rest] = v.split('\n');
      const pad = ' '.repeat(width);
      return style.bold(k.padEnd(width)) + first + rest.map((l) => `\n${pad}${l}`).join('') + '\n';
    })
    .join('');
}

/** `GET http://host/path` as the request line. */
export function requestLine(r: ExplainReport): string {
  return `${r.request.method} ${r.request.scheme}://${r.request.authority ?? '(no Host)'}${r.request.path}`;
}

/** The outcome in Envoy's words: `404 NR route_not_found`, or `forwarded upstream (via_upstream)`. */
export function outcomeLine(r: ExplainReport, style: Style): string {
  const o = r.outcome;
  if (o.status === null) {
    return o.details === 'via_upstream' ? style.ok(o.summary) : style.bad(o.summary);
  }
  const head = `${o.status} ${o.response_flag === '-' ? '' : o.response_flag + ' '}${o.details}`;
  const colour = o.response_flag === '-' ? style.ok : style.bad;
  return `${colour(head)} — ${o.summary}`;
}

/** The cluster with its specifier and, for weighted clusters, the pick. */
export function clusterText(r: ExplainReport): string {
  const c = r.action.cluster;
  if (!c) return '-';
  if (c.specifier === 'unsupported') return '(not known offline: unsupported cluster specifier)';
  const name = c.name === '' ? '(empty: header missing)' : c.name;
  const status = c.defined === false ? ' (not defined in this config)' : c.endpoints === 0 ? ' (no endpoints)' : '';
  if (c.specifier === 'cluster_header') return `${name}${status} from header ${c.header}`;
  if (c.specifier === 'weighted_clusters' && c.weighted) {
    const w = c.weighted;
    const parts = w.clusters.map((e, i) => `${e.cluster_header ? `header ${e.cluster_header}` : e.name}=${e.weight}${i === w.picked_index ? '*' : ''}`);
    const src = w.value_source === 'random' ? 'random value' : 'header value';
    return `${name}${status}\nweighted_clusters ${parts.join(' ')} (total ${w.total_weight})\n${src} ${w.value} % ${w.total_weight} = ${w.selector} picks #${w.picked_index} ${name}`;
  }
  return `${name}${status}`;
}

/** `name: before -> after` for a header the connection manager changed. */
export function headerChangeText(c: HeaderChangeJson): string {
  const after = c.after === null ? '(removed)' : c.name === 'x-request-id' && c.after === OFFLINE_REQUEST_ID ? '(a new UUID)' : c.after;
  return `${c.name}: ${c.before ?? '(none)'} -> ${after}`;
}

/** What normalised the path, in Envoy's order: `unescape_slashes /a%2Fb -> /a/b`. */
export function pathStepsText(h: RequestHandlingJson): string[] {
  return h.path_steps.map((s) => `${s.op} ${s.before} -> ${s.after}`);
}

/** The connection manager's verdict on who sent the request. */
export function downstreamText(h: RequestHandlingJson): string {
  const who = h.internal === null ? '' : h.internal ? ', internal' : h.edge ? ', external (edge request)' : ', external';
  return `${h.remote_address}${h.tls ? ' over TLS' : ''}${who}`;
}
