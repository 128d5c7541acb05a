/**
 * Taskflow throughput of the tasks that run our own encoder: `sentiment_analysis` (INT8 PET bundle) on
 * ChnSentiCorp test reviews and `ner` mode `accurate` (INT8 token-classification bundle) on SXU sentences,
 * at batch 1 and 32, characters per second (wall) and cores used (CPU time over wall time), each the
 * median of several rounds. A sibling of bench.ts (LAC and jieba), run on its own so its rows can be
 * refreshed without re-running LAC's.
 *
 *   npx tsx bench/taskflow/models.ts [--lines 300] [--rounds 3]
 * Writes bench/results/taskflow-models.json and bench/results/taskflow-models.md.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Taskflow } from '../../inference/taskflow/index.js';
import { SHIPPED_NER_ACCURATE_MODEL } from '../../inference/taskflow/ner/task.js';
import { SHIPPED_SENTIMENT_MODEL } from '../../inference/taskflow/sentiment-analysis/task.js';

const { values } = parseArgs({
  options: {
    sentences: { type: 'string', default: '../shared/cws/sxu_test.txt' },
    reviews: { type: 'string', default: '../shared/sentiment/chnsenticorp_test.tsv' },
    lines: { type: 'string', default: '300' },
    rounds: { type: 'string', default: '3' },
  },
});
const n = Number(values.lines);
const sentences = readFileSync(values.sentences, 'utf8')
  .split(/\r?\n/)
  .map((l) => l.replace(/\s+/gu, ''))
  .filter(Boolean)
  .slice(0, n);
const reviews = readFileSync(values.reviews, 'utf8')
  .split(/\r?\n/)
  .slice(1)
  .map((l) => l.slice(l.indexOf('\t') + 1))
  .filter(Boolean)
  .slice(0, n);
const chars = (ts: readonly string[]) => ts.reduce((a, t) => a + [...t].length, 0);

interface Row {
  task: string;
  texts: string;
  batch: number;
  chars: number;
  seconds: number;
  charsPerSecond: number;
  coresUsed: number;
  rounds: number[];
}
const rows: Row[] = [];

async function bench(
  task: string,
  label: string,
  ts: readonly string[],
  run: (b: string[], batch: number) => Promise<unknown>,
): Promise<void> {
  for (const batch of [1, 32]) {
    await run(ts.slice(0, batch), batch); // loads the model
    const samples: { seconds: number; cpu: number }[] = [];
    for (let r = 0; r < Number(values.rounds); r++) {
      const cpu = process.cpuUsage();
      const start = performance.now();
      for (let i = 0; i < ts.length; i += batch) await run(ts.slice(i, i + batch), batch);
      const used = process.cpuUsage(cpu);
      samples.push({ seconds: (performance.now() - start) / 1000, cpu: (used.user + used.system) / 1e6 });
    }
    const median = [...samples].sort((a, b) => a.seconds - b.seconds)[Math.floor(samples.length / 2)]!;
    const c = chars(ts);
    const row = {
      task,
      texts: label,
      batch,
      chars: c,
      seconds: Math.round(median.seconds * 1000) / 1000,
      charsPerSecond: Math.round(c / median.seconds),
      coresUsed: Math.round((median.cpu / median.seconds) * 100) / 100,
      rounds: samples.map((s) => Math.round(c / s.seconds)),
    };
    rows.push(row);
    console.log(
      `${task} batch ${batch}: ${row.charsPerSecond} chars/s (rounds ${row.rounds.join(', ')}), ` +
        `cores used ${row.coresUsed}`,
    );
  }
}

if (existsSync(join(SHIPPED_SENTIMENT_MODEL, 'bundle.json'))) {
  const flows = new Map([1, 32].map((b) => [b, Taskflow('sentiment_analysis', { batchSize: b })]));
  await bench('sentiment_analysis (PET, INT8)', `${reviews.length} ChnSentiCorp test reviews`, reviews, (b, batch) =>
    flows.get(batch)!(b),
  );
}
if (existsSync(join(SHIPPED_NER_ACCURATE_MODEL, 'bundle.json'))) {
  const flows = new Map([1, 32].map((b) => [b, Taskflow('ner', { mode: 'accurate', batchSize: b })]));
  await bench(
    'ner accurate (token classification, INT8)',
    `${sentences.length} SXU test sentences`,
    sentences,
    (b, batch) => flows.get(batch)!(b),
  );
}

const machine =
  `${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}, ` +
  `load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' / ')} at the end (the cores are shared)`;
writeFileSync(
  'bench/results/taskflow-models.json',
  `${JSON.stringify({ machine, date: new Date().toISOString(), rows }, null, 1)}\n`,
);
writeFileSync(
  'bench/results/taskflow-models.md',
  [
    '# Taskflow throughput: tasks on our encoder',
    '',
    `${machine}. Median of ${values.rounds} rounds (chars/s of each round in the JSON);`,
    'ONNX Runtime with its default threads. "cores used" is CPU time over wall time: ' +
      'on a machine shared with other jobs it shows how much',
    'CPU the run actually got. Sentiment texts are split into 96-token windows ' +
      '(median review: 213 characters, about 3 windows).',
    '',
    '| task | texts | batch | chars | seconds | chars/s | cores used |',
    '|---|---|---|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| ${r.task} | ${r.texts} | ${r.batch} | ${r.chars} | ${r.seconds} ` +
        `| ${r.charsPerSecond.toLocaleString('en-US')} | ${r.coresUsed} |`,
    ),
    '',
  ].join('\n'),
);
