/**
 * The certificate material of a TLS context (network/tls_context.ts): certificates with their
 * keys, the trusted CA and CRL, the peer validation settings, read from files, inline data and
 * file-based SDS secrets. Read at startup and again on rotation (cert_watcher.ts); never throws:
 * what cannot be loaded is a problem naming its field.
 */
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { createSecureContext, type SecureContextOptions } from 'node:tls';
import type { DataSource } from '../../config/types.js';
import type { CertificateValidationContext, CommonTlsContext, SdsSecretConfig, TlsCertificate } from '../../config/tls_types.js';
import { compileStringMatcher } from '../../core/string_matcher.js';
import type { Diagnostic } from '../../config/diagnostic.js';
import { readDataSource } from './tls_data_source.js';
import { readSdsSecret } from './sds_file.js';
import { parseSubjectAltNames, type SanMatcher } from './peer_certificate.js';

/** A setting Node cannot honour, or material that cannot be loaded: at `node.field`. */
export interface TlsProblem {
  readonly node: object;
  readonly field: string;
  /** Path of `node` relative to the TLS context (`common_tls_context.tls_params`), '' for the context itself. */
  readonly path: string;
  readonly message: string;
}

/** A loaded certificate with its key. */
export interface LoadedCertificate {
  readonly options: Pick<SecureContextOptions, 'cert' | 'key' | 'pfx' | 'passphrase'>;
  readonly leaf: X509Certificate | undefined;
  /** `rsa`, `ec`, `ed25519`, ... (undefined for PKCS#12, where Node does not expose it before use). */
  readonly keyType: string | undefined;
  /** DNS SANs (or the CN when there are none), lowercased: SNI-based selection. */
  readonly names: readonly string[];
  /** Where the certificate came from: its file, or `<inline>` (admin /certs). */
  readonly path: string;
}

/** Peer verification settings of the effective validation context. */
export interface PeerValidation {
  readonly hasTrustedCa: boolean;
  readonly sanMatchers: readonly SanMatcher[];
  /** Lowercase hex without colons. */
  readonly certificateHashes: readonly string[];
  readonly spkiHashes: readonly string[];
  readonly allowExpired: boolean;
  readonly acceptUntrusted: boolean;
}

/** Everything read from files or inline data: replaced as a whole on reload. */
export interface TlsMaterial {
  readonly certificates: readonly LoadedCertificate[];
  readonly ca: Buffer | undefined;
  readonly crl: Buffer | undefined;
  /** The trusted CA's file, or `<inline>` (admin /certs). */
  readonly caPath: string | undefined;
  readonly validation: PeerValidation | undefined;
  /** Files the material came from (watched for rotation). */
  readonly files: readonly string[];
}

/** Problems collected while compiling or loading. */
export class Problems {
  readonly list: TlsProblem[] = [];
  add(node: object, field: string, path: string, message: string): void {
    this.list.push({ node, field, path, message });
  }
  /** A configured field tsproxy cannot honour. */
  unsupported(node: object, field: string, path: string, why: string): void {
    this.add(node, field, path, `${field}: ${why}; refusing rather than serve TLS without it`);
  }
}

export const isSet = (v: unknown): boolean => v !== undefined && v !== null && !(Array.isArray(v) && v.length === 0);

/** `caFromSds`: a combined validation context whose SDS part supplies the trusted CA. */
export function validationChecks(p: Problems, v: CertificateValidationContext, path: string, caFromSds = false): void {
  if (isSet(v.ca_certificate_provider_instance)) p.unsupported(v, 'ca_certificate_provider_instance', path, 'certificate providers are not implemented by tsproxy');
  if (isSet(v.system_root_certs)) p.unsupported(v, 'system_root_certs', path, 'system root certificates are not implemented by tsproxy; give trusted_ca');
  if (isSet(v.custom_validator_config)) p.unsupported(v, 'custom_validator_config', path, 'custom certificate validators (SPIFFE, ...) are not implemented by tsproxy');
  if (v.require_signed_certificate_timestamp === true) p.unsupported(v, 'require_signed_certificate_timestamp', path, 'signed certificate timestamps are not checked by Node');
  if (v.only_verify_leaf_cert_crl === true) p.unsupported(v, 'only_verify_leaf_cert_crl', path, 'Node checks CRLs for the whole chain');
  if (v.max_verify_depth !== undefined) p.unsupported(v, 'max_verify_depth', path, 'Node does not expose the verification depth');
  if (isSet(v.match_typed_subject_alt_names) && v.trusted_ca === undefined && !caFromSds) {
    p.add(v, 'match_typed_subject_alt_names', path, 'match_typed_subject_alt_names without trusted_ca is insecure; Envoy refuses it ("SAN-based verification of peer certificates without trusted CA is insecure and not allowed")');
  }
  (v.match_typed_subject_alt_names ?? []).forEach((m, i) => {
    if (m.san_type === 'OTHER_NAME') p.unsupported(m, 'san_type', `${path}.match_typed_subject_alt_names[${i}]`, 'OTHER_NAME SANs are not exposed by Node');
    if (m.san_type === 'SAN_TYPE_UNSPECIFIED') p.add(m, 'san_type', `${path}.match_typed_subject_alt_names[${i}]`, 'san_type must be set (EMAIL, DNS, URI or IP_ADDRESS)');
  });
}

