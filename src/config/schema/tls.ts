/**
 * Descriptors of Envoy's TLS transport socket (`envoy.extensions.transport_sockets.tls.v3`:
 * DownstreamTlsContext, UpstreamTlsContext, CommonTlsContext, TlsCertificate, TlsParameters,
 * CertificateValidationContext, SdsSecretConfig, Secret) and of the tls_inspector listener
 * filter. Decoded field by field so TLS settings keep their positions (serve names the field it
 * cannot honour, lint warns at it). Field names and enums follow Envoy's tls.proto, common.proto
 * and secret.proto.
 */
import { bool, dur, enm, message, msg, raw, str, u32, type MessageDescriptor } from './descriptor.js';
import { DATA_SOURCE, STRING_MATCHER } from './common.js';

const T = 'envoy.extensions.transport_sockets.tls.v3';

const TLS_VERSIONS = ['TLS_AUTO', 'TLSv1_0', 'TLSv1_1', 'TLSv1_2', 'TLSv1_3'] as const;

export const TLS_PARAMETERS: MessageDescriptor = message(`${T}.TlsParameters`, {
  tls_minimum_protocol_version: enm(TLS_VERSIONS),
  tls_maximum_protocol_version: enm(TLS_VERSIONS),
  cipher_suites: str({ repeated: true }),
  ecdh_curves: str({ repeated: true }),
  signature_algorithms: str({ repeated: true }),
  compliance_policies: enm(['FIPS_202205'], { repeated: true }),
});

const WATCHED_DIRECTORY: MessageDescriptor = message('envoy.config.core.v3.WatchedDirectory', {
  path: str({ required: true }),
});

export const TLS_CERTIFICATE: MessageDescriptor = message(`${T}.TlsCertificate`, {
  certificate_chain: msg(() => DATA_SOURCE),
  private_key: msg(() => DATA_SOURCE),
  pkcs12: msg(() => DATA_SOURCE),
  watched_directory: msg(() => WATCHED_DIRECTORY),
  private_key_provider: raw(),
  password: msg(() => DATA_SOURCE),
  ocsp_staple: msg(() => DATA_SOURCE),
  signed_certificate_timestamp: msg(() => DATA_SOURCE, { repeated: true }),
});

const SUBJECT_ALT_NAME_MATCHER: MessageDescriptor = message(`${T}.SubjectAltNameMatcher`, {
  san_type: enm(['SAN_TYPE_UNSPECIFIED', 'EMAIL', 'DNS', 'URI', 'IP_ADDRESS', 'OTHER_NAME'], { required: true }),
  matcher: msg(() => STRING_MATCHER, { required: true }),
  oid: str(),
});

export const CERTIFICATE_VALIDATION_CONTEXT: MessageDescriptor = message(`${T}.CertificateValidationContext`, {
  trusted_ca: msg(() => DATA_SOURCE),
  ca_certificate_provider_instance: raw(),
  system_root_certs: raw(),
  watched_directory: msg(() => WATCHED_DIRECTORY),
  verify_certificate_spki: str({ repeated: true }),
  verify_certificate_hash: str({ repeated: true }),
  match_typed_subject_alt_names: msg(() => SUBJECT_ALT_NAME_MATCHER, { repeated: true }),
  match_subject_alt_names: msg(() => STRING_MATCHER, { repeated: true, deprecated: 'use match_typed_subject_alt_names' }),
  require_signed_certificate_timestamp: bool(),
  crl: msg(() => DATA_SOURCE),
  allow_expired_certificate: bool(),
  trust_chain_verification: enm(['VERIFY_TRUST_CHAIN', 'ACCEPT_UNTRUSTED']),
  custom_validator_config: raw(),
  only_verify_leaf_cert_crl: bool(),
  max_verify_depth: u32(),
});

const PATH_CONFIG_SOURCE: MessageDescriptor = message('envoy.config.core.v3.PathConfigSource', {
  path: str({ required: true }),
  watched_directory: msg(() => WATCHED_DIRECTORY),
});

/** The ConfigSource of an SDS secret: only the file-based kinds are decoded; others stay raw. */
const SDS_CONFIG_SOURCE: MessageDescriptor = message('envoy.config.core.v3.ConfigSource', {
  authorities: raw(),
  path: str({ oneof: 'config_source_specifier', deprecated: 'use path_config_source' }),
  path_config_source: msg(() => PATH_CONFIG_SOURCE, { oneof: 'config_source_specifier' }),
  api_config_source: raw({ oneof: 'config_source_specifier' }),
  ads: raw({ oneof: 'config_source_specifier' }),
  self: raw({ oneof: 'config_source_specifier' }),
  initial_fetch_timeout: dur(),
  resource_api_version: enm(['AUTO', 'V2', 'V3']),
});

