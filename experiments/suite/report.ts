import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_MODEL_NAME } from '../../framework/model/default.js';
import { renderChartSvg, renderHtml } from './chart.js';
import type { SuiteJob } from './jobs.js';
import type { FailedJob } from './local-pool.js';
import { PUBLISHED_SCORES, type PublishedScore } from './references.js';
import type { JobRecord } from './store.js';

/** Accuracy of one task × variant over its splits (percent). */
export interface Cell {
  task: string;
  variant: string;
  /** test_public accuracy per split, percent. */
  splits: Record<string, number>;
  n: number;
  mean: number;
  /** Sample standard deviation over splits (n − 1); 0 for a single split. */
  std: number;
}

/** FewCLUE-style score of one variant: the mean over tasks of the per-task means. */
export interface Overall {
  variant: string;
  mean: number;
  /** How many tasks went into the mean, and whether that is every task of the suite. */
  tasks: number;
  complete: boolean;
}

/** Everything the report files show; `report.json` is this object. */
export interface SuiteReport {
  tasks: string[];
  variants: string[];
  splits: string[];
  model: string;
  cells: Cell[];
  overall: Overall[];
  references: (PublishedScore & { ours: number })[];
  /** Jobs of the suite without a result (not run yet, or failed). */
  missing: string[];
  failed: FailedJob[];
  testExamples: number;
  maxSteps?: number;
}

/**
 * Mean and sample standard deviation (n − 1; 0 when n < 2).
 * @example meanStd([80, 90]); // → { mean: 85, std: 7.0710678… }
 */
export function meanStd(xs: readonly number[]): { mean: number; std: number } {
  if (xs.length === 0) return { mean: NaN, std: NaN };
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  if (xs.length < 2) return { mean, std: 0 };
  const variance = xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (xs.length - 1);
  return { mean, std: Math.sqrt(variance) };
}

const uniq = (xs: string[]) => [...new Set(xs)];

/**
 * Aggregates stored results for the suite's `jobs` (results of other jobs are ignored).
 * @example
 * const report = buildReport(jobs, records);
 * report.cells[0]; // → { task: 'eprstmt', variant: 'pet', splits: { 0: 81.25, 1: 78.75 }, n: 2, mean: 80, std: 1.77 }
 */
export function buildReport(
  jobs: readonly SuiteJob[],
  records: readonly JobRecord[],
  failed: readonly FailedJob[] = [],
): SuiteReport {
  const byId = new Map(records.map((r) => [r.job.id, r]));
  const tasks = uniq(jobs.map((j) => j.config.task));
  const variants = uniq(jobs.map((j) => j.variant));
  const cells: Cell[] = [];
  for (const task of tasks) {
    for (const variant of variants) {
      const splits: Record<string, number> = {};
      for (const job of jobs) {
        const r = byId.get(job.id);
        if (r && job.config.task === task && job.variant === variant)
          splits[job.config.split] = 100 * r.result.testAccuracy;
      }
      const values = Object.values(splits);
      if (values.length > 0) cells.push({ task, variant, splits, n: values.length, ...meanStd(values) });
    }
  }
  const overall = variants.flatMap((variant): Overall[] => {
    const means = cells.filter((c) => c.variant === variant).map((c) => c.mean);
    return means.length === 0
      ? []
      : [{ variant, mean: meanStd(means).mean, tasks: means.length, complete: means.length === tasks.length }];
  });
  const allNine = tasks.length === 9;
  const references = PUBLISHED_SCORES.flatMap((p) => {
    const ours =
      p.task === 'overall'
        ? overall.find((o) => o.variant === p.variant && o.complete && allNine)?.mean
        : cells.find((c) => c.task === p.task && c.variant === p.variant)?.mean;
    return ours === undefined ? [] : [{ ...p, ours }];
  });
  const first = jobs[0]?.config;
  return {
    tasks,
    variants,
    splits: uniq(jobs.map((j) => j.config.split)),
    model: first?.model ?? `${DEFAULT_MODEL_NAME} (shipped default)`,
    cells,
    overall,
    references,
    missing: jobs.filter((j) => !byId.has(j.id)).map((j) => j.id),
    failed: [...failed],
    testExamples: Math.max(
      0,
      ...records.filter((r) => jobs.some((j) => j.id === r.job.id)).map((r) => r.result.testExamples),
    ),
    ...(first?.maxSteps === undefined ? {} : { maxSteps: first.maxSteps }),
  };
}

