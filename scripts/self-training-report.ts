/**
 * The self-training table: per task, test_public accuracy (mean ± std over splits) of each variant that ran —
 * plain, R-Drop and self-trained (`+unlabeled`) PET and fine-tuning — with the self-trained runs' teachers, and
 * paired per-split differences against plain fine-tuning. Reads suite result directories (each with `results/`).
 *   npx tsx scripts/self-training-report.ts --out bench/results/fewclue-self-training DIR [DIR…]
 * Writes OUT.md and OUT.json.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ResultStore, type JobRecord } from '../experiments/suite/store.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { out: { type: 'string' }, tasks: { type: 'string', default: 'eprstmt,tnews,bustm' } },
});
if (!values.out || positionals.length === 0) throw new Error('usage: self-training-report.ts --out PREFIX DIR [DIR…]');
const tasks = values.tasks!.split(',');
const VARIANTS = [
  'pet',
  'pet+unlabeled',
  'finetune',
  'finetune+unlabeled',
  'pet+rdrop',
  'pet+rdrop+unlabeled',
  'finetune+rdrop',
] as const;
const records = positionals
  .flatMap((d) => new ResultStore(d).recordFiles())
  .map((f) => JSON.parse(readFileSync(f, 'utf8')) as JobRecord);

/** accuracy (%) by task → variant → split; teachers of self-trained runs under `variant (teacher)`. */
const acc = new Map<string, Map<string, Map<string, number>>>();
const put = (task: string, variant: string, split: string, value: number) => {
  if (!acc.has(task)) acc.set(task, new Map());
  const byVariant = acc.get(task)!;
  if (!byVariant.has(variant)) byVariant.set(variant, new Map());
  byVariant.get(variant)!.set(split, value);
};
for (const r of records) {
  const { task, split } = r.job.config;
  if (!tasks.includes(task)) continue;
  put(task, r.job.variant, split, 100 * r.result.testAccuracy);
  const teacher = r.result.selfTraining?.teacher.testAccuracy;
  if (teacher !== undefined) put(task, `${r.job.variant} (teacher)`, split, 100 * teacher);
}

const stats = (xs: number[]) => {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const std = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, xs.length - 1));
  return { mean, std, n: xs.length };
};
const cell = (task: string, variant: string) => {
  const splits = acc.get(task)?.get(variant);
  if (!splits || splits.size === 0) return undefined;
  return { ...stats([...splits.values()]), splits: Object.fromEntries([...splits].sort()) };
};
const fmt = (c: ReturnType<typeof cell>) =>
  c ? `${c.mean.toFixed(2)} ± ${c.std.toFixed(2)}${c.n < 5 ? ` (${c.n})` : ''}` : '–';
const paired = (task: string, a: string, b: string) => {
  const [sa, sb] = [acc.get(task)?.get(a), acc.get(task)?.get(b)];
  if (!sa || !sb) return undefined;
  const splits = [...sa.keys()].filter((s) => sb.has(s)).sort();
  const diffs = splits.map((s) => sa.get(s)! - sb.get(s)!);
  return {
    splits,
    diffs,
    mean: diffs.reduce((x, y) => x + y, 0) / Math.max(1, diffs.length),
    wins: diffs.filter((d) => d > 0).length,
    losses: diffs.filter((d) => d < 0).length,
  };
};

const shown = VARIANTS.filter((v) => tasks.some((t) => cell(t, v)));
const lines = [
  "# Self-training on unlabeled data (PET's semi-supervised stage)",
  '',
  'test_public accuracy (%), mean ± std over splits 0–4 (a count in brackets when fewer ran); ' +
    '600 fixed-seed test examples,',
  '≤ 60 steps for the first model, then 200 self-training steps on 32 labelled + ' +
    '1,000 soft-labelled unlabeled examples',
  "(softmax(scores / 2); never a test text). Plain and R-Drop columns are the grid's and the R-Drop runs' records. " +
    'A',
  "self-trained run's teacher is the plain run of the same method and split " +
    '(same code, seed and data: where a teacher was',
  'scored on test, it equals the plain record).',
  '',
  `| task | ${shown.join(' | ')} |`,
  `|---|${shown.map(() => '---:').join('|')}|`,
  ...tasks.map((t) => `| ${t} | ${shown.map((v) => fmt(cell(t, v))).join(' | ')} |`),
  '',
  'Teachers of the self-trained runs (the first model, which pseudo-labelled; scored for the record only):',
  '',
  `| task | ${shown
    .filter((v) => v.endsWith('+unlabeled'))
    .map((v) => `${v} teacher`)
    .join(' | ')} |`,
  `|---|${shown
    .filter((v) => v.endsWith('+unlabeled'))
    .map(() => '---:')
    .join('|')}|`,
  ...tasks.map(
    (t) =>
      `| ${t} | ${shown
        .filter((v) => v.endsWith('+unlabeled'))
        .map((v) => fmt(cell(t, `${v} (teacher)`)))
        .join(' | ')} |`,
  ),
  '',
  '## Paired by split (points)',
  '',
  '| task | comparison | per split | mean | wins | losses |',
  '|---|---|---|---:|---:|---:|',
];
const comparisons: [string, string][] = [
  ['pet+unlabeled', 'finetune'],
  ['pet+unlabeled', 'finetune+unlabeled'],
  ['pet+unlabeled', 'pet'],
  ['pet+rdrop+unlabeled', 'finetune'],
  ['pet+rdrop+unlabeled', 'finetune+rdrop'],
];
const pairs: Record<string, unknown>[] = [];
for (const t of tasks) {
  for (const [a, b] of comparisons) {
    const p = paired(t, a, b);
    if (!p || p.splits.length === 0) continue;
    pairs.push({ task: t, a, b, ...p });
    lines.push(
      `| ${t} | ${a} − ${b} | ${p.diffs.map((d) => (d >= 0 ? '+' : '') + d.toFixed(2)).join(', ')} ` +
        `| ${(p.mean >= 0 ? '+' : '') + p.mean.toFixed(2)} | ${p.wins} | ${p.losses} |`,
    );
  }
}
lines.push('');
writeFileSync(`${values.out}.md`, lines.join('\n'));
writeFileSync(
  `${values.out}.json`,
  `${JSON.stringify(
    {
      cells: Object.fromEntries(
        tasks.map((t) => [t, Object.fromEntries([...(acc.get(t) ?? new Map()).keys()].map((v) => [v, cell(t, v)]))]),
      ),
      paired: pairs,
    },
    null,
    2,
  )}\n`,
);
console.log(lines.join('\n'));
