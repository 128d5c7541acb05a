/**
 * bench/inference: one process, the same weights everywhere — ONNX Runtime with our fused graph (FP32
 * and INT8), the unfused standard-op graph (ORT optimisation 'basic': no fusions) and the unfused graph
 * after ORT's own optimiser ('all'), tfjs (wasm, the best backend installed here), and PyTorch eager
 * (Debian python3-torch, OMP_WAIT_POLICY=PASSIVE, OPENBLAS_THREAD_TIMEOUT=4) — PET scoring (encoder + MLM head at one
 * mask, vocabulary log-softmax) at batch 1, 8, 32 × length 128, for the default model and a base-size config.
 * Engines take turns batch by batch (round robin), so load from other processes falls on all alike; none
 * spins between runs (a spinning pool steals the cores from the engine after it). Afterwards ORT (fused FP32,
 * INT8) and PyTorch run alone with their default spinning thread pools.
 * Also counts nodes per encoder layer, as exported and after ORT's optimiser, and measures the machine's
 * ceiling (one large MatMul in FP32 and INT8, ceiling.ts) so every engine's rate reads as a share of it.
 *
 *   npx tsx bench/inference/run.ts [--configs default,base] [--batches 1,8,32] [--threads 2] [--seconds 3]
 *   npx tsx bench/inference/run.ts --render   (rewrites inference.md from inference.json, measures nothing)
 *
 * Writes bench/results/inference.json and bench/results/inference.md.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import * as ort from 'onnxruntime-node';
import { tf, tidyRead } from '../../framework/backend/tf.js';
import { loadStateDict } from '../../framework/checkpoint/state-dict.js';
import { BertModel } from '../../framework/model/bert.js';
import { BERT_DEFAULTS, readBertConfig, type BertConfig } from '../../framework/model/config.js';
import { savePretrained } from '../../framework/model/pretrained.js';
import { useBackend } from '../../framework/testing/backends.js';
import { BertTokenizer } from '../../framework/tokenizer/index.js';
import { RUNTIME_OPTIMIZATION } from '../../framework/model/bert-graph.js';
import type { Fusion, Precision } from '../../framework/onnx/choices.js';
import { petHead } from '../../experiments/methods/index.js';
import { buildClassifierGraph, type RunSpec } from '../../inference/export/bundle.js';
import { WeightReader } from '../../framework/onnx/weights.js';
import { readGraphSummary } from '../../framework/onnx/proto.js';
import { encoderFlopsPerText, matmulCeiling, type Ceiling } from './ceiling.js';
import { cell, renderMarkdown, type Cell } from './report.js';

const { values } = parseArgs({
  options: {
    configs: { type: 'string', default: 'default,base' },
    batches: { type: 'string', default: '1,8,32' },
    seq: { type: 'string', default: '128' },
    threads: { type: 'string', default: '2' },
    seconds: { type: 'string', default: '3' },
    python: { type: 'string', default: '/usr/bin/python3' },
    starter: { type: 'string', default: '../shared/models/zh-mini-starter' },
    out: { type: 'string', default: 'bench/results' },
    render: { type: 'boolean', default: false },
  },
});
const batches = values.batches.split(',').map(Number);
const seq = Number(values.seq);
const threads = Number(values.threads);
const minSeconds = Number(values.seconds);
const VOCAB = 'models/vocab/bert-base-chinese/vocab.txt';
const BASE: BertConfig = {
  ...BERT_DEFAULTS,
  hiddenSize: 768,
  numHiddenLayers: 12,
  numAttentionHeads: 12,
  intermediateSize: 3072,
};
const TINY: BertConfig = {
  ...BERT_DEFAULTS,
  hiddenSize: 256,
  numHiddenLayers: 4,
  numAttentionHeads: 4,
  intermediateSize: 1024,
};
const SPEC: RunSpec = {
  dir: 'bench',
  kind: 'pet',
  labels: ['Negative', 'Positive'],
  maxSeqLen: seq,
  template: "{'text': 'sentence'}这句话表示我{'mask'}满意。",
  labelWords: { Negative: ['不'], Positive: ['很'] },
};

function inputs(b: number): { ids: Int32Array; mask: Int32Array; positions: Int32Array } {
  const ids = new Int32Array(b * seq).map((_, i) => (i % seq === 0 ? 101 : 1000 + ((i * 7919) % 6000)));
  return { ids, mask: new Int32Array(b * seq).fill(1), positions: new Int32Array(b * seq).map((_, i) => i % seq) };
}
function feeds(b: number): Record<string, ort.Tensor> {
  const x = inputs(b);
  const t = (d: Int32Array, dims: number[]) => new ort.Tensor('int32', d, dims);
  return {
    input_ids: t(x.ids, [b, seq]),
    token_type_ids: t(new Int32Array(b * seq), [b, seq]),
    position_ids: t(x.positions, [b, seq]),
    attention_mask: t(x.mask, [b, seq]),
    mask_positions: t(new Int32Array(b).fill(5), [b, 1]),
  };
}
const sessionOptions = (
  level: 'basic' | 'all',
  optimized?: string,
  spinning = false,
): ort.InferenceSession.SessionOptions => ({
  graphOptimizationLevel: level,
  intraOpNumThreads: threads,
  interOpNumThreads: 1,
  executionProviders: ['cpu'],
  extra: { session: { intra_op: { allow_spinning: spinning ? '1' : '0' } } },
  ...(optimized ? { optimizedModelFilePath: optimized } : {}),
});
/**
 * No engine spins between runs in the round robin: a spinning
 * thread pool would steal the cores from the engine after it.
 */
