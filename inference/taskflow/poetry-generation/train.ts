/**
 * The `poetry_generation` training recipe: a character-level GPT (gpt.ts) trained from scratch with fewprompt's
 * Trainer and {@link CausalLmObjective} on the Tang poems of poems.ts. Each poem is `[BOS] body [EOS]`; whole poems
 * are packed into rows of at most `seq + 1` tokens and position ids restart at each [BOS], so every poem is trained
 * at the positions it has at generation time (line length and punctuation become a matter of position). Every
 * `evalEvery` steps: dev next-character accuracy (the Trainer's) and the loss over every token of the held-out
 * poems (`OUT/heldout-curve.jsonl`). The final weights are kept (dev accuracy plateaus early: punctuation first).
 *
 *   nice -n 10 fewprompt taskflow-train poetry_generation --data /work/runs/poetry-v2/data \
 *     --out /work/runs/poetry-v2/final --steps 3000 --ship models/poetry-gpt-zh
 *   fewprompt taskflow-train poetry_generation --out RUN --resume ...          # after SIGINT or --max-minutes
 *   fewprompt taskflow-train poetry_generation --out RUN --finalize --ship DIR # write out the last checkpoint
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { initBackend } from '../../../framework/backend/select.js';
import { readSafetensors } from '../../../framework/checkpoint/safetensors.js';
import { CheckpointError } from '../../../framework/errors.js';
import type { CharVocab } from '../../../framework/generation/char-vocab.js';
import { log as logger } from '../../../framework/log.js';
import type { TrainHooks } from '../train-settings.js';

export type { TrainHooks } from '../train-settings.js';
import { SeededRandom } from '../../../framework/random.js';
import { loadTrainerCheckpoint } from '../../../framework/trainer/checkpoint.js';
import { Trainer, type FitResult } from '../../../framework/trainer/trainer.js';
import { GptModel } from './gpt.js';
import { GPT_DEFAULTS, type GptConfig } from './gpt-config.js';
import { CausalLmObjective } from './gpt-objective.js';
import { saveGpt } from './gpt-pretrained.js';
import { encodePoem, packPoems, poemVocab, preparePoems, readPoemData, writePoemData, type PoemData } from './poems.js';
import { resolvePoetryTrainOptions, type PoetryTrainOptions } from './train-options.js';

/** One evaluation of `OUT/heldout-curve.jsonl`. */
export interface HeldoutPoint {
  step: number;
  /** Mean training loss of the step. */
  loss: number;
  heldoutLoss: number;
  /** Training seconds so far, across resumed runs. */
  seconds: number;
}

/** `OUT/training_report.json`: how the run went and the held-out numbers of the weights written out. */
export interface PoetryTrainReport {
  backend: string;
  trainSeconds: number;
  steps: number;
  interrupted: boolean;
  heldoutLoss: number;
  heldoutPerplexity: number;
  heldoutTokens: number;
  params: number;
  trainPoems: number;
  trainTokens: number;
  rows: number;
  tokensSeen: number;
  epochs: number;
  options: PoetryTrainOptions;
  config: GptConfig;
  history: FitResult['history'];
  curve: HeldoutPoint[];
}

/** The files of a run folder besides the model directory's. */
export const RUN_FILES = {
  report: 'training_report.json',
  curve: 'heldout-curve.jsonl',
  checkpoint: 'checkpoint',
} as const;

/** Reads the prepared poems, preparing them from the corpus first when `data` has none (opencc-js t → cn). */
async function poemData(o: PoetryTrainOptions, log: (m: string) => void): Promise<PoemData> {
  if (!existsSync(join(o.data, 'train.txt'))) {
    const OpenCC = await import('opencc-js');
    const prepared = preparePoems(o.corpus, OpenCC.Converter({ from: 't', to: 'cn' }));
    writePoemData(o.data, prepared);
    log(`data: ${JSON.stringify(prepared.stats)}`);
  }
  const data = readPoemData(o.data);
  return o.limit ? { ...data, train: data.train.slice(0, o.limit) } : data;
}

/** The model's architecture from the options and the vocabulary. */
export function poetryGptConfig(o: PoetryTrainOptions, vocab: CharVocab): GptConfig {
  return {
    ...GPT_DEFAULTS,
    vocabSize: vocab.size,
    hiddenSize: o.hidden,
    numLayers: o.layers,
    numHeads: Math.max(1, Math.round(o.hidden / 64)),
    intermediateSize: 4 * o.hidden,
    maxPositions: 128,
    dropout: o.dropout,
    normalization: o.normalization,
    padTokenId: vocab.pad,
    bosTokenId: vocab.bos,
    eosTokenId: vocab.eos,
  };
}

/** Seeded random held-out prefixes (at least 2 tokens): the Trainer's dev set, scored by next-token accuracy. */
function devPrefixes(heldout: readonly number[][], size: number, seed: number): number[][] {
  const rng = new SeededRandom(seed);
  return Array.from({ length: size }, () => {
    const poem = heldout[rng.int(heldout.length)]!;
    return poem.slice(0, 2 + rng.int(poem.length - 1));
  });
}

const readCurve = (file: string): HeldoutPoint[] =>
  existsSync(file)
    ? readFileSync(file, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as HeldoutPoint)
    : [];

/**
 * Trains (or with `finalize` writes out) a poetry GPT run in `out`; with `ship`, also the F16 model directory,
 * `evaluation.json` and the loss curve (evaluate.ts). Every option unset takes its default from `POETRY_SETTINGS`.
 * @example
 * const r = await trainPoetryGpt({ data: 'runs/poetry/data', out: 'runs/poetry/model', steps: 3000 });
 * r.heldoutPerplexity; // → the held-out perplexity of the final weights (MODEL_CARD.md has the shipped model's)
 */
