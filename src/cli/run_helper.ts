/**
 * The signals and exit paths of a `tsproxy serve` process (Envoy's RunHelper, server.cc):
 *
 * | event | what happens |
 * |---|---|
 * | SIGTERM, SIGINT | drain for up to `--drain-time-s`, close, flush the access logs, exit 0 |
 * | SIGUSR1 | reopen the access log files (logrotate); never Node's inspector |
 * | SIGHUP | logged and ignored (`caught and eating SIGHUP`); no config reload yet |
 * | uncaught exception, unhandled rejection | access logs flushed synchronously, logged, exit 70 |
 * | `process.exit()` from anywhere | access logs flushed synchronously in the `exit` event |
 *
 * Installed by `runServe` before the config is loaded, removed when it returns.
 */
import type { LogLevel, RunningServer, ServerLogger } from '../runtime/server.js';
import { closeUnrequestedInspector, inspectAllowed, sigusr1Disabled } from './inspector_guard.js';

/** Exit code after a fatal error (EX_SOFTWARE, as bin/tsproxy.js on an internal error). */
export const EXIT_FATAL = 70;

/** Signal and exit-path handlers of one serve run. */
export class RunHelper {
  private server: RunningServer | undefined;
  private stopping = false;
  private onStopped: ((code: number) => void) | undefined;
  private drainMs = 0;

  constructor(private readonly logger: ServerLogger) {
    process.on('SIGTERM', this.onTerminate);
    process.on('SIGINT', this.onTerminate);
    process.on('SIGUSR1', this.onReopen);
    process.on('SIGHUP', this.onHangup);
    process.on('uncaughtException', this.onUncaughtException);
    process.on('unhandledRejection', this.onUnhandledRejection);
    process.on('exit', this.onExit);
    if (sigusr1Disabled(process.execArgv, process.env['NODE_OPTIONS'])) {
      logger.log('warn', 'node runs with --disable-sigusr1, which blocks SIGUSR1: `kill -USR1` cannot reopen the access logs');
    }
  }

  /**
   * Serves `server` until SIGTERM/SIGINT has drained it or the admin API stopped it; resolves with
   * the exit code. A signal that arrived before is honoured at once.
   */
  run(server: RunningServer, drainMs: number): Promise<number> {
    this.server = server;
    this.drainMs = drainMs;
    // A SIGUSR1 during node's own start-up, before bin/tsproxy.js's listener, may have opened it.
    if (!inspectAllowed(process.env)) closeUnrequestedInspector((m) => this.logger.log('warn', m.trimEnd()));
    return new Promise<number>((resolve) => {
      this.onStopped = resolve;
      // Stopped from the admin API (/quitquitquit) rather than by a signal.
      void server.stopped.then(() => {
        if (this.stopping) return;
        this.stopping = true;
        this.log('info', 'stopped by /quitquitquit');
        resolve(0);
      });
    });
  }

  /** Removes every handler (the SIGUSR1 listener of bin/tsproxy.js stays). */
  uninstall(): void {
    process.off('SIGTERM', this.onTerminate);
    process.off('SIGINT', this.onTerminate);
    process.off('SIGUSR1', this.onReopen);
    process.off('SIGHUP', this.onHangup);
    process.off('uncaughtException', this.onUncaughtException);
    process.off('unhandledRejection', this.onUnhandledRejection);
    process.off('exit', this.onExit);
  }

  private readonly onTerminate = (sig: NodeJS.Signals): void => {
    const server = this.server;
    if (server === undefined) {
      // Still loading the config or resolving clusters: nothing is served, nothing is logged yet.
      this.log('warn', `caught ${sig} before serving; exiting`);
      process.exit(0);
    }
    if (this.stopping) return;
    this.stopping = true;
    this.log('info', `${sig}: draining for up to ${this.drainMs / 1000}s`);
    server.stop(this.drainMs).then(
      () => {
        this.log('info', 'stopped');
        this.onStopped?.(0);
      },
      (err: Error) => {
        this.log('error', `stop failed: ${err.message}`);
        server.flushAccessLogsSync();
        this.onStopped?.(1);
      },
    );
  };

  private readonly onReopen = (): void => {
    this.log('info', 'caught SIGUSR1. Reopening access logs.');
    // Failures are counted (filesystem.reopen_failed) and logged by the sinks themselves.
    void this.server?.reopenAccessLogs();
  };

  private readonly onHangup = (): void => {
    this.log('warn', 'caught and eating SIGHUP (serve does not reload its configuration; restart it to apply a new one)');
  };

  private readonly onUncaughtException = (err: Error): void => {
    this.fatal('uncaught exception', err);
  };

  private readonly onUnhandledRejection = (reason: unknown): void => {
    this.fatal('unhandled promise rejection', reason);
  };

  /** process.exit() from anywhere: the `exit` event allows synchronous work only. */
  private readonly onExit = (): void => {
    this.flushSync();
  };

  private fatal(what: string, err: unknown): void {
    this.flushSync();
    const detail = err instanceof Error ? (err.stack ?? err.message) : String(err);
    this.log('critical', `${what}: ${detail}`);
    this.log('critical', `exiting with code ${EXIT_FATAL} (access logs flushed)`);
    process.exit(EXIT_FATAL);
  }

  private flushSync(): void {
    try {
      this.server?.flushAccessLogsSync();
    } catch {
      // Never throws by contract; an exit path must not be stopped by it anyway.
    }
  }

  private log(level: LogLevel, message: string): void {
    try {
      this.logger.log(level, message);
    } catch {
      // stderr gone: nothing else to tell.
    }
  }
}
