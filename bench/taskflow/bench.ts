/**
 * Taskflow throughput in characters per second: each `word_segmentation` mode at batch 1 and 32
 * (LAC on ONNX Runtime on the calling thread only and with its worker threads, and on our
 * TypeScript kernels), beside `@node-rs/jieba` called directly and Python jieba (when installed),
 * all on the same text in the same run; `dependency_parsing` (LAC words + the biaffine parser) on the first
 * `--parse-lines` texts. The two ONNX variants alternate over several rounds (the
 * cores are shared, so each row is the median round). It also measures the machine's ceiling for
 * LAC: ORT's one-thread MatMul GFLOP/s times the cores, over LAC's FLOPs per character.
 *
 *   npx tsx bench/taskflow/bench.ts [--file ../shared/cws/sxu_test.txt] [--lines 1000] [--rounds 3]
 * Writes bench/results/taskflow.json and bench/results/taskflow.md.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Jieba } from '@node-rs/jieba';
import { dict } from '@node-rs/jieba/dict.js';
import { Lac } from '../../inference/taskflow/lexical-analysis/lac.js';
import { SHIPPED_PARSER } from '../../inference/taskflow/dependency-parsing/task.js';
import { SHIPPED_CSC_MODEL } from '../../inference/taskflow/text-correction/task.js';
import { Taskflow, type TaskflowPipeline } from '../../inference/taskflow/index.js';
import { lacFlopsPerChar, matMulGflops } from './matmul.js';

const { values } = parseArgs({
  options: {
    file: { type: 'string', default: '../shared/cws/sxu_test.txt' },
    lines: { type: 'string', default: '1000' },
    'js-lines': { type: 'string', default: '40' },
    'parse-lines': { type: 'string', default: '200' },
    'csc-lines': { type: 'string', default: '200' },
    rounds: { type: 'string', default: '3' },
  },
});
const all = readFileSync(values.file, 'utf8')
  .split(/\r?\n/)
  .map((l) => l.replace(/\s+/gu, ''))
  .filter(Boolean);
const texts = all.slice(0, Number(values.lines));
const chars = (ts: readonly string[]) => ts.reduce((a, t) => a + [...t].length, 0);
const cores = availableParallelism();

interface Row {
  name: string;
  batch: number;
  texts: number;
  chars: number;
  seconds: number;
  charsPerSecond: number;
  coresUsed?: number;
  rounds?: number[];
}
/** One timed run: wall seconds and this process's CPU seconds (all threads) over the same span. */
interface Sample {
  seconds: number;
  cpu: number;
}
const rows: Row[] = [];

/** Times `body`, wall clock and CPU. */
async function sample(body: () => Promise<void>): Promise<Sample> {
  const cpu = process.cpuUsage();
  const start = performance.now();
  await body();
  const used = process.cpuUsage(cpu);
  return { seconds: (performance.now() - start) / 1000, cpu: (used.user + used.system) / 1e6 };
}

/** Runs `run` over `ts` in calls of `batch` texts. */
function time(batch: number, ts: readonly string[], run: (b: string[]) => unknown): Promise<Sample> {
  return sample(async () => {
    for (let i = 0; i < ts.length; i += batch) await run(ts.slice(i, i + batch));
  });
}

/** Adds a row from the median of `samples`; `coresUsed` = CPU seconds / wall seconds of that round. */
function record(name: string, batch: number, ts: readonly string[], samples: readonly Sample[]): void {
  const median = [...samples].sort((a, b) => a.seconds - b.seconds)[Math.floor(samples.length / 2)]!;
  const { seconds } = median;
  const n = chars(ts);
  const row: Row = {
    name,
    batch,
    texts: ts.length,
    chars: n,
    seconds: Math.round(seconds * 1000) / 1000,
    charsPerSecond: Math.round(n / seconds),
  };
  if (median.cpu > 0) row.coresUsed = Math.round((median.cpu / seconds) * 100) / 100;
  if (samples.length > 1) row.rounds = samples.map((s) => Math.round(n / s.seconds));
  rows.push(row);
  console.log(
    `${name} batch ${batch}: ${row.charsPerSecond} chars/s${row.rounds ? ` (rounds ${row.rounds.join(', ')})` : ''}`,
  );
}

/** Times `run` once over `ts` in batches of `batch` (after one warm-up call). */
async function measure(
  name: string,
  batch: number,
  ts: readonly string[],
  run: (b: string[]) => unknown,
): Promise<void> {
  await run(ts.slice(0, Math.min(batch, ts.length)));
  record(name, batch, ts, [await time(batch, ts, run)]);
}

