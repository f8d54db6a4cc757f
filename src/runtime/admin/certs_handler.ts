/**
 * `/certs` (Envoy's admin `/certs`, envoy.admin.v3.Certificates): one entry per TLS context in
 * use (listener filter chains, then clusters), with its trusted CA (`ca_cert`) and its own
 * certificates (`cert_chain`): path (`<inline>` for inline data), serial number, SANs, validity
 * and days until expiration. Read from the contexts' current material, so a rotated certificate
 * shows at once.
 */
import { X509Certificate } from 'node:crypto';
import type { AdminHandler, AdminServerContext } from './types.js';
import { jsonResponse, prettyJson } from './response.js';
import type { TlsMaterial } from '../network/tls_context.js';
import { parseSubjectAltNames } from '../network/peer_certificate.js';
import { upstreamTransportOf } from '../network/upstream_tls.js';

interface CertificateDetails {
  path: string;
  serial_number: string;
  subject_alt_names: Array<{ dns: string } | { uri: string } | { ip_address: string }>;
  days_until_expiration: string;
  valid_from: string;
  expiration_time: string;
}

function details(cert: X509Certificate, path: string, nowMs: number): CertificateDetails {
  const sans = parseSubjectAltNames(cert.subjectAltName);
  const to = Date.parse(cert.validTo);
  return {
    path,
    serial_number: cert.serialNumber.toLowerCase(),
    subject_alt_names: [...sans.dns.map((dns) => ({ dns })), ...sans.uri.map((uri) => ({ uri })), ...sans.ip.map((ip_address) => ({ ip_address }))],
    days_until_expiration: String(Math.max(0, Math.floor((to - nowMs) / 86_400_000))),
    valid_from: new Date(Date.parse(cert.validFrom)).toISOString().replace('.000Z', 'Z'),
    expiration_time: new Date(to).toISOString().replace('.000Z', 'Z'),
  };
}

/** Every certificate of a PEM bundle. */
function pemCertificates(pem: Buffer): X509Certificate[] {
  const out: X509Certificate[] = [];
  for (const m of pem.toString('latin1').matchAll(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g)) {
    try {
      out.push(new X509Certificate(m[0]));
    } catch {
      // Not a certificate: skipped (the context loaded, so Node accepted the bundle).
    }
  }
  return out;
}

function entry(m: TlsMaterial, nowMs: number): { ca_cert: CertificateDetails[]; cert_chain: CertificateDetails[] } {
  return {
    ca_cert: m.ca ? pemCertificates(m.ca).map((c) => details(c, m.caPath ?? '<inline>', nowMs)) : [],
    cert_chain: m.certificates.flatMap((c) => (c.leaf ? [details(c.leaf, c.path, nowMs)] : [])),
  };
}

export function certsHandler(ctx: AdminServerContext): AdminHandler {
  return {
    prefix: '/certs',
    help: 'print certs on machine',
    mutatesState: false,
    handle: () => {
      const now = ctx.now();
      const certificates: ReturnType<typeof entry>[] = [];
      for (const l of ctx.listeners()) for (const t of l.tls?.() ?? []) certificates.push(entry(t.material, now));
      for (const c of ctx.config.clusters) {
        for (const t of upstreamTransportOf(c)?.contexts ?? []) certificates.push(entry(t.material, now));
      }
      return jsonResponse(200, prettyJson({ certificates }));
    },
  };
}
