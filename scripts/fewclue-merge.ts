/**
 * Merges the results of several `fewprompt fewclue` output directories (e.g. one per split, run one after
 * another so every task gets its first splits early) into one report, plus a paired PET-vs-fine-tuning table:
 * per task, the splits where both ran, the mean difference and how many splits each method won.
 *   npx tsx scripts/fewclue-merge.ts --out bench/results/fewclue-5splits DIR [DIR…]
 *   npx tsx scripts/fewclue-merge.ts --prior bench/results/fewclue.json --out bench/results/fewclue DIR…
 * `--prior FILE` takes the per-split accuracies of an earlier merge's JSON (for splits whose run directories
 * are gone); a split present in a DIR replaces the prior one. `--splits 0,1` keeps only those splits (e.g. a
 * one-split table of every task and method). Writes OUT.md, OUT.json and OUT-chart.svg.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { renderChartSvg } from '../experiments/suite/chart.js';
import { buildReport, renderMarkdown } from '../experiments/suite/report.js';
import { ResultStore, type JobRecord } from '../experiments/suite/store.js';
import type { SuiteReport } from '../experiments/suite/report.js';
import type { SuiteJob } from '../experiments/suite/jobs.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    out: { type: 'string' },
    prior: { type: 'string' },
    splits: { type: 'string' },
    a: { type: 'string', default: 'pet' },
    b: { type: 'string', default: 'finetune' },
  },
});
if (!values.out || (positionals.length === 0 && !values.prior))
  throw new Error('usage: fewclue-merge.ts [--prior FILE.json] --out PREFIX DIR [DIR…]');
const fresh = positionals
  .flatMap((d) => new ResultStore(d).recordFiles())
  .map((f) => JSON.parse(readFileSync(f, 'utf8')) as JobRecord);
/** An earlier merge's cells as records (accuracy and test size only: all the report reads). */
function priorRecords(file: string): JobRecord[] {
  const prior = (JSON.parse(readFileSync(file, 'utf8')) as { report: SuiteReport }).report;
  return prior.cells.flatMap((c) =>
    Object.entries(c.splits).map(([split, accuracy]): JobRecord => {
      const job = {
        id: `${c.task}/${c.variant}/${split}`,
        variant: c.variant,
        config: {
          task: c.task,
          split,
          model: prior.model,
          ...(prior.maxSteps === undefined ? {} : { maxSteps: prior.maxSteps }),
        },
      } as unknown as SuiteJob;
      return {
        job,
        result: { testAccuracy: accuracy / 100, testExamples: prior.testExamples } as JobRecord['result'],
        worker: `prior:${file}`,
        attempts: 1,
        finishedAt: '',
      };
    }),
  );
}
const freshIds = new Set(fresh.map((r) => r.job.id));
const keepSplits = values.splits === undefined ? undefined : new Set(values.splits.split(',').map((x) => x.trim()));
const records = [...(values.prior ? priorRecords(values.prior).filter((r) => !freshIds.has(r.job.id)) : []), ...fresh]
  .filter((r) => keepSplits === undefined || keepSplits.has(r.job.config.split))
  .sort((x, y) => x.job.config.split.localeCompare(y.job.config.split));
const report = buildReport(
  records.map((r) => r.job),
  records,
);
const [a, b] = [values.a!, values.b!];
const paired = report.tasks.map((task) => {
  const ca = report.cells.find((c) => c.task === task && c.variant === a);
  const cb = report.cells.find((c) => c.task === task && c.variant === b);
  const splits = Object.keys(ca?.splits ?? {})
    .filter((s) => cb?.splits[s] !== undefined)
    .sort();
  const diffs = splits.map((s) => ca!.splits[s]! - cb!.splits[s]!);
  return {
    task,
    splits,
    diffs,
    mean: diffs.length ? diffs.reduce((x, y) => x + y, 0) / diffs.length : NaN,
    aWins: diffs.filter((d) => d > 0).length,
    bWins: diffs.filter((d) => d < 0).length,
  };
});
const md = [
  renderMarkdown(report),
  '',
  `## ${a} vs ${b}, paired by split`,
  '',
  `| task | splits | ${a} − ${b} per split (points) | mean | ${a} wins | ${b} wins |`,
  '|---|---|---|---:|---:|---:|',
  ...paired.map(
    (p) =>
      `| ${p.task} | ${p.splits.join(', ')} | ${p.diffs.map((d) => (d >= 0 ? '+' : '') + d.toFixed(2)).join(', ')} ` +
      `| ${(p.mean >= 0 ? '+' : '') + p.mean.toFixed(2)} | ${p.aWins} | ${p.bWins} |`,
  ),
  '',
].join('\n');
writeFileSync(`${values.out}.md`, md.replace('](chart.svg)', `](${values.out.split('/').pop()}-chart.svg)`));
writeFileSync(`${values.out}.json`, `${JSON.stringify({ report, paired }, null, 2)}\n`);
writeFileSync(`${values.out}-chart.svg`, renderChartSvg(report));
console.log(md);
