/**
 * TLS rules: settings that make a TLS connection weaker than it looks. Downstream (a listener's
 * DownstreamTlsContext) and upstream (a cluster's UpstreamTlsContext, also inside
 * transport_socket_matches).
 */
import type { LintRule } from '../rule.js';
import type { LintContext } from '../context.js';
import {
  hasTlsInspector,
  transportSocketKind,
  type CommonTlsContext,
  type DownstreamTlsContext,
  type TransportSocketConfig,
  type UpstreamTlsContext,
} from '../../../config/tls_types.js';

interface TlsSite {
  readonly ctx: DownstreamTlsContext | UpstreamTlsContext;
  readonly side: 'downstream' | 'upstream';
  /** JSON path of the typed_config. */
  readonly path: string;
  /** `listener "x", filter chain "y"` / `cluster "c"`. */
  readonly who: string;
}

function tlsSites(c: LintContext): TlsSite[] {
  const out: TlsSite[] = [];
  const add = (ts: TransportSocketConfig | undefined, side: TlsSite['side'], path: string, who: string): void => {
    if (ts === undefined || transportSocketKind(ts) !== 'tls' || ts.typed_config === undefined) return;
    out.push({ ctx: ts.typed_config as DownstreamTlsContext | UpstreamTlsContext, side, path: `${path}.transport_socket.typed_config`, who });
  };
  for (const l of c.model.listeners) {
    const chains = [...(l.listener.filter_chains ?? []).map((ch, i) => ({ ch, p: `${l.path}.filter_chains[${i}]` })),
      ...(l.listener.default_filter_chain ? [{ ch: l.listener.default_filter_chain, p: `${l.path}.default_filter_chain` }] : [])];
    for (const { ch, p } of chains) {
      add(ch.transport_socket as TransportSocketConfig | undefined, 'downstream', p, `listener "${l.listener.name ?? ''}"${ch.name ? `, filter chain "${ch.name}"` : ''}`);
    }
  }
  for (const cl of c.model.clusters) {
    add(cl.cluster.transport_socket as TransportSocketConfig | undefined, 'upstream', cl.path, `cluster "${cl.cluster.name}"`);
    (cl.cluster.transport_socket_matches ?? []).forEach((m, i) => {
      add(m.transport_socket as TransportSocketConfig | undefined, 'upstream', `${cl.path}.transport_socket_matches[${i}]`, `cluster "${cl.cluster.name}" (transport_socket_matches "${m.name}")`);
    });
  }
  return out;
}

function validationOf(common: CommonTlsContext | undefined): boolean {
  return common?.validation_context !== undefined || common?.combined_validation_context !== undefined || common?.validation_context_sds_secret_config !== undefined;
}

export const weakTlsVersion: LintRule = {
  id: 'tls/weak-protocol-version',
  severity: 'warning',
  category: 'security',
  summary: 'A TLS context allows TLS 1.0 or 1.1.',
  help:
    'TLS 1.0 and 1.1 are deprecated (RFC 8996): they lack modern cipher suites and are disabled by current clients. ' +
    'Envoy\'s default minimum is TLS 1.2; remove tls_minimum_protocol_version or set it to TLSv1_2 or TLSv1_3.',
  example: 'common_tls_context: {tls_params: {tls_minimum_protocol_version: TLSv1_0}}',
  check(ctx) {
    for (const s of tlsSites(ctx)) {
      const params = s.ctx.common_tls_context?.tls_params;
      const v = params?.tls_minimum_protocol_version;
      if (params && (v === 'TLSv1_0' || v === 'TLSv1_1')) {
        ctx.report(this, { node: params, field: 'tls_minimum_protocol_version', path: `${s.path}.common_tls_context.tls_params.tls_minimum_protocol_version` },
          `${s.who}: tls_minimum_protocol_version ${v} allows a deprecated TLS version; use TLSv1_2 or later`);
      }
    }
  },
};