export function compileSanMatchers(p: Problems, v: CertificateValidationContext | undefined, path: string): SanMatcher[] {
  if (!v) return [];
  const diagnostics: Diagnostic[] = [];
  const cc = { runtime: {}, diagnostics, file: '' };
  const out: SanMatcher[] = [];
  (v.match_typed_subject_alt_names ?? []).forEach((m, i) => {
    out.push({ type: m.san_type, matcher: compileStringMatcher(m.matcher, cc, `${path}.match_typed_subject_alt_names[${i}].matcher`) });
  });
  (v.match_subject_alt_names ?? []).forEach((m, i) => {
    out.push({ type: 'SAN_TYPE_UNSPECIFIED', matcher: compileStringMatcher(m, cc, `${path}.match_subject_alt_names[${i}]`) });
  });
  for (const d of diagnostics) if (d.severity === 'error') p.add(v, 'match_typed_subject_alt_names', path, d.message);
  return out;
}

/** Reads every certificate, key, CA and CRL; the SDS files are read here too. */
export function loadMaterial(
  common: CommonTlsContext,
  certConfigs: readonly { node: TlsCertificate; path: string }[],
  sdsCerts: readonly SdsSecretConfig[],
  staticValidation: CertificateValidationContext | undefined,
  vpath: string,
  validationSds: SdsSecretConfig | undefined,
  staticSans: readonly SanMatcher[],
): { material: TlsMaterial } | { problems: readonly TlsProblem[] } {
  const p = new Problems();
  const files: string[] = [];
  const read = (node: object, field: string, path: string, ds: DataSource): Buffer | undefined => {
    const r = readDataSource(ds);
    if ('error' in r) {
      p.add(node, field, path, `${field}: ${r.error}`);
      return undefined;
    }
    if (r.file) files.push(r.file);
    return r.data;
  };
  const all: Array<{ node: TlsCertificate; path: string }> = [...certConfigs];
  sdsCerts.forEach((s, i) => {
    const path = `common_tls_context.tls_certificate_sds_secret_configs[${i}]`;
    const file = s.sds_config?.path_config_source?.path ?? s.sds_config?.path;
    if (file === undefined) return;
    files.push(file);
    const r = readSdsSecret(file, s.name);
    if ('error' in r) p.add(s, 'sds_config', path, `sds_config: ${r.error}`);
    else if (!r.secret.tls_certificate) p.add(s, 'name', path, `the SDS secret "${s.name ?? ''}" in ${file} holds no tls_certificate`);
    else all.push({ node: r.secret.tls_certificate, path: `${path} (secret "${s.name ?? ''}" in ${file})` });
  });
  const certificates: LoadedCertificate[] = [];
  for (const { node, path } of all) {
    const password = node.password ? read(node, 'password', path, node.password)?.toString('utf8') : undefined;
    if (node.pkcs12) {
      const pfx = read(node, 'pkcs12', path, node.pkcs12);
      if (pfx) {
        try {
          createSecureContext({ pfx, ...(password !== undefined ? { passphrase: password } : {}) });
          certificates.push({ options: { pfx, ...(password !== undefined ? { passphrase: password } : {}) }, leaf: undefined, keyType: undefined, names: [], path: node.pkcs12.filename ?? '<inline>' });
        } catch (err) {
          p.add(node, 'pkcs12', path, `pkcs12: cannot be loaded (${(err as Error).message})`);
        }
      }
      continue;
    }
    const cert = node.certificate_chain ? read(node, 'certificate_chain', path, node.certificate_chain) : undefined;
    const key = node.private_key ? read(node, 'private_key', path, node.private_key) : undefined;
    if (!cert || !key) continue;
    let leaf: X509Certificate;
    try {
      leaf = new X509Certificate(cert);
    } catch (err) {
      p.add(node, 'certificate_chain', path, `certificate_chain: not a PEM certificate (${(err as Error).message})`);
      continue;
    }
    try {
      const pk = createPrivateKey({ key, ...(password !== undefined ? { passphrase: password } : {}) });
      if (!leaf.checkPrivateKey(pk)) {
        p.add(node, 'private_key', path, 'private_key: does not match the certificate in certificate_chain');
        continue;
      }
      const sans = parseSubjectAltNames(leaf.subjectAltName);
      const cn = /(?:^|\n)CN=([^\n]*)/.exec(leaf.subject)?.[1];
      const names = (sans.dns.length > 0 ? sans.dns : cn ? [cn] : []).map((n) => n.toLowerCase());
      certificates.push({ options: { cert, key, ...(password !== undefined ? { passphrase: password } : {}) }, leaf, keyType: pk.asymmetricKeyType, names, path: node.certificate_chain?.filename ?? '<inline>' });
    } catch (err) {
      p.add(node, 'private_key', path, `private_key: cannot be loaded (${(err as Error).message})`);
    }
  }
  // The validation context: static, from SDS, or both (combined: the SDS one's material, the static one's matchers).
  let v = staticValidation;
  let vp = vpath;
  if (validationSds) {
    const file = validationSds.sds_config?.path_config_source?.path ?? validationSds.sds_config?.path;
    if (file !== undefined) {
      files.push(file);
      const r = readSdsSecret(file, validationSds.name);
      if ('error' in r) p.add(validationSds, 'sds_config', vpath, `sds_config: ${r.error}`);
      else if (!r.secret.validation_context) p.add(validationSds, 'name', vpath, `the SDS secret "${validationSds.name ?? ''}" in ${file} holds no validation_context`);
      else {
        const sdsV = r.secret.validation_context;
        v = { ...sdsV, ...(staticValidation ?? {}), trusted_ca: sdsV.trusted_ca ?? staticValidation?.trusted_ca, crl: sdsV.crl ?? staticValidation?.crl };
        vp = `${vpath} (secret "${validationSds.name ?? ''}" in ${file})`;
        validationChecks(p, sdsV, vp);
      }
    }
  }
  let ca: Buffer | undefined;
  let crl: Buffer | undefined;
  let validation: PeerValidation | undefined;
  if (v) {
    ca = v.trusted_ca ? read(v, 'trusted_ca', vp, v.trusted_ca) : undefined;
    crl = v.crl ? read(v, 'crl', vp, v.crl) : undefined;
    if (ca) {
      try {
        createSecureContext({ ca, ...(crl ? { crl } : {}) });
      } catch (err) {
        p.add(v, crl ? 'crl' : 'trusted_ca', vp, `${crl ? 'crl' : 'trusted_ca'}: cannot be loaded (${(err as Error).message})`);
      }
    } else if (crl) {
      p.add(v, 'crl', vp, 'crl needs trusted_ca');
    }
    const sans = staticSans.length > 0 || v === staticValidation ? staticSans : compileSanMatchers(p, v, vp);
    if (sans.length > 0 && !v.trusted_ca) {
      // Also for a combined context whose SDS secret brought no CA: SANs alone authenticate nobody.
      p.add(v, 'trusted_ca', vp, 'SAN matchers without a trusted_ca are insecure; Envoy refuses them');
    }
    validation = {
      hasTrustedCa: ca !== undefined,
      sanMatchers: sans,
      certificateHashes: (v.verify_certificate_hash ?? []).map((h) => h.replace(/:/g, '').toLowerCase()),
      spkiHashes: v.verify_certificate_spki ?? [],
      allowExpired: v.allow_expired_certificate === true,
      acceptUntrusted: v.trust_chain_verification === 'ACCEPT_UNTRUSTED',
    };
    if (!validation.hasTrustedCa && validation.certificateHashes.length === 0 && validation.spkiHashes.length === 0) validation = undefined;
  }
  if (p.list.length > 0) return { problems: p.list };
  const caPath = v?.trusted_ca ? (v.trusted_ca.filename ?? '<inline>') : undefined;
  return { material: { certificates, ca, crl, caPath, validation, files } };
}
