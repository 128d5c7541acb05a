/**
 * What the equal-compute pretraining benchmarks share (`sizes.ts`, `objectives.ts`): training FLOPs per token, the v2
 * corpus prepared once, windowed loss curves against FLOPs, and their SVG.
 */
import { readFileSync } from 'node:fs';
import {
  resolvePretrainConfig,
  type PretrainConfig,
  type PretrainConfigInput,
} from '../../framework/pretrain/config.js';
import { pretrain, type PretrainResult } from '../../framework/pretrain/pretrain.js';
import { loadJieba, prepareData, type PreparedData } from '../../framework/pretrain/prepare.js';
import { readVocab } from '../../framework/pretrain/vocab.js';

export const VOCAB = 21_128;

/** Forward FLOPs per token of an L × H encoder over `seq`-token chunks: dense layers and attention. */
export function encoderFlops(layers: number, hidden: number, seq: number): number {
  return layers * (24 * hidden * hidden + 4 * seq * hidden);
}

/** Forward FLOPs per token of the MLM head (transform + tied decoder) at the 15% masked positions. */
export function mlmHeadFlops(hidden: number): number {
  return 0.15 * 2 * (hidden * hidden + VOCAB * hidden);
}

/** Training FLOPs per token (forward + backward = 3 × forward) of MLM on an L × H encoder. */
export function mlmFlopsPerToken(layers: number, hidden: number, seq: number): number {
  return 3 * (encoderFlops(layers, hidden, seq) + mlmHeadFlops(hidden));
}

/** A base config from the v2 recipe, from scratch (bert vocabulary), not tracked. */
export function benchBase(seq: number, batch: number): PretrainConfigInput {
  const recipe = JSON.parse(readFileSync(new URL('../../scripts/pretrain-zh-v2-s32.json', import.meta.url), 'utf8'));
  const vocabFile = new URL('../../models/fewprompt-zh-mini/vocab.txt', import.meta.url).pathname;
  return { ...recipe, init: undefined, vocabFile, track: false, maxSeqLen: seq, batchSize: batch };
}

/** The corpus of `base` read, cleaned, decontaminated and packed once for every run of a benchmark. */
export async function prepareBenchData(base: PretrainConfigInput, maxDocuments?: number): Promise<PreparedData> {
  const c: PretrainConfig = resolvePretrainConfig({ ...base, out: 'runs/bench-data', maxDocuments });
  return prepareData({
    sources: c.corpus,
    ...(c.decontaminate ? { decontaminate: c.decontaminate } : {}),
    baseVocab: readVocab(c.vocabFile!),
    vocab: c.vocab,
    minCount: c.minCount,
    clean: c.clean,
    maxSeqLen: c.maxSeqLen,
    heldoutPercent: c.heldoutPercent,
    segmenter: await loadJieba(),
    maxDocuments,
  });
}

/** One run's training loss against FLOPs. */
export interface Curve {
  readonly name: string;
  readonly points: { flops: number; loss: number }[];
}

/** Training losses as about 60 windowed means, each at the FLOPs spent by its last step. */
export function lossCurve(name: string, losses: readonly number[], flopsPerStep: number): Curve {
  const window = Math.max(1, Math.round(losses.length / 60));
  const points: { flops: number; loss: number }[] = [];
  for (let i = window; i <= losses.length; i += window) {
    const mean = losses.slice(i - window, i).reduce((a, b) => a + b, 0) / window;
    points.push({ flops: i * flopsPerStep, loss: mean });
  }
  return { name, points };
}

/** Training loss (windowed means) of every run against FLOPs, one coloured line each. */
export function curvesSvg(all: readonly Curve[]): string {
  const [w, h, l, b] = [640, 300, 56, 36];
  const points = all.flatMap((r) => r.points);
  const maxX = Math.max(...points.map((p) => p.flops));
  const [minY, maxY] = [Math.min(...points.map((p) => p.loss)), Math.max(...points.map((p) => p.loss))];
  const x = (v: number) => l + ((w - l - 16) * v) / maxX;
  const y = (v: number) => h - b - ((h - b - 16) * (v - minY)) / Math.max(1e-9, maxY - minY);
  const colours = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd'];
  const lines = all.map((r, i) => {
    const d = r.points.map((p, k) => `${k ? 'L' : 'M'}${x(p.flops).toFixed(1)},${y(p.loss).toFixed(1)}`).join('');
    const c = colours[i % colours.length];
    const label = `<text x="${w - 120}" y="${24 + 16 * i}" fill="${c}">${r.name}</text>`;
    return `<path d="${d}" fill="none" stroke="${c}" stroke-width="1.5"/>${label}`;
  });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" font-family="sans-serif" font-size="12">`,
    `<line x1="${l}" y1="${h - b}" x2="${w - 16}" y2="${h - b}" stroke="#888"/>`,
    `<line x1="${l}" y1="16" x2="${l}" y2="${h - b}" stroke="#888"/>`,
    `<text x="${w / 2}" y="${h - 8}" text-anchor="middle">training FLOPs (max ${(maxX / 1e12).toFixed(1)} T)</text>`,
    `<text x="12" y="${h / 2}" transform="rotate(-90 12 ${h / 2})" text-anchor="middle">training loss ` +
      `(${minY.toFixed(2)}–${maxY.toFixed(2)})</text>`,
    ...lines,
    '</svg>',
    '',
  ].join('\n');
}

/**
 * One equal-compute run: as many steps as `budget` FLOPs buy at `flopsPerStep` (at least 10), warm-up a tenth of
 * them, one evaluation at the end, no checkpoints; the run's loss curve against FLOPs and its wall time come back.
 */
export async function pretrainForBudget(
  name: string,
  input: PretrainConfigInput,
  data: PreparedData,
  budget: number,
  flopsPerStep: number,
): Promise<{ steps: number; result: PretrainResult; curve: Curve; minutes: number }> {
  const steps = Math.max(10, Math.round(budget / flopsPerStep));
  const config = resolvePretrainConfig({
    ...input,
    warmupSteps: Math.round(steps / 10),
    maxSteps: steps,
    evalEvery: steps,
    checkpointMinutes: 1e6,
  });
  const started = Date.now();
  const result = await pretrain(config, { data });
  return {
    steps,
    result,
    curve: lossCurve(name, result.losses, flopsPerStep),
    minutes: (Date.now() - started) / 60_000,
  };
}
