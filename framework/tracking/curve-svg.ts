/**
 * A training curve as a self-contained SVG string (no scripts, no assets): the run report's page and the model
 * cards draw it.
 */

/** One point of a curve: a training loss, a dev value, or both, at a step. */
export interface CurvePoint {
  readonly step: number;
  readonly loss?: number;
  readonly dev?: number;
}

/**
 * Loss (left axis) and a dev metric (right axis, `devRange`: accuracy 0–1 by default, or e.g. a held-out loss)
 * against the step, as an SVG string.
 * @example trainingCurveSvg([{ step: 1, loss: 2.3 }, { step: 10, loss: 1.1, dev: 0.8 }]); // → '<svg …</svg>'
 */
export function trainingCurveSvg(
  history: readonly CurvePoint[],
  width = 640,
  height = 280,
  labels: { loss: string; dev: string } = { loss: 'training loss', dev: 'dev accuracy' },
  devRange: readonly [number, number] = [0, 1],
): string {
  const pad = { l: 48, r: 48, t: 16, b: 32 };
  const losses = history.filter((h) => h.loss !== undefined && Number.isFinite(h.loss));
  const devs = history.filter((h) => h.dev !== undefined);
  const maxStep = Math.max(1, ...history.map((h) => h.step));
  const maxLoss = Math.max(1e-6, ...losses.map((h) => h.loss!));
  const x = (s: number) => pad.l + ((width - pad.l - pad.r) * s) / maxStep;
  const yLoss = (v: number) => height - pad.b - ((height - pad.t - pad.b) * v) / maxLoss;
  const [lo, hi] = devRange;
  const yAcc = (v: number) => height - pad.b - ((height - pad.t - pad.b) * (v - lo)) / (hi - lo);
  const path = (pts: [number, number][]) =>
    pts.map(([a, b], i) => `${i ? 'L' : 'M'}${a.toFixed(1)},${b.toFixed(1)}`).join('');
  const lossPath = path(losses.map((h) => [x(h.step), yLoss(h.loss!)]));
  const devPath = path(devs.map((h) => [x(h.step), yAcc(h.dev!)]));
  const ticks = [0, 0.25, 0.5, 0.75, 1];
  const devAt = (t: number) => lo + t * (hi - lo);
  const tickMarks = ticks
    .map(
      (t) =>
        `<text x="${pad.l - 4}" y="${yLoss(t * maxLoss) + 4}" text-anchor="end" fill="#1f77b4">` +
        `${(t * maxLoss).toFixed(2)}</text>` +
        `<text x="${width - pad.r + 4}" y="${yAcc(devAt(t)) + 4}" fill="#d62728">${devAt(t).toFixed(2)}</text>` +
        `<line x1="${pad.l}" x2="${width - pad.r}" y1="${yAcc(devAt(t))}" y2="${yAcc(devAt(t))}" stroke="#eee"/>`,
    )
    .join('\n');
  const dots = devs
    .map((h) => `<circle cx="${x(h.step).toFixed(1)}" cy="${yAcc(h.dev!).toFixed(1)}" r="3" fill="#d62728"/>`)
    .join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" \
font-family="sans-serif" font-size="11">
<rect width="${width}" height="${height}" fill="white"/>
<line x1="${pad.l}" y1="${height - pad.b}" x2="${width - pad.r}" y2="${height - pad.b}" stroke="#888"/>
${tickMarks}
<text x="${width / 2}" y="${height - 6}" text-anchor="middle">step (max ${maxStep})</text>
<path d="${lossPath}" fill="none" stroke="#1f77b4" stroke-width="1.5"/>
<path d="${devPath}" fill="none" stroke="#d62728" stroke-width="2"/>
${dots}
<text x="${pad.l + 6}" y="${height - pad.b - 8}" fill="#1f77b4">${labels.loss}</text>\
<text x="${pad.l + 120}" y="${height - pad.b - 8}" fill="#d62728">${labels.dev}</text>
</svg>`;
}
