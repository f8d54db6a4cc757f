/**
 * Human output of `tsproxy explain`: the decision chain in plain words, numbered in request
 * order — listener and filter chain, connection manager, every virtual host considered, every
 * route tried until the match with the predicate that failed (file:line:col), the outcome in
 * Envoy's terms (status, response flag, details, stats), then the near misses.
 */
import type { ExplainReport, TraceStepJson } from '../../analysis/explain/report_types.js';
import { clusterText, downstreamText, formatPos, headerChangeText, outcomeLine, pathStepsText, requestLine } from './format_common.js';
import type { Style } from './style.js';
import { originalDstLines } from './original_dst_text.js';

export function formatExplain(r: ExplainReport, style: Style): string {
  const out: string[] = [];
  const line = (s = '') => out.push(s);
  // The request as sent: before the connection manager's normalisation and header mutation.
  const sent = r.connection_manager?.request_handling;
  const requestText = sent ? `${r.request.method} ${r.request.scheme}://${sent.original_authority ?? '(no Host)'}${sent.original_path}` : requestLine(r);
  line(`${style.bold('Request')} ${requestText}${r.request.random_value ? ` (random value ${r.request.random_value})` : ''}`);
  const sentHeaders: Record<string, string> = { ...r.request.headers };
  for (const c of sent?.header_changes ?? []) {
    if (c.before === null) delete sentHeaders[c.name];
    else sentHeaders[c.name] = c.before;
  }
  for (const [k, v] of Object.entries(sentHeaders)) line(`  ${k}: ${v}`);
  let n = 0;
  const head = (s: string) => {
    line();
    line(style.bold(`${++n}. ${s}`));
  };
  if (r.listener) {
    const l = r.listener;
    head(`Listener ${l.name ?? `#${l.index}`} (${l.address})`);
    if (l.original_dst) for (const s of originalDstLines(l.original_dst)) line(`   ${s}`);
    line(`   chosen: ${l.reason}${l.position ? ` ${style.dim(formatPos(l.position))}` : ''}`);
    const fc = l.filter_chain;
    if (l.filter_chain_matcher) {
      line('   filter_chain_matcher (filter_chain_match is ignored):');
      for (const s of l.filter_chain_matcher.steps) line(`     ${s.text} ${style.dim(s.position ? formatPos(s.position) : s.path)}`);
    }
    if (fc) {
      for (const s of fc.steps) {
        const value = s.connection_value === '-' ? 'none' : s.connection_value;
        line(`   ${s.criterion} (connection: ${value}) drops chain${s.dropped.length > 1 ? 's' : ''} ${s.dropped.map((i) => `#${i}`).join(', ')}`);
      }
      const label = fc.is_default ? 'default_filter_chain' : fc.name ? `"${fc.name}" (#${fc.index})` : `#${fc.index}`;
      line(`   filter chain ${label}: ${fc.reason}`);
    } else {
      line(`   ${style.bad('no filter chain')}: ${r.outcome.summary}`);
    }
  }
  if (r.connection_manager) {
    const h = r.connection_manager;
    head(`HTTP connection manager (stat_prefix ${h.stat_prefix})`);
    if (h.route_config_name !== null) line(`   route configuration "${h.route_config_name}" (${h.route_config_source})`);
    if (h.strip_any_host_port) line('   strip_any_host_port: the port is removed from Host before routing');
    else if (h.strip_matching_host_port) line('   strip_matching_host_port: a Host port equal to the listener port is removed before routing');
    const rh = h.request_handling;
    if (rh) {
      line(`   downstream ${downstreamText(rh)}`);
      if (rh.authority !== rh.original_authority) line(`   host ${rh.original_authority ?? '(none)'} -> ${rh.authority ?? '(none)'}`);
      if (rh.path === rh.original_path) line(`   path ${rh.path} (unchanged)`);
      else {
        line(`   path ${rh.original_path} -> ${rh.path}`);
        for (const s of pathStepsText(rh)) line(`     ${s}`);
      }
      if (rh.header_changes.length) {
        line('   request headers changed:');
        for (const c of rh.header_changes) line(`     ${headerChangeText(c)}`);
      }
      if (rh.local_reply) {
        const lr = rh.local_reply;
        line(`   ${style.bad(`${lr.status} ${lr.details}`)}: ${r.outcome.summary}${lr.location ? ` (Location: ${lr.location})` : ''}`);
      }
    }
  } else if (r.route_configuration) {
    head(`Route configuration ${r.route_configuration.name ?? '(unnamed)'}`);
  }

  const stopped = r.connection_manager?.request_handling?.local_reply ?? null;
  const vhSteps = r.steps.filter((s) => s.kind === 'virtual_host');
  const routeSteps = r.steps.filter((s) => s.kind === 'route');
  const other = r.steps.filter((s) => s.kind !== 'virtual_host' && s.kind !== 'route');
  if (r.route_configuration && stopped === null) {
    head('Virtual hosts');
    if (vhSteps.length === 0) line(r.virtual_host ? `   ${mark(true, style)} ${r.virtual_host.name}` : '   (none considered)');
    for (const s of vhSteps) line(stepLine(s, style));
    if (!r.virtual_host) line(`   ${style.bad('no virtual host matches')} "${r.request.authority ?? '(no Host)'}"`);
  }
  if (r.virtual_host) {
    head(`Routes of virtual host "${r.virtual_host.name}"`);
    if (routeSteps.length === 0) {
      const none = r.action.kind === 'redirect' ? '   (none tried: require_tls redirects first)' : '   (no route tried)';
      line(r.route ? `   ${mark(true, style)} ${r.route.label}` : none);
    }
    for (const s of routeSteps) line(stepLine(s, style));
    if (!r.matched) line(`   ${style.bad('no route matches')}`);
  }
  for (const s of other) {
    // Cluster and virtual-cluster steps: what was resolved, labelled by kind rather than match/miss.
    const where = s.position ? ` ${style.dim(formatPos(s.position))}` : '';
    line(`   ${s.kind.replace('_', ' ')} ${s.name}${where}: ${s.reason}`);
  }

  head('Outcome');
  const a = r.action;
  if (a.kind === 'route') {
    const [first, ...rest] = clusterText(r).split('\n');
    line(`   cluster ${first}`);
    for (const x of rest) line(`     ${x}`);
    if (a.path !== a.original_path) line(`   path rewritten ${a.original_path} -> ${a.path}`);
    if (a.host !== a.original_host) line(`   host rewritten ${a.original_host ?? '(none)'} -> ${a.host}`);
  } else if (a.kind === 'redirect') {
    line(`   redirect ${a.status} Location: ${a.location}`);
  } else if (a.kind === 'direct_response') {
    line(`   direct response ${a.status}`);
  }
  line(`   ${outcomeLine(r, style)}`);
  if (r.outcome.status !== null) {
    line(`   status ${r.outcome.status}, response flag ${r.outcome.response_flag}, details ${r.outcome.details}`);
  }
  if (r.outcome.stats.length) line(`   stats: ${r.outcome.stats.join(', ')}`);
  const unsupported = r.http_filters.filter((f) => f.status === 'unsupported');
  if (unsupported.length) {
    line(`   ${style.warn('filters tsproxy cannot run')}: ${unsupported.map((f) => f.name).join(', ')}`);
  }

  if (r.unreached_routes.length && r.route) {
    line();
    line(style.bold('Never reached for this request'));
    line(`   route ${r.route.name === null ? r.route.label : `"${r.route.name}"`}${r.route.position ? ` ${style.dim(formatPos(r.route.position))}` : ''} takes it first; these later routes would also match it:`);
    for (const u of r.unreached_routes) line(`   - route ${u.name === null ? u.label : `"${u.name}"`}${u.position ? ` ${style.dim(formatPos(u.position))}` : ''}: ${u.reason}`);
  }
  if (r.near_misses.length) {
    line();
    line(style.bold('Near misses'));
    for (const m of r.near_misses) line(`   - ${m.message}${m.position ? ` ${style.dim(formatPos(m.position))}` : ''}`);
  }
  if (r.notes.length) {
    line();
    for (const note of r.notes) line(`${style.dim('note:')} ${note}`);
  }
  return out.join('\n') + '\n';
}

function mark(ok: boolean, style: Style): string {
  return ok ? style.ok('match') : style.bad('miss ');
}

function stepLine(s: TraceStepJson, style: Style): string {
  const where = s.position ? ` ${style.dim(formatPos(s.position))}` : '';
  return `   ${mark(s.matched, style)} ${s.name}${where}: ${s.reason}`;
}
