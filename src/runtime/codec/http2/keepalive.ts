/**
 * `connection_keepalive` (Envoy's Http2::ConnectionImpl::sendKeepalive / onKeepaliveResponse /
 * onKeepaliveResponseTimeout): a PING every `interval` (plus up to `interval_jitter` percent),
 * and the connection closed (`http2.keepalive_timeout`) when one is not acknowledged within
 * `timeout`. Envoy also restarts the timeout on any frame received; node:http2 shows us no
 * frames, so only the PING ACK counts here. Timers are unref'd: they never keep the process up.
 */
import type { Http2Session } from 'node:http2';
import type { Http2KeepaliveSettings } from './options.js';

function onIntervalTimer(k: Http2Keepalive): void {
  k.intervalTimer = undefined;
  k.sendPing();
}

function onTimeoutTimer(k: Http2Keepalive): void {
  k.timeoutTimer = undefined;
  if (!k.stopped) k.onTimeout();
}

export class Http2Keepalive {
  intervalTimer: NodeJS.Timeout | undefined;
  timeoutTimer: NodeJS.Timeout | undefined;
  stopped = false;

  /** `onTimeout` closes the connection (and counts the stat). */
  constructor(
    private readonly session: Http2Session,
    private readonly settings: Http2KeepaliveSettings,
    readonly onTimeout: () => void,
    private readonly random: () => number = Math.random,
  ) {
    this.schedule();
  }

  /** Whether a PING is waiting for its ACK. */
  get awaitingAck(): boolean {
    return this.timeoutTimer !== undefined;
  }

  /** Sends a PING now unless one is already outstanding (Envoy skips it then too). */
  sendPing(): void {
    if (this.stopped || this.timeoutTimer !== undefined || this.session.destroyed || this.session.closed) return;
    try {
      this.session.ping((err) => {
        if (err === null) this.onAck();
      });
    } catch {
      return;
    }
    if (this.settings.timeoutMs > 0) {
      this.timeoutTimer = setTimeout(onTimeoutTimer, this.settings.timeoutMs, this);
      this.timeoutTimer.unref();
    }
  }

  private onAck(): void {
    if (this.timeoutTimer !== undefined) clearTimeout(this.timeoutTimer);
    this.timeoutTimer = undefined;
    this.schedule();
  }

  private schedule(): void {
    const interval = this.settings.intervalMs;
    if (this.stopped || interval <= 0 || this.intervalTimer !== undefined) return;
    const jitter = Math.floor((this.settings.intervalJitterPercent * interval) / 100);
    const ms = interval + (jitter > 0 ? Math.floor(this.random() * jitter) : 0);
    this.intervalTimer = setTimeout(onIntervalTimer, ms, this);
    this.intervalTimer.unref();
  }

  stop(): void {
    this.stopped = true;
    if (this.intervalTimer !== undefined) clearTimeout(this.intervalTimer);
    if (this.timeoutTimer !== undefined) clearTimeout(this.timeoutTimer);
    this.intervalTimer = this.timeoutTimer = undefined;
  }
}