const NON_SPINNING_TORCH_ENV = { OMP_WAIT_POLICY: 'PASSIVE', OPENBLAS_THREAD_TIMEOUT: '4' };

if (values.render) {
  writeFileSync(
    join(values.out, 'inference.md'),
    renderMarkdown(JSON.parse(readFileSync(join(values.out, 'inference.json'), 'utf8')) as Record<string, unknown>, {
      threads,
      seq,
    }),
  );
  process.exit(0);
}
const tmp = mkdtempSync(join(tmpdir(), 'bench-inference-'));
const tokenizer = BertTokenizer.fromVocabFile(VOCAB);
await useBackend('wasm');
const ceiling: Ceiling = await matmulCeiling(threads);
console.error(`[bench] ceiling: FP32 MatMul ${ceiling.fp32Gflops} GFLOP/s, INT8 ${ceiling.int8Gflops} GFLOP/s`);
const report: Record<string, unknown> = {
  ceiling,
  date: new Date().toISOString(),
  cpu: `${cpus().length} × ${cpus()[0]?.model ?? '?'}`,
  node: process.version,
  ort: ort.env.versions.common,
  threads,
  seq,
  loadAverageAtStart: loadavg().map((l) => +l.toFixed(2)),
  configs: {},
};

/** Nodes per encoder layer after ORT's optimiser: optimised(2 layers) − optimised(1 layer). */
async function optimisedPerLayer(
  config: BertConfig,
  fusion: Fusion,
  precision: Precision,
  level: 'basic' | 'all',
): Promise<{ perLayer: number; ops: Record<string, number> }> {
  const counts: string[][] = [];
  for (const layers of [1, 2]) {
    const small: BertConfig = { ...config, numHiddenLayers: layers };
    const model = BertModel.create(small, { pooler: false, mlmHead: true }, 1);
    const w = new WeightReader(model.stateDict());
    model.dispose();
    const { bytes } = buildClassifierGraph(SPEC, petHead, small, w, new WeightReader(new Map()), tokenizer, {
      fusion,
      precision,
    });
    const file = join(tmp, `count-${layers}.onnx`);
    const s = await ort.InferenceSession.create(bytes, sessionOptions(level, file));
    await s.release();
    counts.push(readGraphSummary(readFileSync(file)).ops);
  }
  const ops: Record<string, number> = {};
  for (const op of counts[1]!) ops[op] = (ops[op] ?? 0) + 1;
  for (const op of counts[0]!) ops[op] = (ops[op] ?? 0) - 1;
  return {
    perLayer: counts[1]!.length - counts[0]!.length,
    ops: Object.fromEntries(Object.entries(ops).filter(([, n]) => n !== 0)),
  };
}

/**
 * PyTorch as a worker process (torch_reference.py with BATCHES
 * 0): one run per request; undefined without python3-torch.
 */
