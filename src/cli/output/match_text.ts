/**
 * Human output of `tsproxy match`: one labelled line per fact, in request order (listener, filter
 * chain, connection manager, virtual host, route, action, cluster, rewrites, policies, filters,
 * outcome). Stable enough for tests that compare it.
 */
import type { ExplainReport } from '../../analysis/explain/report_types.js';
import { clusterText, downstreamText, formatMs, formatPos, headerChangeText, kv, outcomeLine, pathStepsText, requestLine } from './format_common.js';
import type { Style } from './style.js';
import { originalDstLine } from './original_dst_text.js';

export function formatMatch(r: ExplainReport, style: Style): string {
  const rows: [string, string][] = [['request', requestLine(r)]];
  if (r.listener) {
    const l = r.listener;
    rows.push(['listener', `${l.name ?? `#${l.index}`} ${l.address} (${l.reason}) ${style.dim(formatPos(l.position))}`.trimEnd()]);
    if (l.original_dst) rows.push(['original dst', originalDstLine(l.original_dst)]);
    const fc = l.filter_chain;
    rows.push(['filter chain', fc ? `${fc.is_default ? 'default_filter_chain' : fc.name ? `"${fc.name}"` : `#${fc.index}`} (${fc.reason})` : 'none']);
    if (l.filter_chain_matcher) rows.push(['chain matcher', l.filter_chain_matcher.steps.map((s) => s.text).join('\n')]);
  }
  if (r.connection_manager) {
    const h = r.connection_manager;
    const rc = h.route_config_name === null ? '' : `, route_config "${h.route_config_name}" (${h.route_config_source})`;
    rows.push(['http', `stat_prefix ${h.stat_prefix}${rc}`]);
    const rh = h.request_handling;
    if (rh) {
      rows.push(['downstream', downstreamText(rh)]);
      if (rh.path !== rh.original_path) rows.push(['normalized', [`${rh.original_path} -> ${rh.path}`, ...pathStepsText(rh)].join('\n')]);
      if (rh.header_changes.length) rows.push(['hcm headers', rh.header_changes.map(headerChangeText).join('\n')]);
    }
  } else if (r.route_configuration && !r.listener) {
    rows.push(['route config', `${r.route_configuration.name ?? '(unnamed)'} ${style.dim(formatPos(r.route_configuration.position))}`.trimEnd()]);
  }
  const stopped = r.connection_manager?.request_handling?.local_reply ?? null;
  if ((r.route_configuration || r.listener) && stopped === null) {
    rows.push(['virtual host', r.virtual_host ? `${r.virtual_host.name} ${style.dim(formatPos(r.virtual_host.position))}`.trimEnd() : style.bad('none')]);
    rows.push(['route', r.route ? `${r.route.label} ${style.dim(formatPos(r.route.position))}`.trimEnd() : r.matched ? '(require_tls)' : style.bad('none')]);
  }
  const a = r.action;
  rows.push(['action', stopped !== null ? `local reply (the connection manager answers before routing)` : a.kind]);
  if (stopped?.location) rows.push(['location', stopped.location]);
  if (a.kind === 'route') {
    rows.push(['cluster', clusterText(r)]);
    rows.push(['path', a.path === a.original_path ? (a.path ?? '') : `${a.original_path} -> ${a.path}`]);
    rows.push(['host', a.host === a.original_host ? (a.host ?? '(none)') : `${a.original_host ?? '(none)'} -> ${a.host}`]);
    rows.push(['timeout', a.timeout_ms === 0 ? '0s (disabled)' : formatMs(a.timeout_ms ?? 0)]);
    if (a.idle_timeout_ms !== null) rows.push(['idle timeout', formatMs(a.idle_timeout_ms)]);
    const rp = a.retry_policy;
    rows.push([
      'retry policy',
      rp
        ? `retry_on ${rp.retry_on ?? '(none)'}, num_retries ${rp.num_retries}` +
          (rp.per_try_timeout_ms !== null ? `, per_try_timeout ${formatMs(rp.per_try_timeout_ms)}` : '') +
          (rp.retriable_status_codes.length ? `, retriable_status_codes ${rp.retriable_status_codes.join(',')}` : '') +
          `, back-off ${formatMs(rp.retry_back_off.base_interval_ms)}..${formatMs(rp.retry_back_off.max_interval_ms)}`
        : 'none',
    ]);
    rows.push([
      'mirror',
      a.mirror_policies.length
        ? a.mirror_policies
            .map((m) => `${m.cluster ?? `header ${m.cluster_header}`}${m.runtime_fraction ? ` (runtime_fraction ${m.runtime_fraction}${m.runtime_key ? `, key ${m.runtime_key}` : ''})` : ''}`)
            .join('\n')
        : 'none',
    ]);
    rows.push(['hash policy', a.hash_policies.length ? a.hash_policies.join('\n') : 'none']);
    if (a.virtual_cluster !== null) rows.push(['virtual cluster', a.virtual_cluster]);
    if (a.request_header_changes.length) {
      rows.push(['headers', a.request_header_changes.map((c) => (c.op === 'remove' ? `- ${c.name}` : `+ ${c.name}: ${c.value}`)).join('\n')]);
    }
  } else if (a.kind === 'redirect') {
    rows.push(['location', a.location ?? '']);
    rows.push(['status', String(a.status)]);
  } else if (a.kind === 'direct_response') {
    rows.push(['status', String(a.status)]);
    if (a.body !== null) rows.push(['body', JSON.stringify(a.body.length > 200 ? a.body.slice(0, 200) + '…' : a.body)]);
  }
  if (r.http_filters.length) {
    rows.push([
      'http filters',
      r.http_filters
        .map((f, i) => {
          const paint = f.status === 'runs' ? style.ok : f.status === 'disabled' ? style.dim : style.warn;
          const what = f.description !== f.name && f.description !== 'router' ? ` [${f.description}]` : '';
          return `${i + 1}. ${f.name}${what}: ${paint(f.note ?? f.status)}`;
        })
        .join('\n'),
    ]);
  }
  rows.push(['outcome', outcomeLine(r, style)]);
  rows.push(['stats', r.outcome.stats.join(', ') || '-']);
  for (const n of r.notes) rows.push(['note', n]);
  return kv(rows, style);
}
