/**
 * A one-page HTML report of a training run, for looking rather than reading: the training curve (loss per
 * step, dev accuracy at each evaluation) as inline SVG, and the test confusion matrix as a shaded table.
 * No scripts, no external assets: it opens from disk and as an MLflow artifact.
 */
import { trainingCurveSvg } from '../../framework/tracking/curve-svg.js';

export { trainingCurveSvg } from '../../framework/tracking/curve-svg.js';

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
