/**
 * Near misses: why a request that "should" have matched did not, named the way an on-call
 * engineer would fix it. The core's RouteTrace is the source (it records a `nearMiss` on the
 * virtual host and route steps: Host with a port, no `*` virtual host, case-only difference,
 * trailing slash, absent header); this module classifies them and adds what only the listener
 * context knows: which connection-manager option would strip the port. No matching here. Pure.
 */
import type { HttpConnectionManager } from '../../config/types.js';
import type { RouteRequest, TraceStep } from '../../core/route_types.js';
import type { NearMissJson, PositionJson } from './report_types.js';
import { splitHostPort } from './request.js';

export interface NearMissContext {
  /** The request as the route table saw it (after the HCM's port stripping). */
  readonly request: RouteRequest;
  readonly steps: readonly TraceStep[];
  /** Undefined for a bare RouteConfiguration. */
  readonly hcm: HttpConnectionManager | undefined;
  readonly listenerPort: number | undefined;
}

function pos(p: { file: string; line: number; col: number } | undefined): PositionJson | null {
  return p ? { file: p.file, line: p.line, col: p.col } : null;
}

/** The near misses of one routing trace, in trace order. */
export function findNearMisses(ctx: NearMissContext): NearMissJson[] {
  const out: NearMissJson[] = [];
  const port = ctx.request.authority === undefined ? undefined : splitHostPort(ctx.request.authority).port;
  for (const step of ctx.steps) {
    const nm = step.nearMiss;
    if (nm === undefined) continue;
    const at = pos(step.position);
    if (step.kind === 'virtual_host') {
      if (step.predicate === 'default_virtual_host') {
        out.push({ kind: 'no_wildcard_virtual_host', message: `${nm}; add a virtual host with domains: ["*"] to catch other hosts`, position: at });
      } else if (port !== undefined && /carries a port/.test(nm)) {
        out.push({
          kind: 'host_port',
          message: `Host "${ctx.request.authority}" carries port ${port}, and Envoy matches the port as part of the Host: virtual host "${step.name}" lists the host without a port. Fix: ${portFixes(ctx, port, step.name)}`,
          position: at,
        });
      } else {
        out.push({ kind: 'core', message: `virtual host "${step.name}": ${nm}`, position: at });
      }
      continue;
    }
    const kind: NearMissJson['kind'] =
      step.predicate === 'header' ? 'header_absent' : /only in case/.test(nm) ? 'path_case' : /trailing slash/.test(nm) ? 'trailing_slash'
        : step.predicate === 'safe_regex' ? 'regex_partial' : 'core';
    const named = step.name.startsWith('#') ? step.name : `"${step.name}"`;
    const label = `${step.kind === 'route' ? 'route' : step.kind} ${named}`;
    const fix =
      kind === 'path_case' ? '; set case_sensitive: false on the route match to ignore case'
      : kind === 'header_absent' ? '; its path matched, so the request would take this route with the header'
      : '';
    out.push({ kind, message: `${label}: ${nm}${fix}`, position: at });
  }
  return out;
}

/** The options that would make the Host port irrelevant, most targeted first. */
function portFixes(ctx: NearMissContext, port: number, vhost: string): string {
  const fixes: string[] = [];
  if (ctx.hcm) {
    if (ctx.listenerPort === port) fixes.push('strip_matching_host_port: true on the HTTP connection manager (the port equals the listener port)');
    fixes.push('strip_any_host_port: true on the HTTP connection manager');
  }
  fixes.push('ignore_port_in_host_matching: true on the route configuration');
  fixes.push(`or add "${ctx.request.authority}" to the domains of virtual host "${vhost}"`);
  return fixes.join(', ');
}
