/**
 * `tsproxy --version`: the tsproxy version and the runtime pieces that decide its behaviour on the
 * wire, like `envoy --version` (`envoy  version: <sha>/<version>/Clean/RELEASE/BoringSSL`). The
 * first line keeps Envoy's shape so scripts that cut at "version: " work; the lines below name the
 * Node.js binary in use and the versions of its HTTP/1 parser (llhttp), HTTP/2 library (nghttp2),
 * TLS library and the RE2 binding.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** The version in tsproxy's package.json (dist/src/cli -> package root). */
export function tsproxyVersion(): string {
  return packageVersion(new URL('../../../package.json', import.meta.url));
}

function packageVersion(url: URL): string {
  try {
    const v = (JSON.parse(readFileSync(url, 'utf8')) as { version?: unknown }).version;
    return typeof v === 'string' ? v : 'unknown';
  } catch {
    return 'unknown';
  }
}

function re2Version(): string {
  try {
    return packageVersion(new URL('package.json', `file://${require.resolve('re2/package.json')}`));
  } catch {
    return 'not installed';
  }
}

/** The text `--version` prints (several lines, newline-terminated). */
export function versionText(): string {
  const v = process.versions;
  const lines = [
    `tsproxy  version: ${tsproxyVersion()}/node-${process.version}/llhttp-${v.llhttp ?? 'unknown'}`,
    `node     ${process.version} (${process.execPath})`,
    `llhttp   ${v.llhttp ?? 'unknown'}`,
    `nghttp2  ${v.nghttp2 ?? 'unknown'}`,
    `openssl  ${v.openssl ?? 'unknown'}`,
    `re2      ${re2Version()} (RE2 for safe_regex)`,
  ];
  return lines.join('\n') + '\n';
}
