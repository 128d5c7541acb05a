/**
 * The one progress display of fewprompt's training loops (fine-tuning, pretraining, the Taskflow recipes): a line on
 * stderr with step/total, a bar, the fields the caller passes (loss, lr, tok/s, …), elapsed time and an ETA. Redraws
 * in place on a terminal (at most every 100 ms); elsewhere (CI, log files) prints a line every `everyMs`, so logs of
 * unattended runs stay readable.
 */
export interface ProgressOptions {
  /** Off: `update` and `done` draw nothing. Default on. */
  enabled?: boolean;
  /** Away from a terminal, at most one line per this many ms (the last step always prints). Default 10 s. */
  everyMs?: number;
  /** Steps already done when this invocation started (a resumed run): the ETA counts only the steps timed here. */
  startAt?: number;
  /** Where to draw. Default `process.stderr`. */
  stream?: NodeJS.WriteStream;
  /** Clock in ms (tests). */
  now?: () => number;
}

/**
 * @example
 * const bar = new ProgressBar('pretrain', 50_000, { startAt: 1_313 });
 * bar.update(1_314, { loss: 5.41, 'tok/s': 4511 });
 * // → pretrain ░░░… 1314/50000  loss 5.41  tok/s 4511  elapsed 1s  ETA …
 * bar.done();
 */
export class ProgressBar {
  private readonly start: number;
  private lastPrint = Number.NEGATIVE_INFINITY;
  private drawn = false;
  private readonly stream: NodeJS.WriteStream;
  private readonly now: () => number;

  constructor(
    private readonly label: string,
    private readonly total: number,
    private readonly options: ProgressOptions = {},
  ) {
    this.stream = options.stream ?? process.stderr;
    this.now = options.now ?? Date.now;
    this.start = this.now();
  }

  update(done: number, fields: Record<string, string | number> = {}): void {
    if (this.options.enabled === false) return;
    const now = this.now();
    const last = done >= this.total;
    const tty = this.stream.isTTY === true;
    if (!tty && !last && now - this.lastPrint < (this.options.everyMs ?? 10_000)) return;
    if (tty && !last && now - this.lastPrint < 100) return;
    this.lastPrint = now;
    const line = progressLine(this.label, done, this.total, fields, (now - this.start) / 1000, this.options.startAt);
    if (tty) {
      this.stream.write(`\r\x1b[K${line}${last ? '\n' : ''}`);
      this.drawn = !last;
    } else this.stream.write(`${line}\n`);
  }

  /** Ends an in-place line early (a stopped run), so that later output starts on a fresh one. */
  done(): void {
    if (this.drawn) this.stream.write('\n');
    this.drawn = false;
  }
}

/**
 * The bar's text: `elapsed` seconds were spent on the steps after `startAt`, which sets the pace of the ETA.
 * @example
 * progressLine('train', 30, 60, { loss: 0.5 }, 30, 0);
 * // → 'train ████████████░░░░░░░░░░░░ 30/60  loss 0.5  elapsed 30s  ETA 30s'
 */
export function progressLine(
  label: string,
  done: number,
  total: number,
  fields: Record<string, string | number>,
  elapsed: number,
  startAt = 0,
): string {
  const fraction = Math.min(1, done / Math.max(1, total));
  const width = 24;
  const bar = '█'.repeat(Math.round(fraction * width)).padEnd(width, '░');
  const timed = done - startAt;
  const eta = timed > 0 ? (elapsed / timed) * (total - done) : Number.NaN;
  const extra = Object.entries(fields)
    .map(([k, v]) => `${k} ${typeof v === 'number' ? formatNumber(v) : v}`)
    .join('  ');
  return `${label} ${bar} ${done}/${total}  ${extra}  elapsed ${formatDuration(elapsed)}  ETA ${formatDuration(eta)}`;
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
