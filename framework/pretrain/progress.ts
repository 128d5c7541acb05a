/**
 * A one-line progress bar on stderr (redrawn in place on a terminal, a plain line per update otherwise,
 * so logs of unattended runs stay readable).
 */

/** Figures shown on the bar. */
export interface ProgressFigures {
  step: number;
  total: number;
  tokensPerSecond: number;
  loss: number | undefined;
  accuracy: number | undefined;
  epoch: number;
  /** Seconds per step over the recent window (for the ETA). */
  secondsPerStep: number;
}

/**
 * Formats seconds as h:mm:ss.
 * @example formatDuration(3725) // → '1:02:05'
 */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  const minutes = String(Math.floor((s % 3600) / 60)).padStart(2, '0');
  return `${Math.floor(s / 3600)}:${minutes}:${String(s % 60).padStart(2, '0')}`;
}

/**
 * The bar's text.
 * @example
 * progressLine({
 *   step: 50,
 *   total: 100,
 *   tokensPerSecond: 812,
 *   loss: 6.2,
 *   accuracy: 0.15,
 *   epoch: 0.4,
 *   secondsPerStep: 4,
 * })
 * // → '[##########..........]  50/100 ep 0.40 | 812 tok/s | loss 6.200 | acc 0.150 | ETA 0:03:20'
 */
export function progressLine(f: ProgressFigures, width = 20): string {
  const filled = Math.min(width, Math.round((f.step / Math.max(1, f.total)) * width));
  const bar = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
  const digits = String(f.total).length;
  return (
    `${bar} ${String(f.step).padStart(digits)}/${f.total} ep ${f.epoch.toFixed(2)} | ` +
    `${Math.round(f.tokensPerSecond)} tok/s | ` +
    `loss ${f.loss === undefined ? '-' : f.loss.toFixed(3)} | ` +
    `acc ${f.accuracy === undefined ? '-' : f.accuracy.toFixed(3)} | ` +
    `ETA ${formatDuration((f.total - f.step) * f.secondsPerStep)}`
  );
}

/**
 * Draws {@link progressLine} on a stream.
 * @example const bar = new ProgressBar(); bar.update(figures); bar.done();
 */
export class ProgressBar {
  private drawn = false;

  constructor(
    private readonly stream: NodeJS.WriteStream | undefined = process.stderr,
    private readonly enabled = true,
  ) {}

  update(figures: ProgressFigures): void {
    if (!this.enabled || !this.stream) return;
    const line = progressLine(figures);
    if (this.stream.isTTY) {
      this.stream.write(`\r${line}\x1b[K`);
      this.drawn = true;
    } else this.stream.write(`${line}\n`);
  }

  /** Ends the in-place line so later output starts on a fresh one. */
  done(): void {
    if (this.drawn && this.stream) this.stream.write('\n');
    this.drawn = false;
  }
}