// LAC on ONNX Runtime: calling thread only vs worker threads, alternating round by round.
const NETWORK = 'LAC network only (ORT emissions on the calling thread, all texts sorted by length)';
const SERIAL = 'word_segmentation base (LAC, ONNX Runtime, calling thread only)';
const PARALLEL = `word_segmentation base (LAC, ONNX Runtime, ${cores} worker threads)`;
const variants: { name: string; batch: number; pipeline: TaskflowPipeline<string[]>; samples: Sample[] }[] = [];
for (const batch of [1, 32]) {
  variants.push({
    name: SERIAL,
    batch,
    pipeline: Taskflow('word_segmentation', { batchSize: batch, backend: 'onnx', workers: 0 }),
    samples: [],
  });
  variants.push({
    name: PARALLEL,
    batch,
    pipeline: Taskflow('word_segmentation', { batchSize: batch, backend: 'onnx', workers: cores }),
    samples: [],
  });
}
for (const v of variants) await v.pipeline(texts.slice(0, 64)); // loads the model and starts the workers
for (let round = 0; round < Number(values.rounds); round++) {
  for (const v of variants) v.samples.push(await time(v.batch, texts, v.pipeline));
}
for (const v of variants) {
  record(v.name, v.batch, texts, v.samples);
  await v.pipeline.close();
}

// The network alone (no chunking, CRF or word assembly) at its best: all texts sorted by length, so
// batches of 32 hold near-equal lengths and padding is negligible.
const lac = await Lac.load(undefined, { backend: 'onnx', workers: 0 });
const byLength = texts.map((t) => lac.vocab.encode([...t])).sort((a, b) => a.length - b.length);
const calls = Array.from({ length: Math.ceil(byLength.length / 32) }, (_, c) => {
  const encoded = byLength.slice(c * 32, c * 32 + 32);
  const offsets = new Int32Array(encoded.length + 1);
  encoded.forEach((e, j) => {
    offsets[j + 1] = offsets[j]! + e.length;
  });
  const ids = new Int32Array(offsets[encoded.length]!);
  encoded.forEach((e, j) => ids.set(e, offsets[j]!));
  return { ids, offsets };
});
const network: Sample[] = [];
for (let round = 0; round < Number(values.rounds); round++) {
  network.push(
    await sample(async () => {
      for (const c of calls) await lac.backend.emissions(c.ids, c.offsets);
    }),
  );
}
record(NETWORK, 32, texts, network);

const jsTexts = texts.slice(0, Number(values['js-lines']));
for (const batch of [1, 32]) {
  await measure(
    'word_segmentation base (LAC, TypeScript kernels)',
    batch,
    jsTexts,
    Taskflow('word_segmentation', { batchSize: batch, backend: 'js', workers: 0 }),
  );
}
for (const batch of [1, 32])
  await measure(
    'word_segmentation fast (jieba via Taskflow)',
    batch,
    texts,
    Taskflow('word_segmentation', { mode: 'fast' }),
  );
const jieba = Jieba.withDict(dict);
await measure('@node-rs/jieba cut(text, hmm) direct', 1, texts, (b) => b.map((t) => jieba.cut(t, true)));

if (existsSync('/usr/bin/python3')) {
  const code =
    'import sys, json, time, jieba\njieba.setLogLevel(60)\nts = json.load(sys.stdin)\n' +
    'jieba.initialize()\nlist(jieba.cut(ts[0]))\n' +
    's = time.perf_counter()\nfor t in ts: list(jieba.cut(t))\nprint(time.perf_counter() - s)';
  const py = spawnSync('/usr/bin/python3', ['-c', code], { input: JSON.stringify(texts), encoding: 'utf8' });
  if (py.status === 0)
    record('Python jieba 0.42.1 cut (default mode)', 1, texts, [{ seconds: Number(py.stdout.trim()), cpu: 0 }]);
}

// dependency_parsing: LAC's words, then the biaffine parser (BERT encoder + MST decoding) on ONNX Runtime.
const parseTexts = texts.slice(0, Number(values['parse-lines']));
if (existsSync(join(SHIPPED_PARSER, 'parser.json'))) {
  for (const batch of [1, 32]) {
    await measure(
      'dependency_parsing (LAC words + biaffine parser, ONNX Runtime)',
      batch,
      parseTexts,
      Taskflow('dependency_parsing', { batchSize: batch, workers: 0 }),
    );
  }
}

// text_correction: the CSC model (encoder + detection and MLM heads, INT8) on ONNX Runtime, both candidate modes.
const cscTexts = texts.slice(0, Number(values['csc-lines']));
if (existsSync(join(SHIPPED_CSC_MODEL, 'model.onnx'))) {
  for (const mode of ['confusion', 'vocab']) {
    for (const batch of [1, 32])
      await measure(
        `text_correction ${mode} (CSC encoder, ONNX Runtime INT8)`,
        batch,
        cscTexts,
        Taskflow('text_correction', { mode, batchSize: batch }),
      );
  }
}

