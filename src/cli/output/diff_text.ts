/**
 * `tsproxy diff` for humans: per section (listeners, route configurations, virtual hosts,
 * routes, clusters) what was added, removed, changed or moved with file:line, then the requests
 * that route differently, with the outcome before and after.
 */
import type { DiffReport } from '../../analysis/diff/diff.js';
import type { SectionDiffJson } from '../../analysis/diff/structure.js';
import { formatPos } from './format_common.js';
import type { Style } from './style.js';

function section(title: string, s: SectionDiffJson, style: Style, moved?: DiffReport['structure']['routes']['moved']): string {
  const n = s.added.length + s.removed.length + s.changed.length + (moved?.length ?? 0);
  if (n === 0) return '';
  let out = `${style.bold(title)}\n`;
  for (const a of s.added) out += `  ${style.ok('+')} ${a.key}${a.position ? style.dim(`  ${formatPos(a.position)}`) : ''}\n`;
  for (const r of s.removed) out += `  ${style.bad('-')} ${r.key}${r.position ? style.dim(`  ${formatPos(r.position)}`) : ''}\n`;
  for (const c of s.changed) {
    out += `  ${style.warn('~')} ${c.key}: ${c.fields.join(', ')}${style.dim(`  ${formatPos(c.old_position)} -> ${formatPos(c.new_position)}`)}\n`;
  }
  for (const m of moved ?? []) {
    out += `  ${style.warn('↕')} ${m.key}: moved from #${m.old_index} to #${m.new_index}${style.dim(`  ${formatPos(m.old_position)} -> ${formatPos(m.new_position)}`)}\n`;
  }
  return out;
}

/** The report as text; `limit` routing changes shown. */
export function formatDiff(r: DiffReport, style: Style, limit: number): string {
  const s = r.structure;
  let out = '';
  out += section('listeners', s.listeners, style);
  out += section('route configurations', s.route_configurations, style);
  out += section('virtual hosts', s.virtual_hosts, style);
  out += section('routes', s.routes, style, s.routes.moved);
  out += section('clusters', s.clusters, style);
  if (out === '') out = `${style.dim('no listener, route configuration, virtual host, route or cluster changed')}\n`;
  const g = r.routing;
  out += `\n${style.bold('routing')} ${g.changed === 0 ? style.ok(`no change over ${g.requests} request${g.requests === 1 ? '' : 's'} derived from the routes`) : style.bad(`${g.changed} of ${g.requests} requests derived from the routes route${g.changed === 1 ? 's' : ''} differently`)}\n`;
  for (const c of g.changes.slice(0, limit)) {
    const q = c.request;
    const hdrs = Object.entries(q.headers).map(([k, v]) => ` ${k}: ${v}`).join(';');
    out += `  ${q.method} ${q.scheme}://${q.authority ?? '(no Host)'}${q.path}${q.listener_port !== null ? ` (port ${q.listener_port})` : ''}${hdrs ? style.dim(` [${hdrs.trim()}]`) : ''}\n`;
    out += `    ${style.dim(`from ${c.derived_from}${c.variant === 'without headers' ? ', without its header/query matchers' : ''}`)}\n`;
    out += `    before: ${c.before}\n    ${style.warn(`after:  ${c.after}`)}\n`;
  }
  if (g.changes.length > limit) out += `  ${style.dim(`... and ${g.changes.length - limit} more (--limit, or --json for all)`)}\n`;
  for (const n of g.not_probed) out += `${style.dim(`note: ${n.route}: ${n.reason}`)}\n`;
  return out;
}
