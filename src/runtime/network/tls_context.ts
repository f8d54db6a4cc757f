/**
 * Envoy's TLS context config (`CommonTlsContext` inside a DownstreamTlsContext or an
 * UpstreamTlsContext) compiled to what node:tls can do: protocol versions, cipher suites, curves,
 * signature algorithms, ALPN, certificates (several per server context: RSA and ECDSA), the
 * validation context (trusted CA, CRL, SAN matchers, certificate hash / SPKI pins), and file-based
 * SDS secrets.
 *
 * The rule: anything configured that Node cannot honour is a problem naming the field (serve
 * refuses to start), never a silently weaker connection. Defaults are Envoy's: TLS 1.2 minimum,
 * TLS 1.3 maximum downstream and 1.2 upstream, Envoy's default cipher list and curves.
 *
 * Two stages: `compileTlsContext` reads the config once (the static settings and every problem),
 * `load()` reads the certificate material (files, inline data, SDS files) and can be called again
 * when files change (a certificate rotation); it never throws.
 */
import { createSecureContext, getCiphers, type SecureContext, type SecureContextOptions, type SecureVersion } from 'node:tls';
import { constants } from 'node:crypto';
import type {
  CertificateValidationContext,
  CommonTlsContext,
  DownstreamTlsContext,
  SdsSecretConfig,
  TlsCertificate,
  TlsProtocolVersion,
  UpstreamTlsContext,
} from '../../config/tls_types.js';
import {
  compileSanMatchers,
  isSet,
  loadMaterial,
  Problems,
  validationChecks,
  type LoadedCertificate,
  type TlsMaterial,
  type TlsProblem,
} from './tls_material.js';

export type { LoadedCertificate, PeerValidation, TlsMaterial, TlsProblem } from './tls_material.js';

export type TlsSide = 'downstream' | 'upstream';

/** Envoy's default cipher suites (BoringSSL equal-preference groups flattened in order). */
export const ENVOY_DEFAULT_CIPHERS: readonly string[] = [
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-RSA-CHACHA20-POLY1305',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
];
export const ENVOY_DEFAULT_CURVES = 'X25519:P-256';

const NODE_VERSION: Record<Exclude<TlsProtocolVersion, 'TLS_AUTO'>, SecureVersion> = {
  TLSv1_0: 'TLSv1',
  TLSv1_1: 'TLSv1.1',
  TLSv1_2: 'TLSv1.2',
  TLSv1_3: 'TLSv1.3',
};
const VERSION_RANK: Record<SecureVersion, number> = { TLSv1: 0, 'TLSv1.1': 1, 'TLSv1.2': 2, 'TLSv1.3': 3 };

/** A TLS context compiled from config. */
export interface CompiledTls {
  readonly side: TlsSide;
  readonly minVersion: SecureVersion;
  readonly maxVersion: SecureVersion;
  readonly ciphers: string;
  readonly ecdhCurve: string;
  readonly sigalgs: string | undefined;
  readonly honorCipherOrder: boolean;
  readonly alpn: readonly string[];
  readonly sessionTimeoutS: number | undefined;
  readonly noTickets: boolean;
  /** Downstream: `require_client_certificate`. */
  readonly requireClientCertificate: boolean;
  /** Downstream: `require_sni`. */
  readonly requireSni: boolean;
  /** Upstream: `sni`. */
  readonly sni: string | undefined;
  /** Upstream: `auto_host_sni` (the SNI is the endpoint's hostname when it has one). */
  readonly autoHostSni: boolean;
  /** Upstream: `auto_sni_san_validation` (the certificate must name the SNI sent, instead of the SAN matchers). */
  readonly autoSniSanValidation: boolean;
  /** Directories named by `watched_directory` (a rotation is an atomic move inside them). */
  readonly watchedDirectories: readonly string[];
  /**
   * The material is re-read when its files change: a `watched_directory` or a file-based SDS
   * secret is configured (Envoy reloads only those; a static `filename` is read once at startup).
   */
  readonly reloadable: boolean;
  /** Reads the certificate material (again); never throws. */
  load(): { readonly material: TlsMaterial } | { readonly problems: readonly TlsProblem[] };
}

