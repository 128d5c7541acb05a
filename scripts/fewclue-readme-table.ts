/**
 * Prints the README's nine-task table from the merged reports: split 0 (bench/results/fewclue-split0.json) beside
 * every split run so far (bench/results/fewclue.json), cells with fewer than five splits marked "(n/5)".
 *   npx tsx scripts/fewclue-readme-table.ts
 */
import { readFileSync } from 'node:fs';
import { formatCell, type SuiteReport } from '../experiments/suite/report.js';

const read = (name: string) =>
  (
    JSON.parse(readFileSync(new URL(`../bench/results/${name}.json`, import.meta.url), 'utf8')) as {
      report: SuiteReport;
    }
  ).report;
const [split0, grid] = [read('fewclue-split0'), read('fewclue')];
const tasks = ['eprstmt', 'bustm', 'csl', 'tnews', 'ocnli', 'cluewsc', 'csldcp', 'iflytek', 'chid'];
const columns = [
  ['pet', 'PET'],
  ['ptuning', 'P-Tuning'],
  ['efl', 'EFL'],
  ['finetune', 'fine-tuning'],
] as const;
const cell = (r: SuiteReport, task: string, variant: string, splits: number) => {
  const c = r.cells.find((x) => x.task === task && x.variant === variant);
  return c && c.n > 0 ? formatCell(c, splits) : '—';
};
const overall = (r: SuiteReport, variant: string) => {
  const o = r.overall.find((x) => x.variant === variant);
  return o ? `**${o.mean.toFixed(2)}**${o.complete ? '' : ` (${o.tasks}/${tasks.length})`}` : '—';
};
console.log(
  [
    `| task | split 0: ${columns.map((c) => c[1]).join(' | ')} | splits 0–4: ${columns.map((c) => c[1]).join(' | ')} |`,
    `|---|${'---:|'.repeat(2 * columns.length)}`,
    ...tasks.map(
      (t) =>
        `| ${t} | ${columns.map(([v]) => cell(split0, t, v, 1)).join(' | ')} ` +
        `| ${columns.map(([v]) => cell(grid, t, v, 5)).join(' | ')} |`,
    ),
    `| **overall** | ${columns.map(([v]) => overall(split0, v)).join(' | ')} ` +
      `| ${columns.map(([v]) => overall(grid, v)).join(' | ')} |`,
  ].join('\n'),
);
