/**
 * `explain --flags` for humans: per flag its meaning, status and details, then the config knobs
 * (value, or Envoy's default, with file:line) and the stats to look at.
 */
import type { FlagsReport } from '../../analysis/flags/explain_flags.js';
import { formatPos } from './format_common.js';
import type { Style } from './style.js';

export function formatFlags(r: FlagsReport, style: Style): string {
  let out = '';
  if (r.route) {
    out += `${style.bold('route')}  ${r.route.route_configuration} / ${r.route.virtual_host} / ${style.name(r.route.name ?? `#${r.route.index}`)}${r.route.position ? style.dim(`  ${formatPos(r.route.position)}`) : ''}\n`;
  }
  if (r.clusters.length > 0) out += `${style.bold('clusters')}  ${r.clusters.join(', ')}\n`;
  for (const f of r.flags) {
    out += `\n${style.bad(f.flag)} ${style.bold(f.long)} — ${f.status}\n  ${f.meaning}\n`;
    if (f.details.length > 0) out += `  ${style.dim('details:')} ${f.details.join(' | ')}\n`;
    if (f.knobs.length > 0) {
      out += `  ${style.bold('config')}\n`;
      for (const k of f.knobs) {
        const where = k.position ? style.dim(`  ${formatPos(k.position)}`) : '';
        out += `    ${k.owner} ${style.code(k.field)}: ${k.default ? style.dim(k.value) : k.value}${where}\n`;
        if (k.note) out += `      ${style.dim(k.note)}\n`;
      }
    }
    if (f.stats.length > 0) out += `  ${style.bold('stats')}  ${f.stats.join(', ')}\n`;
  }
  if (r.together) out += `\n${style.bold('together')}  ${r.together}\n`;
  for (const n of r.notes) out += `${style.dim(`note: ${n}`)}\n`;
  return out;
}