export const weakCipherSuites: LintRule = {
  id: 'tls/weak-cipher-suites',
  severity: 'warning',
  category: 'security',
  summary: 'A TLS context enables cipher suites without forward secrecy or with CBC, 3DES or RC4.',
  help:
    'Cipher suites without ECDHE (static RSA key exchange) give no forward secrecy; CBC, 3DES and RC4 suites have known ' +
    'weaknesses. Envoy\'s default list has none of them: remove cipher_suites or keep only ECDHE AEAD suites.',
  example: 'common_tls_context: {tls_params: {cipher_suites: [AES128-SHA]}}',
  check(ctx) {
    for (const s of tlsSites(ctx)) {
      const params = s.ctx.common_tls_context?.tls_params;
      const weak = (params?.cipher_suites ?? []).flatMap((c) => c.replace(/^\[|\]$/g, '').split('|'))
        .filter((c) => !c.startsWith('ECDHE-') || /-CBC|DES|RC4|-SHA$/.test(c));
      if (params && weak.length > 0) {
        ctx.report(this, { node: params, field: 'cipher_suites', path: `${s.path}.common_tls_context.tls_params.cipher_suites` },
          `${s.who}: cipher_suites enables ${weak.join(', ')} (no forward secrecy or a weak cipher); keep ECDHE AEAD suites only`);
      }
    }
  },
};

export const clientCertWithoutValidation: LintRule = {
  id: 'tls/client-cert-without-validation',
  severity: 'warning',
  category: 'security',
  summary: 'require_client_certificate is set without a validation context.',
  help:
    'Requiring a client certificate without a validation context (trusted_ca) does not authenticate anyone: any ' +
    'self-signed certificate would do. Envoy refuses this config; add common_tls_context.validation_context.trusted_ca.',
  example: 'DownstreamTlsContext: {require_client_certificate: true, common_tls_context: {tls_certificates: [...]}}',
  check(ctx) {
    for (const s of tlsSites(ctx)) {
      if (s.side !== 'downstream') continue;
      const d = s.ctx as DownstreamTlsContext;
      if (d.require_client_certificate === true && !validationOf(d.common_tls_context)) {
        ctx.report(this, { node: d, field: 'require_client_certificate', path: `${s.path}.require_client_certificate` },
          `${s.who}: require_client_certificate without a validation context accepts any client certificate; add validation_context.trusted_ca`);
      }
    }
  },
};

export const upstreamNotVerified: LintRule = {
  id: 'tls/upstream-not-verified',
  severity: 'info',
  category: 'security',
  summary: 'TLS to an upstream does not verify its certificate.',
  help:
    'Without a validation context Envoy accepts any upstream certificate, so TLS protects against eavesdropping but ' +
    'not against an impostor. Add validation_context with trusted_ca and match_typed_subject_alt_names.',
  example: 'UpstreamTlsContext: {sni: api.example.com}',
  check(ctx) {
    for (const s of tlsSites(ctx)) {
      if (s.side !== 'upstream' || validationOf(s.ctx.common_tls_context)) continue;
      ctx.report(this, { node: s.ctx, path: s.path }, `${s.who}: the upstream certificate is not verified (no validation_context); add trusted_ca and match_typed_subject_alt_names`);
    }
  },
};

export const sniWithoutInspector: LintRule = {
  id: 'tls/sni-without-inspector',
  severity: 'warning',
  category: 'behaviour',
  summary: 'A filter chain matches on server_names, application_protocols or transport_protocol tls without the tls_inspector.',
  help:
    'SNI, ALPN and the tls transport protocol are detected by the envoy.filters.listener.tls_inspector listener filter. ' +
    'Without it such a filter chain never matches. Add the tls_inspector to listener_filters.',
  example: 'filter_chain_match: {server_names: [example.com]} on a listener without listener_filters',
  check(ctx) {
    for (const l of ctx.model.listeners) {
      if (hasTlsInspector(l.listener)) continue;
      (l.listener.filter_chains ?? []).forEach((ch, i) => {
        const m = ch.filter_chain_match;
        if (!m) return;
        const field = m.server_names?.length ? 'server_names' : m.application_protocols?.length ? 'application_protocols' : m.transport_protocol === 'tls' ? 'transport_protocol' : undefined;
        if (field === undefined) return;
        ctx.report(this, { node: m, field, path: `${l.path}.filter_chains[${i}].filter_chain_match.${field}` },
          `listener "${l.listener.name ?? ''}": filter chain ${ch.name ? `"${ch.name}"` : `#${i}`} matches on ${field}, which needs envoy.filters.listener.tls_inspector; without it the chain never matches`);
      });
    }
  },
};

export const tlsRules: readonly LintRule[] = [weakTlsVersion, weakCipherSuites, clientCertWithoutValidation, upstreamNotVerified, sniWithoutInspector];
