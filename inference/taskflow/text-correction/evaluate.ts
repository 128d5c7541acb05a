/**
 * Export and evaluation of a CSC training run (train.ts's phases `export` and `eval`):
 * - export: RUN/model → RUN/export (graph.ts's ONNX graph, vocabulary, confusion set, csc.json), with
 *   the decision thresholds chosen on the held-out dev slice (RUN/dev.json) for each candidate mode by
 *   sentence-level correction F1;
 * - eval: SIGHAN-2015 test through the exported model on ONNX Runtime (what Taskflow serves), both
 *   candidate modes, plus the detection head switched off (threshold 0) as an ablation → RUN/eval.json.
 */
import { copyFileSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { HostTensor } from '../../../framework/checkpoint/host-tensor.js';
import { loadStateDict } from '../../../framework/checkpoint/state-dict.js';
import { log } from '../../../framework/log.js';
import { readBertConfig } from '../../../framework/model/config.js';
import { readSighanJson, type CscPair } from './sighan.js';
import { checkChoice, PRECISIONS } from '../../../framework/onnx/choices.js';
import {
  Corrector,
  decide,
  type CandidateMode,
  type CharScore,
  type CscManifest,
  type Thresholds,
} from './corrector.js';
import { buildCscGraph } from './graph.js';
import { sentenceMetrics, type CscMetrics } from './metrics.js';

/** Options of {@link exportAndEvaluate}. */
export interface ExportEvalOptions {
  readonly run: string;
  /** The shared data folder (`csc/sighan15_test.json`). */
  readonly data: string;
  readonly precision: string;
  readonly phases: readonly string[];
  /** Also copy the exported model here (e.g. models/taskflow/text-correction). */
  readonly exportTo?: string;
}

const MODES: readonly CandidateMode[] = ['confusion', 'vocab'];
const MODEL_FILES = ['model.onnx', 'vocab.txt', 'confusion.txt', 'csc.json'];

/**
 * The thresholds with the best correction F1 (then detection F1) on `pairs`.
 * @example tuneThresholds(dev, scores) // → { thresholds: { detect: 0.4, margin: 1 }, metrics: {…} }
 */
export function tuneThresholds(
  pairs: readonly CscPair[],
  scores: readonly CharScore[][],
  detectGrid?: readonly number[],
): { thresholds: Thresholds; metrics: CscMetrics } {
  let best: { thresholds: Thresholds; metrics: CscMetrics } | undefined;
  for (const detect of detectGrid ?? Array.from({ length: 20 }, (_, i) => i * 0.05)) {
    for (let margin = -8; margin <= 6; margin += 0.5) {
      const thresholds = { detect: Number(detect.toFixed(2)), margin };
      const metrics = sentenceMetrics(
        pairs,
        pairs.map((p, i) => decide(p.source, scores[i]!, thresholds).target),
      );
      const key = (m: CscMetrics) => m.correction.f1 * 1000 + m.detection.f1;
      if (!best || key(metrics) > key(best.metrics)) best = { thresholds, metrics };
    }
  }
  return best!;
}

/** SIGHAN-2015 test metrics of the exported model, by candidate mode (and the ablation without detection gate). */
export type CscTestMetrics = Record<string, CscMetrics & { thresholds: Thresholds }>;

/** Runs the requested phases on a run directory; the test metrics when `eval` ran. */
export async function exportAndEvaluate(options: ExportEvalOptions): Promise<CscTestMetrics | undefined> {
  const dir = join(options.run, 'export');
  if (options.phases.includes('export')) await exportRun(options, dir);
  const test = options.phases.includes('eval') ? await evaluateRun(options, dir) : undefined;
  if (options.exportTo !== undefined) {
    mkdirSync(options.exportTo, { recursive: true });
    for (const f of MODEL_FILES) copyFileSync(join(dir, f), join(options.exportTo, f));
    log.info(`copied the model to ${options.exportTo}`);
  }
  return test;
}

/** The `export` phase: RUN/model → `dir`, with thresholds tuned per candidate mode on RUN/dev.json. */
async function exportRun(options: ExportEvalOptions, dir: string): Promise<void> {
  const precision = checkChoice('--precision', options.precision, PRECISIONS);
  const modelDir = join(options.run, 'model');
  const config = readBertConfig(modelDir);
  const state: ReadonlyMap<string, HostTensor> = loadStateDict(modelDir);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'model.onnx'), buildCscGraph(state, config, { precision }));
  for (const f of ['vocab.txt', 'confusion.txt']) copyFileSync(join(modelDir, f), join(dir, f));
  const untuned: CscManifest = {
    format: 'fewprompt-csc',
    formatVersion: 1,
    maxSeqLen: 128,
    precision,
    thresholds: { confusion: { detect: 0.5, margin: 0 }, vocab: { detect: 0.5, margin: 0 } },
  };
  writeFileSync(join(dir, 'csc.json'), JSON.stringify(untuned));
  const dev = JSON.parse(readFileSync(join(options.run, 'dev.json'), 'utf8')) as CscPair[];
  const corrector = await Corrector.load(dir);
  const thresholds = {} as Record<CandidateMode, Thresholds>;
  const devMetrics: Record<string, CscMetrics> = {};
  for (const mode of MODES) {
    const tuned = tuneThresholds(
      dev,
      await corrector.score(
        dev.map((p) => p.source),
        mode,
      ),
    );
    thresholds[mode] = tuned.thresholds;
    devMetrics[mode] = tuned.metrics;
    log.info(
      `csc dev (${dev.length} sentences), ${mode}: thresholds ${JSON.stringify(tuned.thresholds)}, ` +
        `detection F1 ${tuned.metrics.detection.f1.toFixed(4)}, ` +
        `correction F1 ${tuned.metrics.correction.f1.toFixed(4)}`,
    );
  }
  await corrector.release();
  const train = JSON.parse(readFileSync(join(options.run, 'train.json'), 'utf8')) as Record<string, unknown>;
  const manifest: CscManifest = {
    ...untuned,
    thresholds,
    source: { run: options.run, base: train['base'], steps: train['step'], dev: devMetrics },
  };
  writeFileSync(join(dir, 'csc.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  log.info(
    `csc export: ${dir} (model.onnx ${(statSync(join(dir, 'model.onnx')).size / 1e6).toFixed(2)} MB, ${precision})`,
  );
}