/** Compiles a DownstreamTlsContext or UpstreamTlsContext; problems name every field Node cannot honour. */
export function compileTlsContext(
  ctx: DownstreamTlsContext | UpstreamTlsContext,
  side: TlsSide,
): { readonly compiled: CompiledTls | undefined; readonly problems: readonly TlsProblem[] } {
  const p = new Problems();
  const common: CommonTlsContext = ctx.common_tls_context ?? {};
  const cpath = 'common_tls_context';
  const down = side === 'downstream' ? (ctx as DownstreamTlsContext) : undefined;
  const up = side === 'upstream' ? (ctx as UpstreamTlsContext) : undefined;

  // --- protocol versions, ciphers, curves -------------------------------------------------------
  const params = common.tls_params;
  const ppath = `${cpath}.tls_params`;
  const minCfg = params?.tls_minimum_protocol_version;
  const maxCfg = params?.tls_maximum_protocol_version;
  const minVersion: SecureVersion = minCfg && minCfg !== 'TLS_AUTO' ? NODE_VERSION[minCfg] : 'TLSv1.2';
  const maxVersion: SecureVersion = maxCfg && maxCfg !== 'TLS_AUTO' ? NODE_VERSION[maxCfg] : side === 'downstream' ? 'TLSv1.3' : 'TLSv1.2';
  if (VERSION_RANK[minVersion] > VERSION_RANK[maxVersion] && params) {
    p.add(params, 'tls_minimum_protocol_version', ppath, `tls_minimum_protocol_version ${minVersion} is above tls_maximum_protocol_version ${maxVersion}`);
  }
  let ciphers = ENVOY_DEFAULT_CIPHERS.join(':');
  if (params?.cipher_suites?.length) {
    const known = new Set(getCiphers());
    const names: string[] = [];
    for (const raw of params.cipher_suites) {
      // BoringSSL's equal-preference groups `[A|B]`: OpenSSL has none; the order within is kept.
      for (const name of raw.replace(/^\[|\]$/g, '').split('|')) {
        if (name.startsWith('TLS_')) {
          p.add(params, 'cipher_suites', ppath, `cipher_suites: "${name}" is a TLS 1.3 suite, which Envoy does not configure (TLS 1.3 suites are fixed)`);
        } else if (!known.has(name.toLowerCase())) {
          p.add(params, 'cipher_suites', ppath, `cipher_suites: "${name}" is not a cipher suite Node's OpenSSL knows`);
        } else names.push(name);
      }
    }
    ciphers = names.join(':');
  }
  // OpenSSL 3 refuses TLS 1.0/1.1 at its default security level; a configured minimum below 1.2 is honoured.
  if (VERSION_RANK[minVersion] < 2) ciphers += ':@SECLEVEL=0';
  const ecdhCurve = params?.ecdh_curves?.length ? params.ecdh_curves.join(':') : ENVOY_DEFAULT_CURVES;
  const sigalgs = params?.signature_algorithms?.length ? params.signature_algorithms.join(':') : undefined;
  if (params && isSet(params.compliance_policies)) p.unsupported(params, 'compliance_policies', ppath, 'FIPS compliance policies are not available in Node\'s OpenSSL build');
  if (params) {
    try {
      createSecureContext({ minVersion, maxVersion, ciphers, ecdhCurve, ...(sigalgs ? { sigalgs } : {}) });
    } catch (err) {
      const msg = (err as Error).message;
      const field = /curve/i.test(msg) ? 'ecdh_curves' : /sigalg|signature/i.test(msg) ? 'signature_algorithms' : 'cipher_suites';
      if (!p.list.some((x) => x.node === params)) p.add(params, field, ppath, `${field}: Node's OpenSSL refuses it (${msg})`);
    }
  }

  // --- fields Node cannot honour ------------------------------------------------------------------
  for (const f of ['tls_certificate_provider_instance', 'custom_tls_certificate_selector', 'tls_certificate_certificate_provider', 'tls_certificate_certificate_provider_instance', 'validation_context_certificate_provider', 'validation_context_certificate_provider_instance', 'custom_handshaker'] as const) {
    if (isSet(common[f])) p.unsupported(common, f, cpath, 'certificate providers and custom handshakers are not implemented by tsproxy');
  }
  if (isSet(common.key_log)) p.unsupported(common, 'key_log', cpath, 'TLS key logging is not implemented by tsproxy');
  if (down) {
    if (isSet(down.session_ticket_keys) || isSet(down.session_ticket_keys_sds_secret_config)) {
      p.unsupported(down, isSet(down.session_ticket_keys) ? 'session_ticket_keys' : 'session_ticket_keys_sds_secret_config', '', 'Envoy\'s 80-byte session ticket keys cannot be given to Node (48-byte keys)');
    }
    if (down.ocsp_staple_policy === 'STRICT_STAPLING' || down.ocsp_staple_policy === 'MUST_STAPLE') {
      p.unsupported(down, 'ocsp_staple_policy', '', 'OCSP stapling is not implemented by tsproxy');
    }
  }
  if (up) {
    if (up.allow_renegotiation === true) p.unsupported(up, 'allow_renegotiation', '', 'Node\'s TLS client does not renegotiate');
  }
  const certConfigs: Array<{ node: TlsCertificate; path: string }> = (common.tls_certificates ?? []).map((c, i) => ({ node: c, path: `${cpath}.tls_certificates[${i}]` }));
  for (const { node, path } of certConfigs) certificateChecks(p, node, path);
  const sdsCerts = common.tls_certificate_sds_secret_configs ?? [];
  sdsCerts.forEach((s, i) => sdsChecks(p, s, `${cpath}.tls_certificate_sds_secret_configs[${i}]`));
  if (side === 'upstream' && certConfigs.length + sdsCerts.length > 1) {
    p.add(common, 'tls_certificates', cpath, 'tls_certificates: a client (upstream) context takes one certificate (Envoy: "Multiple TLS certificates are not supported for client contexts")');
  }
  if (side === 'downstream' && certConfigs.length + sdsCerts.length === 0) {
    p.add(down ?? ctx, 'common_tls_context', '', 'a server (downstream) TLS context needs at least one certificate (tls_certificates or tls_certificate_sds_secret_configs)');
  }
  const staticValidation = common.validation_context ?? common.combined_validation_context?.default_validation_context;
  const vpath = common.validation_context ? `${cpath}.validation_context` : `${cpath}.combined_validation_context.default_validation_context`;
  const validationSds = common.validation_context_sds_secret_config ?? common.combined_validation_context?.validation_context_sds_secret_config;
  if (staticValidation) validationChecks(p, staticValidation, vpath, validationSds !== undefined);
  if (validationSds) sdsChecks(p, validationSds, common.validation_context_sds_secret_config ? `${cpath}.validation_context_sds_secret_config` : `${cpath}.combined_validation_context.validation_context_sds_secret_config`);
  if (common.combined_validation_context) {
    for (const f of ['validation_context_certificate_provider', 'validation_context_certificate_provider_instance'] as const) {
      if (isSet(common.combined_validation_context[f])) p.unsupported(common.combined_validation_context, f, `${cpath}.combined_validation_context`, 'certificate providers are not implemented by tsproxy');
    }
  }
  const sanMatchers = compileSanMatchers(p, staticValidation, vpath);
  const alpn = common.alpn_protocols ?? [];
  for (const a of alpn) {
    if (a.length === 0 || a.length > 255) p.add(common, 'alpn_protocols', cpath, `alpn_protocols: "${a}" is not a valid ALPN protocol name (1-255 bytes)`);
  }
  const watchedDirectories = [
    ...certConfigs.map((c) => c.node.watched_directory?.path),
    staticValidation?.watched_directory?.path,
  ].filter((d): d is string => d !== undefined);

  const compiledStatic = {
    side,
    minVersion,
    maxVersion,
    ciphers,
    ecdhCurve,
    sigalgs,
    honorCipherOrder: down?.prefer_client_ciphers !== true,
    alpn,
    sessionTimeoutS: down?.session_timeout !== undefined ? Math.max(1, Math.floor(down.session_timeout / 1000)) : undefined,
    noTickets: down?.disable_stateless_session_resumption === true,
    requireClientCertificate: down?.require_client_certificate === true,
    requireSni: down?.require_sni === true,
    sni: up?.sni !== undefined && up.sni !== '' ? up.sni : undefined,
    autoHostSni: up?.auto_host_sni === true,
    autoSniSanValidation: up?.auto_sni_san_validation === true,
    watchedDirectories,
    reloadable: watchedDirectories.length > 0 || sdsCerts.length > 0 || validationSds !== undefined,
  };
  const load = (): { material: TlsMaterial } | { problems: readonly TlsProblem[] } =>
    loadMaterial(common, certConfigs, sdsCerts, staticValidation, vpath, validationSds, sanMatchers);
  const compiled: CompiledTls = { ...compiledStatic, load };
  if (p.list.length > 0) return { compiled: undefined, problems: p.list };
  // Read the material once now, so a missing file or a key that does not fit its certificate is a startup error.
  const first = load();
  if ('problems' in first) return { compiled: undefined, problems: first.problems };
  if (down && first.material.validation === undefined && down.require_client_certificate === true) {
    p.add(down, 'require_client_certificate', '', 'require_client_certificate needs a validation context with trusted_ca (Envoy refuses it otherwise)');
    return { compiled: undefined, problems: p.list };
  }
  if (up?.auto_sni_san_validation === true && first.material.validation?.hasTrustedCa !== true) {
    // Envoy: "'auto_sni_san_validation' was configured without configuring a trusted CA".
    p.add(up, 'auto_sni_san_validation', '', "'auto_sni_san_validation' was configured without configuring a trusted CA (validation_context.trusted_ca)");
    return { compiled: undefined, problems: p.list };
  }
  return { compiled, problems: [] };
}