export const SDS_SECRET_CONFIG: MessageDescriptor = message(`${T}.SdsSecretConfig`, {
  name: str(),
  sds_config: msg(() => SDS_CONFIG_SOURCE),
});

const COMBINED_VALIDATION_CONTEXT: MessageDescriptor = message(`${T}.CommonTlsContext.CombinedCertificateValidationContext`, {
  default_validation_context: msg(() => CERTIFICATE_VALIDATION_CONTEXT, { required: true }),
  validation_context_sds_secret_config: msg(() => SDS_SECRET_CONFIG),
  validation_context_certificate_provider: raw(),
  validation_context_certificate_provider_instance: raw(),
});

export const COMMON_TLS_CONTEXT: MessageDescriptor = message(`${T}.CommonTlsContext`, {
  tls_params: msg(() => TLS_PARAMETERS),
  tls_certificates: msg(() => TLS_CERTIFICATE, { repeated: true }),
  tls_certificate_sds_secret_configs: msg(() => SDS_SECRET_CONFIG, { repeated: true }),
  tls_certificate_provider_instance: raw(),
  custom_tls_certificate_selector: raw(),
  tls_certificate_certificate_provider: raw(),
  tls_certificate_certificate_provider_instance: raw(),
  validation_context: msg(() => CERTIFICATE_VALIDATION_CONTEXT, { oneof: 'validation_context_type' }),
  validation_context_sds_secret_config: msg(() => SDS_SECRET_CONFIG, { oneof: 'validation_context_type' }),
  combined_validation_context: msg(() => COMBINED_VALIDATION_CONTEXT, { oneof: 'validation_context_type' }),
  validation_context_certificate_provider: raw({ oneof: 'validation_context_type' }),
  validation_context_certificate_provider_instance: raw({ oneof: 'validation_context_type' }),
  alpn_protocols: str({ repeated: true }),
  custom_handshaker: raw(),
  key_log: raw(),
});

export const DOWNSTREAM_TLS_CONTEXT: MessageDescriptor = message(`${T}.DownstreamTlsContext`, {
  common_tls_context: msg(() => COMMON_TLS_CONTEXT),
  require_client_certificate: bool(),
  require_sni: bool(),
  session_ticket_keys: raw({ oneof: 'session_ticket_keys_type' }),
  session_ticket_keys_sds_secret_config: raw({ oneof: 'session_ticket_keys_type' }),
  disable_stateless_session_resumption: bool({ oneof: 'session_ticket_keys_type' }),
  disable_stateful_session_resumption: bool(),
  session_timeout: dur(),
  ocsp_staple_policy: enm(['LENIENT_STAPLING', 'STRICT_STAPLING', 'MUST_STAPLE']),
  full_scan_certs_on_sni_mismatch: bool(),
  prefer_client_ciphers: bool(),
});

export const UPSTREAM_TLS_CONTEXT: MessageDescriptor = message(`${T}.UpstreamTlsContext`, {
  common_tls_context: msg(() => COMMON_TLS_CONTEXT),
  sni: str(),
  auto_host_sni: bool(),
  auto_sni_san_validation: bool(),
  allow_renegotiation: bool(),
  max_session_keys: u32(),
  enforce_rsa_key_usage: bool(),
});

/** An SDS `Secret` (what a file-based SDS `path_config_source` holds in its `resources`). */
export const SECRET: MessageDescriptor = message(`${T}.Secret`, {
  name: str(),
  tls_certificate: msg(() => TLS_CERTIFICATE, { oneof: 'type' }),
  session_ticket_keys: raw({ oneof: 'type' }),
  validation_context: msg(() => CERTIFICATE_VALIDATION_CONTEXT, { oneof: 'type' }),
  generic_secret: raw({ oneof: 'type' }),
});

/** `envoy.filters.listener.tls_inspector`. */
export const TLS_INSPECTOR: MessageDescriptor = message('envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector', {
  enable_ja3_fingerprinting: bool(),
  enable_ja4_fingerprinting: bool(),
  initial_read_buffer_size: u32(),
  close_connection_on_client_hello_parsing_errors: bool(),
});
