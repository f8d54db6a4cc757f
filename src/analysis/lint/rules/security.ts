/**
 * Security rules from Envoy's "Configuring Envoy as an edge proxy" best practices, applied to
 * connection managers on edge listeners: listeners bound to a non-loopback address that are not
 * marked `traffic_direction: OUTBOUND` (a sidecar's egress).
 */
import type { HcmSite } from '../model.js';
import type { LintRule } from '../rule.js';
import { isLoopback } from './behaviour.js';

/** An HCM that faces clients from the network. */
export function isEdge(h: HcmSite): boolean {
  const l = h.listener?.listener;
  if (!l) return false;
  if (l.traffic_direction === 'OUTBOUND') return false;
  // Not bound itself: it receives connections redirected by another listener (use_original_dst).
  if ((l as { bind_to_port?: boolean }).bind_to_port === false) return false;
  const s = l.address?.socket_address;
  return s !== undefined && typeof s.address === 'string' && !isLoopback(s.address);
}

function hcmLabel(h: HcmSite): string {
  const l = h.listener?.listener.name;
  return `HTTP connection manager "${h.hcm.stat_prefix ?? ''}"${l ? ` on listener "${l}"` : ''}`;
}

export const useRemoteAddressOff: LintRule = {
  id: 'http/use-remote-address-off',
  severity: 'info',
  category: 'security',
  summary: 'An edge connection manager does not set use_remote_address: true.',
  help:
    'With use_remote_address false (the default) Envoy takes the client address from X-Forwarded-For, which ' +
    'clients can forge, and treats requests as internal. Envoy\'s edge best practices set it to true on edge listeners.',
  example: 'listener on 0.0.0.0 with an HCM that omits use_remote_address',
  check(ctx) {
    for (const h of ctx.model.hcms) {
      if (!isEdge(h) || h.hcm.use_remote_address === true) continue;
      const target = h.hcm.use_remote_address === false
        ? { node: h.hcm, field: 'use_remote_address', path: `${h.path}.use_remote_address` }
        : { node: h.hcm, path: h.path };
      ctx.report(this, target, `${hcmLabel(h)} faces the network without use_remote_address: true, so X-Forwarded-For from clients is trusted; set use_remote_address: true on edge listeners`);
    }
  },
};

export const headersWithUnderscores: LintRule = {
  id: 'http/headers-with-underscores',
  severity: 'warning',
  category: 'security',
  summary: 'An edge connection manager allows header names with underscores.',
  help:
    'headers_with_underscores_action defaults to ALLOW. Upstreams that treat "_" and "-" alike can then be fed ' +
    'spoofed headers (x_user_id vs x-user-id). Envoy\'s edge best practices set ' +
    'common_http_protocol_options.headers_with_underscores_action: REJECT_REQUEST.',
  example: 'common_http_protocol_options: { headers_with_underscores_action: ALLOW }',
  check(ctx) {
    for (const h of ctx.model.hcms) {
      if (!isEdge(h)) continue;
      const opts = h.hcm.common_http_protocol_options;
      const action = opts?.headers_with_underscores_action;
      if (action !== undefined && action !== 'ALLOW') continue;
      const target = action === 'ALLOW' && opts
        ? { node: opts, field: 'headers_with_underscores_action', path: `${h.path}.common_http_protocol_options.headers_with_underscores_action` }
        : { node: h.hcm, path: h.path };
      ctx.report(this, target,
        `${hcmLabel(h)} allows header names with underscores${action === undefined ? ' (the default)' : ''}; set ` +
          'common_http_protocol_options.headers_with_underscores_action: REJECT_REQUEST on edge listeners');
    }
  },
};

export const pathNormalizationOff: LintRule = {
  id: 'http/path-normalization-off',
  severity: 'info',
  category: 'security',
  summary: 'An edge connection manager leaves normalize_path or merge_slashes off.',
  help:
    'Without normalize_path and merge_slashes, "/admin/../api" or "//admin" can reach routes and RBAC rules written ' +
    'for other paths (path confusion). Envoy\'s edge best practices enable both when routing or RBAC depends on the path.',
  example: 'HCM on 0.0.0.0 without normalize_path: true and merge_slashes: true',
  check(ctx) {
    for (const h of ctx.model.hcms) {
      if (!isEdge(h)) continue;
      const off = (['normalize_path', 'merge_slashes'] as const).filter((f) => h.hcm[f] !== true);
      if (off.length === 0) continue;
      const explicit = off.find((f) => h.hcm[f] === false);
      const target = explicit ? { node: h.hcm, field: explicit, path: `${h.path}.${explicit}` } : { node: h.hcm, path: h.path };
      ctx.report(this, target, `${hcmLabel(h)} has ${off.join(' and ')} off; enable ${off.map((f) => `${f}: true`).join(' and ')} to avoid path confusion on an edge listener`);
    }
  },
};

export const securityRules: readonly LintRule[] = [useRemoteAddressOff, headersWithUnderscores, pathNormalizationOff];
