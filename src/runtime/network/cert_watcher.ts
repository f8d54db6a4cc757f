/**
 * Certificate rotation (Envoy's file-based SDS and `watched_directory`): watches the directories
 * of a TLS context's files and re-reads its material when something in them changes. New
 * connections get the new certificate; established connections keep the one they handshook with.
 * A reload that fails (a half-written key, a key that does not fit the certificate) keeps the
 * current material and is reported; the next change tries again.
 *
 * Directories, not files, are watched: rotations replace files by renaming (Kubernetes secret
 * volumes swap a `..data` symlink), which a watch on the old file would miss. Changes are
 * debounced (a rotation touches several files) by {@link RELOAD_DEBOUNCE_MS}.
 *
 * Counted as Envoy counts SDS updates: `<scope>ssl_context_update_by_sds`.
 */
import { watch, type FSWatcher } from 'node:fs';
import { dirname } from 'node:path';
import type { Counter } from '../stats/store.js';
import type { CompiledTls, TlsMaterial, TlsProblem } from './tls_context.js';

export const RELOAD_DEBOUNCE_MS = 50;

/** A TLS context whose material can be re-read (DownstreamTlsTransport, UpstreamTlsContextRuntime). */
export interface ReloadableTls {
  readonly compiled: CompiledTls;
  readonly material: TlsMaterial;
  reload(): readonly TlsProblem[] | undefined;
}

/** Watches the files of some TLS contexts; `close()` stops every watch. */
export class CertWatcher {
  private readonly watchers: FSWatcher[] = [];
  private readonly timers = new Map<ReloadableTls, NodeJS.Timeout>();
  private closed = false;

  constructor(
    private readonly updated: Counter,
    /** Called with the problems of a reload that failed (the old material stays). */
    private readonly onError: (problems: readonly TlsProblem[]) => void = () => undefined,
  ) {}

  /** Starts watching `tls` when its config makes it reloadable. */
  add(tls: ReloadableTls): void {
    if (!tls.compiled.reloadable || this.closed) return;
    const dirs = new Set<string>(tls.compiled.watchedDirectories);
    for (const f of tls.material.files) dirs.add(dirname(f));
    for (const dir of dirs) {
      try {
        const w = watch(dir, { persistent: false }, () => this.schedule(tls));
        w.on('error', () => undefined);
        this.watchers.push(w);
      } catch {
        // A directory that cannot be watched (removed): the context keeps its material.
      }
    }
  }

  private schedule(tls: ReloadableTls): void {
    if (this.closed) return;
    const pending = this.timers.get(tls);
    if (pending !== undefined) clearTimeout(pending);
    const t = setTimeout(() => {
      this.timers.delete(tls);
      const problems = tls.reload();
      if (problems === undefined) this.updated.inc();
      else this.onError(problems);
    }, RELOAD_DEBOUNCE_MS);
    t.unref();
    this.timers.set(tls, t);
  }

  close(): void {
    this.closed = true;
    for (const w of this.watchers) w.close();
    this.watchers.length = 0;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }
}