export async function trainPoetryGpt(options: Partial<PoetryTrainOptions> = {}, hooks: TrainHooks = {}) {
  const o = resolvePoetryTrainOptions(options);
  const log = hooks.log ?? logger.info;
  const backend = await initBackend();
  const data = await poemData(o, log);
  const vocab = poemVocab(data.train, o.minCount);
  const heldout = data.heldout.map((p) => encodePoem(vocab, p));
  const rows = packPoems(
    data.train.map((p) => encodePoem(vocab, p)),
    o.seq,
  );
  const config = poetryGptConfig(o, vocab);
  const model = GptModel.create(config, o.seed);
  const objective = new CausalLmObjective(model, {
    lr: o.lr,
    weightDecay: o.weightDecay,
    padId: vocab.pad,
    resetPositionsAt: vocab.bos,
  });
  const trainTokens = rows.reduce((t, r) => t + r.length - 1, 0);
  log(`poetry GPT: ${model.params.size()} parameters, ${rows.length} rows, ${trainTokens} tokens an epoch`);
  const curveFile = join(o.out, RUN_FILES.curve);
  const fit = o.finalize
    ? finalized(o.out)
    : await fitRun(o, objective, rows, devPrefixes(heldout, o.devSize, o.seed), heldout, curveFile);
  objective.restore(readSafetensors(join(o.out, RUN_FILES.checkpoint, 'weights.safetensors')));
  const held = objective.meanLoss(heldout);
  saveGpt(model, vocab, o.out, { dtype: 'F32' });
  const curve = readCurve(curveFile);
  const tokensSeen = Math.round((fit.steps * o.batch * trainTokens) / rows.length);
  const report: PoetryTrainReport = {
    backend,
    trainSeconds: curve.at(-1)?.seconds ?? 0,
    steps: fit.steps,
    interrupted: fit.interrupted,
    heldoutLoss: held.loss,
    heldoutPerplexity: Math.exp(held.loss),
    heldoutTokens: held.tokens,
    params: model.params.size(),
    trainPoems: data.train.length,
    trainTokens,
    rows: rows.length,
    tokensSeen,
    epochs: tokensSeen / trainTokens,
    options: o,
    config,
    history: fit.history,
    curve,
  };
  writeFileSync(join(o.out, RUN_FILES.report), `${JSON.stringify(report, null, 1)}\n`);
  model.dispose();
  if (o.ship === undefined) return { out: o.out, report };
  const { shipPoetryModel } = await import('./evaluate.js');
  const evaluation = await shipPoetryModel(o.out, o.ship, data.heldout, report);
  return { out: o.out, report, ship: o.ship, evaluation };
}

/** Runs the Trainer; every `evalEvery` steps appends the held-out loss to the curve; stops at `maxMinutes`. */
async function fitRun(
  o: PoetryTrainOptions,
  objective: CausalLmObjective,
  rows: number[][],
  dev: number[][],
  heldout: number[][],
  curveFile: string,
): Promise<FitResult> {
  const started = Date.now();
  const offset = o.resume ? (readCurve(curveFile).at(-1)?.seconds ?? 0) : 0;
  mkdirSync(o.out, { recursive: true });
  if (!o.resume) writeFileSync(curveFile, '');
  const deadline = o.maxMinutes === undefined ? Infinity : started + o.maxMinutes * 60_000;
  const fit = await new Trainer(objective, {
    maxSteps: o.steps,
    batchSize: o.batch,
    seed: o.seed,
    schedule: 'cosine',
    warmupRatio: 0.05,
    weightDecay: o.weightDecay,
    maxGradNorm: 1,
    evalEvery: o.evalEvery,
    checkpointDir: join(o.out, RUN_FILES.checkpoint),
    checkpointEvery: 50,
    resume: o.resume,
    identity: { config: objective.model.config, seq: o.seq, minCount: o.minCount, limit: o.limit ?? null },
    label: 'poetry-gpt',
    onStep: ({ step, loss }) => {
      if (step % o.evalEvery === 0 || step === o.steps) {
        const { loss: heldoutLoss } = objective.meanLoss(heldout);
        const seconds = offset + (Date.now() - started) / 1000;
        appendFileSync(curveFile, `${JSON.stringify({ step, loss, heldoutLoss, seconds })}\n`);
      }
      return Date.now() > deadline ? 'stop' : undefined;
    },
  }).fit(rows, dev);
  if (readCurve(curveFile).at(-1)?.step !== fit.steps) {
    const last = fit.history.filter((h) => h.loss !== undefined).at(-1);
    const { loss: heldoutLoss } = objective.meanLoss(heldout);
    const seconds = offset + (Date.now() - started) / 1000;
    appendFileSync(curveFile, `${JSON.stringify({ step: fit.steps, loss: last?.loss, heldoutLoss, seconds })}\n`);
  }
  return fit;
}

/** `finalize`: no training; the run's last checkpoint (weights and history) is evaluated and written out. */
function finalized(out: string): FitResult {
  const dir = join(out, RUN_FILES.checkpoint);
  const ckpt = loadTrainerCheckpoint(dir);
  if (!ckpt) throw new CheckpointError(`${dir}: no checkpoint to finalize (train first, or check --out)`);
  return {
    bestDev: ckpt.state.bestMetric,
    bestStep: ckpt.state.bestStep,
    steps: ckpt.state.step,
    history: ckpt.state.history,
    interrupted: false,
  };
}