function certificateChecks(p: Problems, c: TlsCertificate, path: string): void {
  if (isSet(c.private_key_provider)) p.unsupported(c, 'private_key_provider', path, 'private key providers are not implemented by tsproxy');
  if (isSet(c.ocsp_staple)) p.unsupported(c, 'ocsp_staple', path, 'OCSP stapling is not implemented by tsproxy');
  if (isSet(c.signed_certificate_timestamp)) p.unsupported(c, 'signed_certificate_timestamp', path, 'signed certificate timestamps are not implemented by tsproxy');
  if (c.pkcs12 === undefined && (c.certificate_chain === undefined || c.private_key === undefined)) {
    p.add(c, c.certificate_chain === undefined ? 'certificate_chain' : 'private_key', path, 'a TlsCertificate needs certificate_chain and private_key (or pkcs12)');
  }
}

function sdsChecks(p: Problems, s: SdsSecretConfig, path: string): void {
  const src = s.sds_config;
  if (src === undefined) {
    p.unsupported(s, 'name', path, `the static secret "${s.name ?? ''}" (bootstrap static_resources.secrets) is not implemented by tsproxy; use a file-based sds_config (path_config_source)`);
    return;
  }
  if (src.path_config_source === undefined && src.path === undefined) {
    p.unsupported(s, 'sds_config', path, 'SDS over gRPC (api_config_source, ads) needs xDS, which tsproxy does not implement; only file-based SDS (path_config_source) is');
  }
}