async function torchWorker(
  modelDir: string,
): Promise<{ run: (b: number) => Promise<unknown>; close: () => Promise<unknown> } | undefined> {
  if (!existsSync(values.python)) return undefined;
  const child = spawn(
    values.python,
    ['bench/inference/torch_reference.py', modelDir, String(threads), '0', String(seq), '0'],
    { env: { ...process.env, ...NON_SPINNING_TORCH_ENV }, stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const first = await lines.next();
  if (first.done) {
    console.error('[bench] PyTorch worker did not start (python3-torch missing?)');
    return undefined;
  }
  report['torch'] = `PyTorch ${String((JSON.parse(first.value) as { torch?: string }).torch)} (Debian, OpenBLAS)`;
  return {
    run: async (b) => {
      child.stdin.write(`${b}\n`);
      const r = await lines.next();
      if (r.done) throw new Error('PyTorch worker exited');
      return r.value;
    },
    close: async () => {
      child.stdin.end();
      await new Promise((r) => child.once('exit', r));
    },
  };
}

for (const name of values.configs.split(',')) {
  const useStarter = name === 'default' && existsSync(join(values.starter, 'model.safetensors'));
  const config = useStarter ? readBertConfig(values.starter) : name === 'base' ? BASE : TINY;
  const modelDir = join(tmp, name);
  const model = useStarter
    ? BertModel.fromStateDict(config, loadStateDict(values.starter), { pooler: false, mlmHead: true })
    : BertModel.create(config, { pooler: false, mlmHead: true }, 7);
  savePretrained(model, modelDir);
  const weights = new WeightReader(loadStateDict(modelDir));
  console.error(
    `[bench] ${name}: ${config.numHiddenLayers} layers × ${config.hiddenSize} ` +
      `(${useStarter ? values.starter : 'random weights'})`,
  );
  const cells: Cell[] = [];
  const nodeCounts: Record<string, unknown> = {};
  // Every engine runs one batch in turn (round robin), so load from other processes on this shared machine
  // falls on all engines alike; PyTorch (PASSIVE) joins the rounds as a worker process.
  const engines: { name: string; run: (b: number) => Promise<unknown>; close: () => Promise<unknown> }[] = [];
  // Our fused graphs load at the level the runtime uses (RUNTIME_OPTIMIZATION: 'basic', they are fused already).
  const graphs: [string, Fusion, Precision, 'basic' | 'all'][] = [
    ['ort-fused-fp32', 'contrib', 'fp32', RUNTIME_OPTIMIZATION.contrib],
    ['ort-int8', 'contrib', 'int8', RUNTIME_OPTIMIZATION.contrib],
    ['ort-unfused', 'none', 'fp32', 'basic'],
    ['ort-unfused+ort-optimiser', 'none', 'fp32', 'all'],
  ];
  const spinningGraphs = new Map<string, Uint8Array>();
  for (const [engine, fusion, precision, level] of graphs) {
    const graph = buildClassifierGraph(SPEC, petHead, config, weights, new WeightReader(new Map()), tokenizer, {
      fusion,
      precision,
    });
    if (fusion === 'contrib') spinningGraphs.set(engine, graph.bytes);
    const session = await ort.InferenceSession.create(graph.bytes, sessionOptions(level));
    nodeCounts[engine] = {
      exportedPerLayer: graph.nodesPerLayer,
      ...(level === 'all' || fusion === 'contrib'
        ? { afterOrtOptimiser: await optimisedPerLayer(config, fusion, precision, level) }
        : {}),
    };
    const cache = new Map<number, Record<string, ort.Tensor>>();
    engines.push({
      name: engine,
      run: (b) => {
        if (!cache.has(b)) cache.set(b, feeds(b));
        return session.run(cache.get(b)!);
      },
      close: () => session.release(),
    });
  }
  engines.push({
    name: `tfjs-${tf.getBackend()}`,
    close: async () => undefined,
    run: async (b) => {
      const x = inputs(b);
      return tidyRead(
        () => {
          const hidden = model.encode({
            inputIds: tf.tensor2d(x.ids, [b, seq], 'int32'),
            attentionMask: tf.tensor2d(x.mask, [b, seq], 'int32'),
          });
          const rows = BertModel.gatherPositions(
            hidden,
            tf.tensor1d(
              Array.from({ length: b }, (_, i) => i * seq + 5),
              'int32',
            ),
          );
          return tf.logSoftmax(model.mlmLogits(rows));
        },
        (t) => t.dataSync(),
      );
    },
  });
  const torch = await torchWorker(modelDir);
  if (torch) engines.push({ name: 'pytorch-eager', run: torch.run, close: torch.close });
  // engine → why it stopped (tfjs-wasm runs out of its 4 GiB heap on base × 32)
  const failed = new Map<string, string>();
  const attempt = async (e: (typeof engines)[number], b: number): Promise<number | undefined> => {
    const t0 = performance.now();
    try {
      await e.run(b);
    } catch (error) {
      failed.set(e.name, `failed at batch ${b}: ${(error as Error).message.split('\n')[0]}`);
      console.error(`[bench] ${name} ${e.name} b${b}: ${failed.get(e.name)}`);
      return undefined;
    }
    return performance.now() - t0;
  };
  for (const b of batches) {
    const slow = new Map<string, number>();
    for (const e of engines) {
      // warm-up; an engine slower than the whole budget is measured by this one run
      if (failed.has(e.name)) continue;
      const ms = await attempt(e, b);
      if (ms !== undefined && ms > minSeconds * 1000) slow.set(e.name, ms);
    }
    const times = new Map<string, number[]>(engines.map((e) => [e.name, []]));
    const start = performance.now();
    for (
      let round = 0;
      round < 50 && (round < 3 || performance.now() - start < minSeconds * 1000 * engines.length);
      round++
    ) {
      for (const e of engines) {
        if ((slow.has(e.name) && round > 0) || failed.has(e.name)) continue;
        const ms = await attempt(e, b);
        if (ms !== undefined) times.get(e.name)!.push(ms);
      }
    }
    for (const e of engines) {
      if (times.get(e.name)!.length === 0) {
        if (failed.has(e.name))
          cells.push({
            engine: e.name,
            batch: b,
            runs: 0,
            p50: NaN,
            p99: NaN,
            textsPerSecond: NaN,
            note: failed.get(e.name)!,
          });
        continue;
      }
      const note = slow.has(e.name) ? 'one run: slower than the time budget' : undefined;
      cells.push(cell(e.name, b, times.get(e.name)!, note));
      console.error(`[bench] ${name} ${e.name} b${b}: p50 ${cells.at(-1)!.p50} ms`);
    }
  }
  for (const e of engines) await e.close();
  try {
    model.dispose();
  } catch {
    /* a wasm backend that failed above cannot free its tensors; the process ends soon */
  }
  // ORT with its default spinning thread pool, each alone: the counterpart of PyTorch's default wait policy below.
  for (const [engine, bytes] of spinningGraphs) {
    const session = await ort.InferenceSession.create(
      bytes,
      sessionOptions(RUNTIME_OPTIMIZATION.contrib, undefined, true),
    );
    for (const b of batches) {
      const f = feeds(b);
      await session.run(f);
      const ts: number[] = [];
      const start = performance.now();
      while (ts.length < 3 || (performance.now() - start < minSeconds * 1000 && ts.length < 50)) {
        const t0 = performance.now();
        await session.run(f);
        ts.push(performance.now() - t0);
      }
      cells.push(cell(`${engine} (spinning, measured alone)`, b, ts));
      console.error(`[bench] ${name} ${engine} (spinning, alone) b${b}: p50 ${cells.at(-1)!.p50} ms`);
    }
    await session.release();
  }
  // PyTorch alone afterwards, twice: OpenMP's default (spinning) wait policy, and non-spinning. With Debian's
  // OpenBLAS (its own pthread pool beside OpenMP's) the default policy oversubscribes the cores; the goals table
  // compares against the faster of the two.
  for (const [label, env] of [
    ['OMP default wait policy', { ...process.env, OMP_WAIT_POLICY: undefined }],
    ['PASSIVE', { ...process.env, ...NON_SPINNING_TORCH_ENV }],
  ] as const) {
    try {
      const out = execFileSync(
        values.python,
        [
          'bench/inference/torch_reference.py',
          modelDir,
          String(threads),
          batches.join(','),
          String(seq),
          String(minSeconds),
        ],
        {
          encoding: 'utf8',
          env: Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined)),
          stdio: ['ignore', 'pipe', 'pipe'],
          timeout: 600000,
        },
      );
      const res = JSON.parse(out) as { results: Record<string, number[]> };
      for (const b of batches) cells.push(cell(`pytorch-eager (${label}, measured alone)`, b, res.results[String(b)]!));
    } catch (error) {
      console.error(`[bench] PyTorch (${label}, alone) skipped: ${(error as Error).message.split('\n')[0]}`);
    }
  }
  (report['configs'] as Record<string, unknown>)[name] = {
    layers: config.numHiddenLayers,
    hidden: config.hiddenSize,
    heads: config.numAttentionHeads,
    intermediate: config.intermediateSize,
    weights: useStarter ? values.starter : 'random',
    flopsPerText: encoderFlopsPerText(config, seq),
    nodeCounts,
    cells,
  };
  rmSync(modelDir, { recursive: true, force: true });
}
report['loadAverageAtEnd'] = loadavg().map((l) => +l.toFixed(2));
rmSync(tmp, { recursive: true, force: true });
mkdirSync(values.out, { recursive: true });
const previous = existsSync(join(values.out, 'inference.json'))
  ? (JSON.parse(readFileSync(join(values.out, 'inference.json'), 'utf8')) as { configs?: Record<string, unknown> })
  : {};
// configs run separately accumulate
report['configs'] = { ...(previous.configs ?? {}), ...(report['configs'] as Record<string, unknown>) };
writeFileSync(join(values.out, 'inference.json'), `${JSON.stringify(report, null, 2)}\n`);
writeFileSync(join(values.out, 'inference.md'), renderMarkdown(report, { threads, seq }));
console.log(renderMarkdown(report, { threads, seq }));
