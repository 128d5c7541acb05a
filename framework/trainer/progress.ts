/**
 * A one-line progress display on stderr: step/total, a bar, the fields the caller passes (loss, lr, …)
 * and an ETA. Redraws in place on a terminal; elsewhere (CI, log files) prints a line every `everyMs`.
 */
export class ProgressBar {
  private readonly start = Date.now();
  private lastPrint = 0;
  private readonly tty = process.stderr.isTTY === true;

  constructor(
    private readonly label: string,
    private readonly total: number,
    private readonly options: { everyMs?: number; enabled?: boolean } = {},
  ) {}

  update(done: number, fields: Record<string, string | number> = {}): void {
    if (this.options.enabled === false) return;
    const now = Date.now();
    const last = done >= this.total;
    if (!this.tty && !last && now - this.lastPrint < (this.options.everyMs ?? 10_000)) return;
    if (this.tty && !last && now - this.lastPrint < 100) return;
    this.lastPrint = now;
    const fraction = Math.min(1, done / Math.max(1, this.total));
    const width = 24;
    const bar = '█'.repeat(Math.round(fraction * width)).padEnd(width, '░');
    const elapsed = (now - this.start) / 1000;
    const eta = done > 0 ? (elapsed / done) * (this.total - done) : NaN;
    const extra = Object.entries(fields)
      .map(([k, v]) => `${k} ${typeof v === 'number' ? formatNumber(v) : v}`)
      .join('  ');
    const line =
      `${this.label} ${bar} ${done}/${this.total}  ${extra}  ` +
      `elapsed ${formatDuration(elapsed)}  ETA ${formatDuration(eta)}`;
    process.stderr.write(this.tty ? `\r\x1b[K${line}${last ? '\n' : ''}` : `${line}\n`);
  }
}

function formatNumber(v: number): string {
  if (v !== 0 && (Math.abs(v) < 1e-3 || Math.abs(v) >= 1e5)) return v.toExponential(2);
  return v.toFixed(4).replace(/\.?0+$/, '') || '0';
}

/** 75 → "1m15s". */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}
