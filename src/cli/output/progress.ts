/**
 * A one-line progress bar on stderr, for long offline runs (`replay`). Drawn only when stderr is
 * a terminal, at most every 200 ms, and erased when done, so piped or redirected output never
 * sees it.
 */

export class ProgressBar {
  private last = 0;
  private readonly started = Date.now();
  private drawn = false;

  constructor(
    private readonly stream: NodeJS.WriteStream,
    /** Total bytes of all inputs, undefined when unknown (stdin). */
    private readonly totalBytes: number | undefined,
  ) {}

  /** True when drawing would show anything (a TTY). */
  get active(): boolean {
    return this.stream.isTTY === true;
  }

  /** `doneBytes` over all inputs so far; `lines` read; `label` the current file. */
  update(doneBytes: number, lines: number, label: string): void {
    if (!this.active) return;
    const now = Date.now();
    if (now - this.last < 200) return;
    this.last = now;
    const secs = Math.max(0.001, (now - this.started) / 1000);
    const rate = `${formatCount(lines / secs)} lines/s`;
    const width = 24;
    let bar = '';
    if (this.totalBytes !== undefined && this.totalBytes > 0) {
      const f = Math.min(1, doneBytes / this.totalBytes);
      const full = Math.round(f * width);
      bar = `[${'#'.repeat(full)}${'.'.repeat(width - full)}] ${(f * 100).toFixed(0).padStart(3)}% `;
    }
    const cols = this.stream.columns ?? 80;
    const text = `${bar}${formatCount(lines)} lines, ${rate}  ${label}`;
    this.stream.write(`\r\x1b[K${text.length > cols - 1 ? text.slice(0, cols - 1) : text}`);
    this.drawn = true;
  }

  /** Erases the bar. */
  done(): void {
    if (this.drawn) this.stream.write('\r\x1b[K');
    this.drawn = false;
  }
}

/** 1234567 -> `1.2M`, 12345 -> `12.3k`. */
export function formatCount(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)}M`;
  if (n >= 1e4) return `${(n / 1e3).toFixed(1)}k`;
  return String(Math.round(n));
}
