/**
 * Decoded shapes of Envoy's TLS transport socket configs (src/config/schema/tls.ts), with
 * Envoy's snake_case field names. A `transport_socket.typed_config` whose `@type` is one of these
 * decodes to the matching interface.
 */
import type { DataSource, StringMatcher } from './types.js';

export const DOWNSTREAM_TLS_CONTEXT_TYPE = 'envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext';
export const UPSTREAM_TLS_CONTEXT_TYPE = 'envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext';
export const TLS_INSPECTOR_TYPE = 'envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector';
export const RAW_BUFFER_TYPE = 'envoy.extensions.transport_sockets.raw_buffer.v3.RawBuffer';
/** Names that select the TLS transport socket / the TLS inspector without a typed_config (legacy). */
export const TLS_TRANSPORT_SOCKET_NAMES: ReadonlySet<string> = new Set(['envoy.transport_sockets.tls', 'tls']);
export const TLS_INSPECTOR_NAMES: ReadonlySet<string> = new Set(['envoy.filters.listener.tls_inspector', 'envoy.listener.tls_inspector']);
export const RAW_BUFFER_NAMES: ReadonlySet<string> = new Set(['envoy.transport_sockets.raw_buffer', 'raw_buffer']);

export type TlsProtocolVersion = 'TLS_AUTO' | 'TLSv1_0' | 'TLSv1_1' | 'TLSv1_2' | 'TLSv1_3';

export interface TlsParameters {
  tls_minimum_protocol_version?: TlsProtocolVersion;
  tls_maximum_protocol_version?: TlsProtocolVersion;
  cipher_suites?: string[];
  ecdh_curves?: string[];
  signature_algorithms?: string[];
  compliance_policies?: string[];
}

export interface WatchedDirectory {
  path: string;
}

export interface TlsCertificate {
  certificate_chain?: DataSource;
  private_key?: DataSource;
  pkcs12?: DataSource;
  watched_directory?: WatchedDirectory;
  private_key_provider?: unknown;
  password?: DataSource;
  ocsp_staple?: DataSource;
  signed_certificate_timestamp?: DataSource[];
}

export type SanType = 'SAN_TYPE_UNSPECIFIED' | 'EMAIL' | 'DNS' | 'URI' | 'IP_ADDRESS' | 'OTHER_NAME';

export interface SubjectAltNameMatcher {
  san_type: SanType;
  matcher: StringMatcher;
  oid?: string;
}

export interface CertificateValidationContext {
  trusted_ca?: DataSource;
  ca_certificate_provider_instance?: unknown;
  system_root_certs?: unknown;
  watched_directory?: WatchedDirectory;
  verify_certificate_spki?: string[];
  verify_certificate_hash?: string[];
  match_typed_subject_alt_names?: SubjectAltNameMatcher[];
  match_subject_alt_names?: StringMatcher[];
  require_signed_certificate_timestamp?: boolean;
  crl?: DataSource;
  allow_expired_certificate?: boolean;
  trust_chain_verification?: 'VERIFY_TRUST_CHAIN' | 'ACCEPT_UNTRUSTED';
  custom_validator_config?: unknown;
  only_verify_leaf_cert_crl?: boolean;
  max_verify_depth?: number;
}

export interface SdsConfigSource {
  path?: string;
  path_config_source?: { path: string; watched_directory?: WatchedDirectory };
  api_config_source?: unknown;
  ads?: unknown;
  self?: unknown;
  authorities?: unknown;
  initial_fetch_timeout?: number;
  resource_api_version?: string;
}

export interface SdsSecretConfig {
  name?: string;
  sds_config?: SdsConfigSource;
}

export interface CommonTlsContext {
  tls_params?: TlsParameters;
  tls_certificates?: TlsCertificate[];
  tls_certificate_sds_secret_configs?: SdsSecretConfig[];
  tls_certificate_provider_instance?: unknown;
  custom_tls_certificate_selector?: unknown;
  tls_certificate_certificate_provider?: unknown;
  tls_certificate_certificate_provider_instance?: unknown;
  validation_context?: CertificateValidationContext;
  validation_context_sds_secret_config?: SdsSecretConfig;
  combined_validation_context?: {
    default_validation_context: CertificateValidationContext;
    validation_context_sds_secret_config?: SdsSecretConfig;
    validation_context_certificate_provider?: unknown;
    validation_context_certificate_provider_instance?: unknown;
  };
  validation_context_certificate_provider?: unknown;
  validation_context_certificate_provider_instance?: unknown;
  alpn_protocols?: string[];
  custom_handshaker?: unknown;
  key_log?: unknown;
}

export interface DownstreamTlsContext {
  '@type'?: string;
  common_tls_context?: CommonTlsContext;
  require_client_certificate?: boolean;
  require_sni?: boolean;
  session_ticket_keys?: unknown;
  session_ticket_keys_sds_secret_config?: unknown;
  disable_stateless_session_resumption?: boolean;
  disable_stateful_session_resumption?: boolean;
  session_timeout?: number;
  ocsp_staple_policy?: string;
  full_scan_certs_on_sni_mismatch?: boolean;
  prefer_client_ciphers?: boolean;
}

export interface UpstreamTlsContext {
  '@type'?: string;
  common_tls_context?: CommonTlsContext;
  sni?: string;
  auto_host_sni?: boolean;
  auto_sni_san_validation?: boolean;
  allow_renegotiation?: boolean;
  max_session_keys?: number;
  enforce_rsa_key_usage?: boolean;
}

export interface Secret {
  name?: string;
  tls_certificate?: TlsCertificate;
  validation_context?: CertificateValidationContext;
  session_ticket_keys?: unknown;
  generic_secret?: unknown;
}

/** A transport socket as a filter chain or a cluster carries it. */
export interface TransportSocketConfig {
  name: string;
  typed_config?: Record<string, unknown>;
}

/** The kind of a transport socket: raw bytes, Envoy's TLS, or something else (named). */
export function transportSocketKind(ts: TransportSocketConfig | undefined): 'raw_buffer' | 'tls' | 'other' {
  if (ts === undefined) return 'raw_buffer';
  const url = ts.typed_config?.['@type'];
  const t = typeof url === 'string' ? url.slice(url.lastIndexOf('/') + 1) : undefined;
  if (t === undefined) {
    if (TLS_TRANSPORT_SOCKET_NAMES.has(ts.name)) return 'tls';
    return RAW_BUFFER_NAMES.has(ts.name) ? 'raw_buffer' : 'other';
  }
  if (t === RAW_BUFFER_TYPE) return 'raw_buffer';
  if (t === DOWNSTREAM_TLS_CONTEXT_TYPE || t === UPSTREAM_TLS_CONTEXT_TYPE) return 'tls';
  return 'other';
}

/** One listener filter is `envoy.filters.listener.tls_inspector` (by `@type`, or by name without typed_config). */
export function isTlsInspector(f: { name?: string; typed_config?: Record<string, unknown> }): boolean {
  const url = f.typed_config?.['@type'];
  if (typeof url === 'string') return url.slice(url.lastIndexOf('/') + 1) === TLS_INSPECTOR_TYPE;
  return f.name !== undefined && TLS_INSPECTOR_NAMES.has(f.name);
}

/** The listener runs the TLS inspector. */
export function hasTlsInspector(listener: { listener_filters?: { name: string; typed_config?: Record<string, unknown> }[] }): boolean {
  return (listener.listener_filters ?? []).some((f) => isTlsInspector(f));
}