/**
 * `mean ± std` with two decimals, or `–` when there is nothing.
 * `splits`: how many splits the report covers; a cell with fewer says how many it has.
 * @example formatCell({ mean: 80, std: 1.7678, n: 2 }); // → '80.00 ± 1.77'
 * @example formatCell({ mean: 80, std: 1.7678, n: 2 }, 5); // → '80.00 ± 1.77 (2/5)'
 */
export function formatCell(cell: { mean: number; std: number; n: number } | undefined, splits?: number): string {
  if (!cell || Number.isNaN(cell.mean)) return '–';
  const value = cell.n > 1 ? `${cell.mean.toFixed(2)} ± ${cell.std.toFixed(2)}` : cell.mean.toFixed(2);
  return splits !== undefined && cell.n < splits ? `${value} (${cell.n}/${splits})` : value;
}

/**
 * The markdown report: task × variant table (test_public accuracy, mean ± std over splits), the overall
 * score row, published reference numbers where task and method match, and missing/failed jobs.
 * @example renderMarkdown(report).split('\n')[0]; // → '# FewCLUE suite report'
 */
export function renderMarkdown(report: SuiteReport): string {
  const lines = [
    '# FewCLUE suite report',
    '',
    `Model: \`${report.model}\` · splits: ${report.splits.join(', ')} · ` +
      'test_public accuracy (%), mean ± std over splits' +
      `${report.maxSteps === undefined ? '' : ` · max ${report.maxSteps} steps per run`}` +
      `${report.testExamples > 0 ? ` · up to ${report.testExamples} test examples per run` : ''}.`,
    '',
    `| task | ${report.variants.join(' | ')} |`,
    `|---|${report.variants.map(() => '---:|').join('')}`,
  ];
  for (const task of report.tasks) {
    lines.push(
      `| ${task} | ${report.variants
        .map((v) =>
          formatCell(
            report.cells.find((c) => c.task === task && c.variant === v),
            report.splits.length,
          ),
        )
        .join(' | ')} |`,
    );
  }
  lines.push(
    `| **overall** | ${report.variants
      .map((v) => {
        const o = report.overall.find((x) => x.variant === v);
        return o ? `**${o.mean.toFixed(2)}**${o.complete ? '' : ` (${o.tasks}/${report.tasks.length} tasks)`}` : '–';
      })
      .join(' | ')} |`,
    '',
    'Overall = mean over tasks of the per-task means (FewCLUE score).',
    '',
    '![chart](chart.svg)',
    '',
  );
  if (report.references.length > 0) {
    lines.push('## Published numbers', '', '| task | method | ours | published | source |', '|---|---|---:|---:|---|');
    for (const r of report.references)
      lines.push(`| ${r.task} | ${r.variant} | ${r.ours.toFixed(2)} | ${r.accuracy.toFixed(2)} | ${r.source} |`);
    lines.push('', 'Published numbers use ERNIE-1.0 (a 12-layer base model); compare with that in mind.', '');
  }
  if (report.failed.length > 0) {
    lines.push(
      '## Failed jobs',
      '',
      ...report.failed.map((f) => `- \`${f.id}\` after ${f.attempts} attempt(s): ${f.reason}`),
      '',
    );
  }
  const notRun = report.missing.filter((id) => !report.failed.some((f) => f.id === id));
  if (notRun.length > 0) lines.push('## Not run yet', '', ...notRun.map((id) => `- \`${id}\``), '');
  return lines.join('\n');
}

/** Paths of the written report files. */
export interface ReportFiles {
  markdown: string;
  json: string;
  html: string;
  svg: string;
}

/**
 * Writes `report.md`, `report.json`, `report.html` (inline SVG chart) and `chart.svg` into `dir`.
 * @example writeReport('runs/fewclue', report).markdown; // → 'runs/fewclue/report.md'
 */
export function writeReport(dir: string, report: SuiteReport): ReportFiles {
  mkdirSync(dir, { recursive: true });
  const files: ReportFiles = {
    markdown: join(dir, 'report.md'),
    json: join(dir, 'report.json'),
    html: join(dir, 'report.html'),
    svg: join(dir, 'chart.svg'),
  };
  writeFileSync(files.markdown, renderMarkdown(report));
  writeFileSync(files.json, `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(files.svg, renderChartSvg(report));
  writeFileSync(files.html, renderHtml(report));
  return files;
}