/** The `eval` phase: SIGHAN-2015 test through the exported model in `dir` → RUN/eval.json. */
async function evaluateRun(options: ExportEvalOptions, dir: string): Promise<CscTestMetrics> {
  const test = readSighanJson(join(options.data, 'csc/sighan15_test.json'));
  const corrector = await Corrector.load(dir);
  const rows: CscTestMetrics = {};
  for (const mode of MODES) {
    const scores = await corrector.score(
      test.map((p) => p.source),
      mode,
    );
    const variants: [string, Thresholds][] = [[mode, corrector.manifest.thresholds[mode]]];
    if (mode === 'confusion') {
      // Ablation: no detection gate (margin re-tuned on dev with detect fixed at 0).
      const dev = JSON.parse(readFileSync(join(options.run, 'dev.json'), 'utf8')) as CscPair[];
      variants.push([
        'confusion, no detection gate',
        tuneThresholds(
          dev,
          await corrector.score(
            dev.map((p) => p.source),
            mode,
          ),
          [0],
        ).thresholds,
      ]);
    }
    for (const [name, t] of variants) {
      const m = sentenceMetrics(
        test,
        test.map((p, i) => decide(p.source, scores[i]!, t).target),
      );
      rows[name] = { ...m, thresholds: t };
      log.info(
        `SIGHAN-2015 test, ${name}: detection P/R/F1 ${fmt(m.detection)}, ` +
          `correction P/R/F1 ${fmt(m.correction)}, FPR ${m.falsePositiveRate.toFixed(4)}`,
      );
    }
  }
  const seeds = await corrector.correct(['人生就是如此,经过磨练才能让自己更加拙壮', '遇到逆竟时，我们必须勇于面对']);
  await corrector.release();
  writeFileSync(join(options.run, 'eval.json'), `${JSON.stringify({ test: rows, seeds }, null, 2)}\n`);
  log.info(`seed examples: ${JSON.stringify(seeds)}`);
  return rows;
}

function fmt(p: { precision: number; recall: number; f1: number }): string {
  return `${p.precision.toFixed(4)}/${p.recall.toFixed(4)}/${p.f1.toFixed(4)}`;
}