// The ceiling: every core doing nothing but LAC's products at ORT's one-thread MatMul speed.
const flopsPerChar = lacFlopsPerChar(lac.weights);
const gemm = { large: await matMulGflops(1024, 256, 384), step: await matMulGflops(32, 128, 384) };
const ceiling = (cores * gemm.large * 1e9) / flopsPerChar;
const row32 = (name: string) => rows.find((r) => r.name === name && r.batch === 32)!;
/** Characters per CPU-second (all threads): what one fully available core would do. */
const perCpuSecond = (name: string) => Math.round(row32(name).charsPerSecond / (row32(name).coresUsed ?? 1));
const limit = {
  flopsPerChar,
  cores,
  matMulGflopsPerCpuSecond: {
    'm1024 k256 n384': round1(gemm.large),
    'm32 k128 n384 (one GRU step)': round1(gemm.step),
  },
  ceilingCharsPerSecond: Math.round(ceiling),
  charsPerCpuSecond: { network: perCpuSecond(NETWORK), serial: perCpuSecond(SERIAL), parallel: perCpuSecond(PARALLEL) },
  networkGflopsPerCpuSecond: round1((perCpuSecond(NETWORK) * flopsPerChar) / 1e9),
};
console.log(limit);

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}

// With autogroup scheduling the kernel shares CPU between sessions, not threads: while other
// sessions keep cores busy, extra worker threads cannot get this process more than its share.
const autogroup =
  existsSync('/proc/sys/kernel/sched_autogroup_enabled') &&
  readFileSync('/proc/sys/kernel/sched_autogroup_enabled', 'utf8').trim() === '1';
const machine =
  `${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}, ` +
  `load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' / ')} at the end (the cores are shared)`;
writeFileSync(
  'bench/results/taskflow.json',
  JSON.stringify({ file: values.file, machine, autogroup, date: new Date().toISOString(), limit, rows }, null, 1) +
    '\n',
);
writeFileSync(
  'bench/results/taskflow.md',
  [
    '# Taskflow throughput',
    '',
    `Text: the first ${texts.length} sentences of ${values.file} (spaces removed), ${machine}.`,
    'The TypeScript-kernel rows use the first ' +
      jsTexts.length +
      ' sentences only (they are ~50× slower); the dependency_parsing rows the first ' +
      parseTexts.length +
      ', the text_correction rows the first ' +
      cscTexts.length +
      '.',
    `The two ONNX Runtime variants and the network-only row are the median of ${values.rounds} alternating rounds ` +
      '(chars/s of each round in the JSON).',
    'With worker threads, a call with several batches (or one batch of ≥ 256 characters, split in two) ' +
      'is shared among the workers, each with its own',
    'one-thread ORT session running network and CRF; a one-text call (batch 1) stays on the calling thread, ' +
      'so both batch-1 rows do the same work.',
    '',
    '"cores used" is this process\'s CPU time (all threads) over wall time: ' +
      'below 1 for a one-thread row means it waited for a core.',
    '',
    '| what | batch | texts | chars | seconds | chars/s | cores used |',
    '|---|---|---|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| ${r.name} | ${r.batch} | ${r.texts} | ${r.chars} | ${r.seconds} ` +
        `| ${r.charsPerSecond.toLocaleString('en-US')} | ${r.coresUsed ?? ''} |`,
    ),
    '',
    '## How close to the machine',
    '',
    'Counted in CPU time (all threads), so that what other processes take from the shared cores does not enter:',
    `LAC costs ${(flopsPerChar / 1e6).toFixed(2)} MFLOP per character ` +
      '(two bidirectional GRU layers, input and recurrent products, plus the emission layer).',
    `ORT's one-thread MatMul does ${round1(gemm.large)} GFLOP per CPU-second on a [1024, 256] × [256, 384] product ` +
      "(a whole batch's input projection)",
    `and ${round1(gemm.step)} on [32, 128] × [128, 384] (one GRU time step at batch 32), ` +
      `so ${cores} cores doing nothing but LAC's products`,
    `at the large-product rate would give ${Math.round(ceiling).toLocaleString('en-US')} chars/s: ` +
      "that is the machine's limit for LAC.",
    `Per CPU-second, the network alone does ${limit.charsPerCpuSecond.network.toLocaleString('en-US')} characters ` +
      `(${limit.networkGflopsPerCpuSecond} GFLOP/s;`,
    'its recurrent half is a chain of small per-step products), and LAC end to end at batch 32',
    `${limit.charsPerCpuSecond.serial.toLocaleString('en-US')} on the calling thread and ` +
      `${limit.charsPerCpuSecond.parallel.toLocaleString('en-US')} with workers (CRF decoding, chunking and word`,
    'assembly added; the workers also pay for messages and smaller batches). ' +
      `With ${cores} free cores the workers would reach about`,
    `${cores} × ${limit.charsPerCpuSecond.parallel.toLocaleString('en-US')} chars/s less the calling thread's share, ` +
      `i.e. ${Math.round((100 * cores * limit.charsPerCpuSecond.parallel) / ceiling)}% of the limit at most;`,
    'the wall-clock rows above are what this run could get from the shared machine ("cores used").',
    ...(autogroup
      ? [
          'This kernel schedules by session (autogroup): ' +
            'the CPU is shared equally among busy sessions whatever their thread',
          'counts, so while another session keeps a core busy ' +
            'the worker threads cannot give this process more than one core.',
        ]
      : []),
    '',
  ].join('\n'),
);
