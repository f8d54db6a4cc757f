/**
 * `tsproxy replay` for humans: totals, hits per virtual host and route, routes never hit, the
 * requests that now get 404/503 (grouped, with example lines), what changes against the other
 * config, and where the log and the replay disagree. `limit` rows per list; --json has all.
 */
import type { ExampleJson, ReplayReport, RouteHitsJson } from '../../analysis/replay/report_types.js';
import { formatPos } from './format_common.js';
import type { Style } from './style.js';

function pct(n: number, total: number): string {
  return total === 0 ? '0%' : `${((100 * n) / total).toFixed(n === total || n === 0 ? 0 : 1)}%`;
}

function example(e: ExampleJson, style: Style): string {
  const was = e.logged_status === null ? '' : style.dim(` (logged ${e.logged_status})`);
  return `      ${style.dim(`${e.file}:${e.line}`)} ${e.method} ${e.authority ?? '(no Host)'}${e.path}${was}`;
}

function routeRow(r: RouteHitsJson, width: number, style: Style): string {
  const where = formatPos(r.position);
  return `  ${String(r.hits).padStart(width)}  ${r.route_configuration ? `${r.route_configuration} / ` : ''}${r.virtual_host} / ${style.name(r.label)}${where ? style.dim(`  ${where}`) : ''}`;
}

function more(n: number, limit: number, style: Style): string {
  return n > limit ? `  ${style.dim(`... and ${n - limit} more (--limit, or --json for all)`)}\n` : '';
}

/** The report as text; `limit` rows per list. */
export function formatReplay(r: ReplayReport, style: Style, limit: number): string {
  let out = '';
  const q = r.requests;
  out += `${style.bold('replayed')}  ${r.lines.parsed} of ${r.lines.total} lines against ${r.config.file}${r.against ? ` (before: ${r.against.file})` : ''}\n`;
  if (r.lines.unparsed > 0) {
    out += `${style.warn(`${r.lines.unparsed} lines do not have the log format`)} (${r.format.json ? 'json_format' : JSON.stringify(r.format.source)}):\n`;
    for (const u of r.lines.unparsed_examples) out += `      ${style.dim(`${u.file}:${u.line}`)} ${u.text}\n`;
  }
  out += `${style.bold('requests')}  ${q.routed} routed (${pct(q.routed, q.total)}), ${q.no_route} 404 NR, ${q.failing} local 404/503 in all, ${q.unrouted} not routed\n`;

  const vhosts = r.virtual_hosts.filter((v) => v.hits > 0);
  out += `\n${style.bold('virtual hosts')} (hits)\n`;
  const vw = String(vhosts[0]?.hits ?? 0).length;
  for (const v of vhosts.slice(0, limit)) out += `  ${String(v.hits).padStart(vw)}  ${v.route_configuration ? `${v.route_configuration} / ` : ''}${style.name(v.name)}${v.position ? style.dim(`  ${formatPos(v.position)}`) : ''}\n`;
  if (vhosts.length === 0) out += `  ${style.dim('none')}\n`;
  out += more(vhosts.length, limit, style);

  out += `\n${style.bold('routes')} (hits)\n`;
  const w = String(r.routes[0]?.hits ?? 0).length;
  for (const rt of r.routes.slice(0, limit)) out += routeRow(rt, w, style) + '\n';
  if (r.routes.length === 0) out += `  ${style.dim('none')}\n`;
  out += more(r.routes.length, limit, style);

  out += `\n${style.bold('never hit')} (${r.never_hit.length} route${r.never_hit.length === 1 ? '' : 's'})\n`;
  for (const rt of r.never_hit.slice(0, limit)) out += routeRow(rt, 1, style) + '\n';
  out += more(r.never_hit.length, limit, style);

  out += `\n${style.bold('now 404/503')}\n`;
  if (r.failures.length === 0) out += `  ${style.ok('none')}\n`;
  for (const f of r.failures.slice(0, limit)) {
    const newly = f.newly_failing > 0 ? style.warn(` (${f.newly_failing} logged with another status)`) : '';
    out += `  ${String(f.count).padStart(w)}  ${style.bad(`${f.status} ${f.response_flag} ${f.details}`)}: ${f.summary}${newly}\n`;
    for (const e of f.examples) out += example(e, style) + '\n';
  }
  out += more(r.failures.length, limit, style);

  if (r.changes !== null) {
    out += `\n${style.bold('changed')} ${r.changed} of ${q.total} requests (${pct(r.changed ?? 0, q.total)}) behave differently than with ${r.against?.file}\n`;
    for (const c of r.changes.slice(0, limit)) {
      out += `  ${String(c.count).padStart(w)}  ${c.before}\n  ${' '.repeat(w)}  ${style.warn(`-> ${c.after}`)}\n`;
      for (const e of c.examples) out += `${example(e, style)}\n        ${style.dim(`before: ${e.before}`)}\n        ${style.dim(`after:  ${e.outcome}`)}\n`;
    }
    out += more(r.changes.length, limit, style);
  }

  if (r.log_disagreements.count > 0) {
    out += `\n${style.bold('log disagrees')} ${r.log_disagreements.count} requests were logged with another route or cluster than the config picks now\n`;
    for (const e of r.log_disagreements.examples) out += `${example(e, style)}\n        ${style.dim(`logged ${e.logged}; now ${e.outcome}`)}\n`;
  }
  if (r.headers_not_logged.length > 0) {
    out += `\n${style.warn('note')} route matchers read headers the log does not carry (replayed as absent): ${r.headers_not_logged.join(', ')}\n`;
  }
  for (const n of r.notes) out += `${style.dim(`note: ${n}`)}\n`;
  return out;
}