/**
 * A node:tls SecureContext for `compiled` with `material`, presenting `certs` (a subset of the
 * material's certificates: the ones selected for a connection's SNI).
 */
export function buildSecureContext(compiled: CompiledTls, material: TlsMaterial, certs: readonly LoadedCertificate[]): SecureContext {
  const pem = certs.filter((c) => c.options.pfx === undefined);
  const pfx = certs.filter((c) => c.options.pfx !== undefined);
  const options: SecureContextOptions = {
    minVersion: compiled.minVersion,
    maxVersion: compiled.maxVersion,
    ciphers: compiled.ciphers,
    ecdhCurve: compiled.ecdhCurve,
    honorCipherOrder: compiled.honorCipherOrder,
    ...(compiled.sigalgs ? { sigalgs: compiled.sigalgs } : {}),
    ...(compiled.sessionTimeoutS !== undefined ? { sessionTimeout: compiled.sessionTimeoutS } : {}),
    ...(compiled.noTickets ? { secureOptions: constants.SSL_OP_NO_TICKET } : {}),
    ...(pem.length > 0
      ? {
          cert: pem.map((c) => c.options.cert as Buffer),
          key: pem.map((c) => ({ pem: c.options.key as Buffer, ...(c.options.passphrase !== undefined ? { passphrase: c.options.passphrase } : {}) })),
        }
      : {}),
    ...(pfx.length > 0 ? { pfx: pfx.map((c) => ({ buf: c.options.pfx as Buffer, ...(c.options.passphrase !== undefined ? { passphrase: c.options.passphrase } : {}) })) } : {}),
    ...(material.ca ? { ca: material.ca } : {}),
    ...(material.crl ? { crl: material.crl } : {}),
  };
  return createSecureContext(options);
}
