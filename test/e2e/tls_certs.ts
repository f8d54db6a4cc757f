/**
 * Certificates and keys for TLS tests, generated at test time with Debian's openssl in a fresh
 * temporary directory (never committed): a CA, server certificates (RSA for `example.com` and
 * `*.example.com`, ECDSA P-256 for the same names, RSA for `other.test`), client certificates
 * (valid with a SPIFFE URI SAN, another with a foreign SAN, expired, revocable, and one from an
 * untrusted CA), and a CRL revoking one.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestPki {
  readonly dir: string;
  /** Absolute path of a file in the PKI directory. */
  path(name: string): string;
  cleanup(): void;
}

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
}

const CA_CONF = `[ ca ]
default_ca = CA_default
[ CA_default ]
dir = .
database = index.txt
new_certs_dir = .
serial = serial
default_md = sha256
policy = policy_any
copy_extensions = copy
unique_subject = no
default_crl_days = 30
[ policy_any ]
commonName = supplied
organizationName = optional
[ v3_leaf ]
basicConstraints = CA:FALSE
`;

/** Generates a CA and its leaves (a few hundred ms). */
export function makeTestPki(): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'tsproxy-pki-'));
  writeFileSync(join(dir, 'ca.cnf'), CA_CONF);
  writeFileSync(join(dir, 'index.txt'), '');
  writeFileSync(join(dir, 'serial'), '1000\n');
  const ca = (name: string, subj: string): void =>
    openssl(dir, ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.crt`, '-days', '30', '-subj', subj,
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  ca('ca', '/O=tsproxy test/CN=tsproxy test CA');
  ca('other-ca', '/O=elsewhere/CN=untrusted CA');
  const leaf = (name: string, key: 'rsa' | 'ec', subj: string, san: string, signer = 'ca', dates?: [string, string]): void => {
    const keyArgs = key === 'rsa' ? ['-newkey', 'rsa:2048'] : ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'];
    openssl(dir, ['req', '-new', ...keyArgs, '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subj, '-addext', `subjectAltName=${san}`]);
    if (dates) {
      openssl(dir, ['ca', '-batch', '-config', 'ca.cnf', '-extensions', 'v3_leaf', '-cert', `${signer}.crt`, '-keyfile', `${signer}.key`, '-in', `${name}.csr`, '-out', `${name}.crt`, '-startdate', dates[0], '-enddate', dates[1], '-notext']);
    } else {
      openssl(dir, ['x509', '-req', '-in', `${name}.csr`, '-CA', `${signer}.crt`, '-CAkey', `${signer}.key`, '-CAcreateserial', '-out', `${name}.crt`, '-days', '30', '-copy_extensions', 'copy']);
    }
  };
  leaf('server-rsa', 'rsa', '/O=tsproxy test/CN=example.com', 'DNS:example.com,DNS:*.example.com');
  leaf('server-ec', 'ec', '/O=tsproxy test/CN=example.com', 'DNS:example.com,DNS:*.example.com');
  leaf('other', 'rsa', '/O=tsproxy test/CN=other.test', 'DNS:other.test');
  leaf('upstream', 'ec', '/O=tsproxy test/CN=backend.internal', 'DNS:backend.internal,URI:spiffe://test/ns/default/sa/backend');
  leaf('client', 'ec', '/C=US/O=tsproxy test/CN=client one', 'URI:spiffe://test/ns/default/sa/client,DNS:client.test');
  leaf('client2', 'ec', '/O=tsproxy test/CN=client two', 'URI:spiffe://test/ns/other/sa/intruder');
  // Signed through `openssl ca` so it is in the CA database and can be revoked (revokeAndWriteCrl).
  leaf('revoked', 'ec', '/O=tsproxy test/CN=revoked client', 'URI:spiffe://test/ns/default/sa/client', 'ca', ['20250101000000Z', '20401231000000Z']);
  leaf('expired', 'ec', '/O=tsproxy test/CN=expired client', 'URI:spiffe://test/ns/default/sa/client', 'ca', ['20200101000000Z', '20200201000000Z']);
  leaf('untrusted', 'ec', '/O=elsewhere/CN=untrusted client', 'URI:spiffe://test/ns/default/sa/client', 'other-ca');
  return {
    dir,
    path: (name: string) => join(dir, name),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Revokes `name`.crt (a leaf signed through `openssl ca`) and writes the CA's CRL to `crl.pem`. */
export function revokeAndWriteCrl(pki: TestPki, name: string): void {
  openssl(pki.dir, ['ca', '-config', 'ca.cnf', '-cert', 'ca.crt', '-keyfile', 'ca.key', '-revoke', `${name}.crt`]);
  openssl(pki.dir, ['ca', '-config', 'ca.cnf', '-cert', 'ca.crt', '-keyfile', 'ca.key', '-gencrl', '-out', 'crl.pem']);
}
