/**
 * bench/inference/profile: where ONNX Runtime spends its time, per operator type, for our exported
 * graphs (fused FP32, INT8, unfused) — ORT's own profiler (`enableProfiling`), kernel times summed over
 * measured runs. The tool to use before changing what the exporter emits.
 *
 *   npx tsx bench/inference/profile.ts [--config default|base] [--batch 32] [--seq 128] [--threads 2] [--runs 10]
 *
 * Prints one table per engine: op type, total ms per run, share of the kernel time.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as ort from 'onnxruntime-node';
import { loadStateDict } from '../../framework/checkpoint/state-dict.js';
import { BertModel } from '../../framework/model/bert.js';
import { BERT_DEFAULTS, readBertConfig, type BertConfig } from '../../framework/model/config.js';
import { BertTokenizer } from '../../framework/tokenizer/index.js';
import { RUNTIME_OPTIMIZATION } from '../../framework/model/bert-graph.js';
import type { Fusion, Precision } from '../../framework/onnx/choices.js';
import { petHead } from '../../experiments/methods/index.js';
import { buildClassifierGraph, type RunSpec } from '../../inference/export/bundle.js';
import { WeightReader } from '../../framework/onnx/weights.js';

const { values } = parseArgs({
  options: {
    config: { type: 'string', default: 'default' },
    batch: { type: 'string', default: '32' },
    seq: { type: 'string', default: '128' },
    threads: { type: 'string', default: '2' },
    runs: { type: 'string', default: '10' },
    starter: { type: 'string', default: '../shared/models/zh-mini-starter' },
    engines: { type: 'string', default: 'ort-fused-fp32,ort-int8,ort-unfused' },
  },
});
const [batch, seq, threads, runs] = [values.batch, values.seq, values.threads, values.runs].map(Number) as [
  number,
  number,
  number,
  number,
];
const BASE: BertConfig = {
  ...BERT_DEFAULTS,
  hiddenSize: 768,
  numHiddenLayers: 12,
  numAttentionHeads: 12,
  intermediateSize: 3072,
};
const SPEC: RunSpec = {
  dir: 'bench',
  kind: 'pet',
  labels: ['Negative', 'Positive'],
  maxSeqLen: seq,
  template: "{'text': 'sentence'}这句话表示我{'mask'}满意。",
  labelWords: { Negative: ['不'], Positive: ['很'] },
};
const GRAPHS: Record<string, [Fusion, Precision, 'basic' | 'all']> = {
  'ort-fused-fp32': ['contrib', 'fp32', 'all'],
  'ort-int8': ['contrib', 'int8', 'all'],
  'ort-unfused': ['none', 'fp32', 'basic'],
};

const tokenizer = BertTokenizer.fromVocabFile('models/vocab/bert-base-chinese/vocab.txt');
const config = values.config === 'base' ? BASE : readBertConfig(values.starter);
const model =
  values.config === 'base'
    ? BertModel.create(config, { pooler: false, mlmHead: true }, 7)
    : BertModel.fromStateDict(config, loadStateDict(values.starter), { pooler: false, mlmHead: true });
const weights = new WeightReader(model.stateDict());
const ids = new Int32Array(batch * seq).map((_, i) => (i % seq === 0 ? 101 : 1000 + ((i * 7919) % 6000)));
const t = (d: Int32Array, dims: number[]) => new ort.Tensor('int32', d, dims);
const feeds = {
  input_ids: t(ids, [batch, seq]),
  token_type_ids: t(new Int32Array(batch * seq), [batch, seq]),
  position_ids: t(
    new Int32Array(batch * seq).map((_, i) => i % seq),
    [batch, seq],
  ),
  attention_mask: t(new Int32Array(batch * seq).fill(1), [batch, seq]),
  mask_positions: t(new Int32Array(batch).fill(5), [batch, 1]),
};

console.log(
  `${values.config}: ${config.numHiddenLayers} layers × ${config.hiddenSize}, batch ${batch} × ${seq}, ` +
    `${threads} threads, ${runs} profiled runs`,
);
for (const engine of values.engines.split(',')) {
  const [fusion, precision, level] =
    GRAPHS[engine] ??
    (() => {
      throw new Error(`unknown engine '${engine}'; valid: ${Object.keys(GRAPHS).join(', ')}`);
    })();
  const { bytes } = buildClassifierGraph(SPEC, petHead, config, weights, new WeightReader(new Map()), tokenizer, {
    fusion,
    precision,
  });
  const dir = mkdtempSync(join(tmpdir(), 'ort-profile-'));
  const session = await ort.InferenceSession.create(bytes, {
    graphOptimizationLevel: level === 'all' ? RUNTIME_OPTIMIZATION[fusion] : level,
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionProviders: ['cpu'],
    extra: { session: { intra_op: { allow_spinning: '0' } } },
    enableProfiling: true,
    profileFilePrefix: join(dir, 'p'),
  });
  for (let i = 0; i < 2; i++) await session.run(feeds); // warm-up, excluded below by run index
  const t0 = performance.now();
  for (let i = 0; i < runs; i++) await session.run(feeds);
  const wall = (performance.now() - t0) / runs;
  session.endProfiling();
  await session.release();
  const file = readdirSync(dir).find((f) => f.endsWith('.json'))!;
  const events = JSON.parse(readFileSync(join(dir, file), 'utf8')) as {
    cat: string;
    name: string;
    dur: number;
    args?: { op_name?: string };
  }[];
  rmSync(dir, { recursive: true, force: true });
  // Kernel events of every run; drop the two warm-up runs' share by scaling to the measured runs only.
  const runEvents = events.filter((e) => e.cat === 'Session' && e.name === 'model_run');
  const byOp = new Map<string, number>();
  for (const e of events)
    if (e.cat === 'Node' && e.name.endsWith('_kernel_time'))
      byOp.set(e.args?.op_name ?? '?', (byOp.get(e.args?.op_name ?? '?') ?? 0) + e.dur);
  const total = [...byOp.values()].reduce((a, b) => a + b, 0);
  const perRun = (us: number) => us / 1000 / runEvents.length;
  console.log(`\n${engine}: ${wall.toFixed(1)} ms per run (wall), kernels ${perRun(total).toFixed(1)} ms`);
  console.log('| op | ms per run | share |\n|---|---:|---:|');
  for (const [op, us] of [...byOp].sort((a, b) => b[1] - a[1]))
    console.log(`| ${op} | ${perRun(us).toFixed(2)} | ${((100 * us) / total).toFixed(1)}% |`);
}
model.dispose();
