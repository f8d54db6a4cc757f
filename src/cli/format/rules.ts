/**
 * `tsproxy lint --list-rules`: every rule id with its severity, summary and a triggering example,
 * grouped by category.
 */
import type { RuleMeta } from '../../analysis/lint/rule_meta.js';
import type { Style } from '../output/style.js';

/** The rule list as text. */
export function formatRuleList(rules: readonly RuleMeta[], style: Style): string {
  const width = Math.max(...rules.map((r) => r.id.length));
  let out = '';
  let category = '';
  for (const r of rules) {
    if (r.category !== category) {
      category = r.category;
      out += `${out === '' ? '' : '\n'}${style.bold(category)}\n`;
    }
    const sev = r.severity === 'error' ? style.bad(r.severity.padEnd(7)) : r.severity === 'warning' ? style.warn(r.severity.padEnd(7)) : style.info(r.severity.padEnd(7));
    out += `  ${style.name(r.id.padEnd(width))}  ${sev}  ${r.summary}\n`;
    if (r.example) out += `  ${' '.repeat(width)}  ${' '.repeat(7)}  ${style.dim(`e.g. ${r.example}`)}\n`;
  }
  return out;
}
