/**
 * A one-page HTML report of a training run, for looking rather than reading: the training curve (loss per
 * step, dev accuracy at each evaluation) as inline SVG, and the test confusion matrix as a shaded table.
 * No scripts, no external assets: it opens from disk and as an MLflow artifact.
 */
export interface RunReportInput {
  title: string;
  history: { step: number; loss?: number; dev?: number }[];
  labels: readonly string[];
  /** Gold and predicted label indices of the test examples (gold −1 = unlabelled, skipped). */
  gold: readonly number[];
  predicted: readonly number[];
  metrics: Record<string, number | string>;
}

const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

/** Loss (left axis) and dev accuracy (right axis, 0–1) against the step, as an SVG string. */
export function trainingCurveSvg(
  history: RunReportInput['history'],
  width = 640,
  height = 280,
  labels: { loss: string; dev: string } = { loss: 'training loss', dev: 'dev accuracy' },
): string {
  const pad = { l: 48, r: 48, t: 16, b: 32 };
  const losses = history.filter((h) => h.loss !== undefined && Number.isFinite(h.loss));
  const devs = history.filter((h) => h.dev !== undefined);
  const maxStep = Math.max(1, ...history.map((h) => h.step));
  const maxLoss = Math.max(1e-6, ...losses.map((h) => h.loss!));
  const x = (s: number) => pad.l + ((width - pad.l - pad.r) * s) / maxStep;
  const yLoss = (v: number) => height - pad.b - ((height - pad.t - pad.b) * v) / maxLoss;
  const yAcc = (v: number) => height - pad.b - (height - pad.t - pad.b) * v;
  const path = (pts: [number, number][]) =>
    pts.map(([a, b], i) => `${i ? 'L' : 'M'}${a.toFixed(1)},${b.toFixed(1)}`).join('');
  const lossPath = path(losses.map((h) => [x(h.step), yLoss(h.loss!)]));
  const devPath = path(devs.map((h) => [x(h.step), yAcc(h.dev!)]));
  const ticks = [0, 0.25, 0.5, 0.75, 1];
  const tickMarks = ticks
    .map(
      (t) =>
        `<text x="${pad.l - 4}" y="${yLoss(t * maxLoss) + 4}" text-anchor="end" fill="#1f77b4">` +
        `${(t * maxLoss).toFixed(2)}</text>` +
        `<text x="${width - pad.r + 4}" y="${yAcc(t) + 4}" fill="#d62728">${t.toFixed(2)}</text>` +
        `<line x1="${pad.l}" x2="${width - pad.r}" y1="${yAcc(t)}" y2="${yAcc(t)}" stroke="#eee"/>`,
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

/** Counts[gold][predicted] over labelled examples. */
export function confusionMatrix(numLabels: number, gold: readonly number[], predicted: readonly number[]): number[][] {
  const m = Array.from({ length: numLabels }, () => new Array<number>(numLabels).fill(0));
  gold.forEach((g, i) => {
    if (g >= 0 && g < numLabels) m[g]![predicted[i]!]!++;
  });
  return m;
}

/** The whole page. */
export function renderRunReport(input: RunReportInput): string {
  const m = confusionMatrix(input.labels.length, input.gold, input.predicted);
  const max = Math.max(1, ...m.flat());
  const cell = (v: number, diag: boolean) =>
    `<td style="background:rgba(${diag ? '44,160,44' : '214,39,40'},${(v / max).toFixed(2)})">${v}</td>`;
  const rows = m
    .map((row, g) => `<tr><th>${esc(input.labels[g]!)}</th>${row.map((v, p) => cell(v, g === p)).join('')}</tr>`)
    .join('\n');
  const metrics = Object.entries(input.metrics)
    .map(
      ([k, v]) =>
        `<tr><th>${esc(k)}</th>` +
        `<td>${esc(typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toFixed(4)) : v)}</td></tr>`,
    )
    .join('');
  return `<!doctype html><html><head><meta charset="utf-8"><title>${esc(input.title)}</title>
<style>body{font-family:sans-serif;margin:24px}table{border-collapse:collapse}\
td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}</style></head>
<body><h1>${esc(input.title)}</h1><table>${metrics}</table>
<h2>Training curve</h2>${trainingCurveSvg(input.history)}
<h2>Confusion matrix (test; rows = gold, columns = predicted)</h2>
<table><tr><th></th>${input.labels.map((l) => `<th>${esc(l)}</th>`).join('')}</tr>${rows}</table></body></html>\n`;
}
