/**
 * Envoy's TLS connection stats (`<scope>ssl.`: listener `listener.<address>.ssl.`, cluster
 * `cluster.<name>.ssl.`): handshake, connection_error, session_reused, no_certificate,
 * fail_verify_no_cert, fail_verify_error, fail_verify_san, fail_verify_cert_hash, and the
 * dynamic `ciphers.<name>`, `versions.<TLSv1.x>`.
 */
import type { Counter, StatsScope } from '../stats/store.js';

export class SslStats {
  readonly handshake: Counter;
  readonly connectionError: Counter;
  readonly sessionReused: Counter;
  readonly noCertificate: Counter;
  readonly failVerifyNoCert: Counter;
  readonly failVerifyError: Counter;
  readonly failVerifySan: Counter;
  readonly failVerifyCertHash: Counter;
  private readonly scope: StatsScope;
  private readonly dynamic = new Map<string, Counter>();

  constructor(owner: StatsScope) {
    const s = owner.scope('ssl.');
    this.scope = s;
    this.handshake = s.counter('handshake');
    this.connectionError = s.counter('connection_error');
    this.sessionReused = s.counter('session_reused');
    this.noCertificate = s.counter('no_certificate');
    this.failVerifyNoCert = s.counter('fail_verify_no_cert');
    this.failVerifyError = s.counter('fail_verify_error');
    this.failVerifySan = s.counter('fail_verify_san');
    this.failVerifyCertHash = s.counter('fail_verify_cert_hash');
  }

  /** A completed handshake: `handshake`, `versions.<v>`, `ciphers.<c>`, `session_reused`. */
  onHandshake(version: string, cipher: string, reused: boolean): void {
    this.handshake.inc();
    if (reused) this.sessionReused.inc();
    this.counter(`versions.${version}`).inc();
    this.counter(`ciphers.${cipher}`).inc();
  }

  private counter(name: string): Counter {
    let c = this.dynamic.get(name);
    if (c === undefined) {
      c = this.scope.counter(name);
      this.dynamic.set(name, c);
    }
    return c;
  }
}
