/**
 * The pretraining loop: masked-LM batches from packed chunks, AdamW with warm-up and decay and global
 * gradient clipping, held-out MLM accuracy every N steps, a progress bar, MLflow logging, and atomic
 * checkpoints every N minutes from which `resume` reproduces the uninterrupted run exactly: data order,
 * masks and dropout are functions of (seed, epoch, chunk, step), and weights and moments are saved in F32.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { tf } from '../backend/tf.js';
import { loadStateDict } from '../checkpoint/state-dict.js';
import { CheckpointError, ConfigError } from '../errors.js';
import { log } from '../log.js';
import { BertModel } from '../model/bert.js';
import { BERT_DEFAULTS, readBertConfig } from '../model/config.js';
import { savePretrained } from '../model/pretrained.js';
import { AdamW } from '../optim/adamw.js';
import { lrSchedule } from '../optim/schedule.js';
import { DataParallel } from '../parallel/data-parallel.js';
import type { MlmReplicaSpec, MlmShard } from '../parallel/mlm-replica.js';
import type { Replica } from '../parallel/replica.js';
import { createTracker, NullTracker, type Run } from '../tracking/index.js';
import { ProgressBar } from '../trainer/progress.js';
import {
  accumulatedLossAndGrads,
  buildBatch,
  evaluateHeldout,
  splitBatch,
  type HeldoutMetrics,
  type HostBatch,
} from './batch.js';
import { loadCheckpoint, saveCheckpoint, type LoadedCheckpoint } from './checkpoint.js';
import type { PretrainConfig } from './config.js';
import { DataOrder } from './data-order.js';
import type { MaskingOptions, MaskVocab } from './masking.js';
import { loadJieba, prepareData, type PreparedData } from './prepare.js';
import { mixSeed } from './rng.js';
import { readVocab, remapVocabState, vocabMapping, writeVocab } from './vocab.js';
import { flatParams, writeTrainingState } from './report.js';
import { moduleUrl } from '../package-paths.js';

export interface PretrainOptions {
  /** Continue from `config.out/checkpoint`. */
  resume?: boolean;
  /** Prepared data (tests); read from `config.corpus` otherwise. */
  data?: PreparedData;
  /** Polled every step; true checkpoints and stops (SIGINT). */
  shouldStop?: () => boolean;
  /** Show the progress bar on stderr. Default true. */
  progress?: boolean;
  /** Clock in ms (tests). */
  now?: () => number;
  /**
   * Called after every step with the steps so far and the step's loss: for custom logging or watching memory, or to
   * end the invocation early — `'stop'` writes a checkpoint and stops, as SIGINT does (`--resume` continues), as
   * the `Trainer`'s `onStep` does.
   * @example onStep: (step) => (step >= budget ? 'stop' : undefined)
   */
  onStep?: (step: number, loss: number) => 'stop' | undefined;
  /**
   * Extra evaluation at every held-out evaluation, e.g. zero-shot PET on FewCLUE dev sets (`fewprompt pretrain
   * --probe`): how much the model already knows of downstream label words, which held-out MLM accuracy does not
   * say. Its metrics are logged (as `probe_<name>`) beside held-out accuracy. Must not train or draw randomness.
   */
  probe?: PretrainProbe;
}

/** See {@link PretrainOptions.probe}: metrics of the model (in eval mode) with the run's vocabulary. */
export type PretrainProbe = (model: BertModel, vocab: readonly string[]) => Promise<Record<string, number>>;

export interface PretrainResult {
  step: number;
  tokensSeen: number;
  /** Training loss of every step this invocation ran. */
  losses: number[];
  initialHeldout: HeldoutMetrics | undefined;
  heldout: HeldoutMetrics | undefined;
  /** True when maxSteps was reached and the final model written. */
  completed: boolean;
  tokensPerSecond: number;
}

const DROPOUT_SALT = 0x64726f70;

/** `tokenizer_config.json` of the written model. */
const TOKENIZER_CONFIG = { tokenizer_class: 'BertTokenizer', do_lower_case: true, model_max_length: 512 };

/**
 * Runs (or resumes) pretraining per `config`; writes the model to `config.out` when maxSteps is reached.
 * @example
 * await initBackend();
 * const r = await pretrain(resolvePretrainConfig({
 *   corpus: [{ path: 'corpora/*.txt' }], out: 'runs/zh', init: 'models/zh-mini-starter', maxSteps: 2000,
 * }));
 * r.heldout?.accuracy; // → e.g. 0.19
 */
export async function pretrain(config: PretrainConfig, options: PretrainOptions = {}): Promise<PretrainResult> {
  const session = await PretrainSession.open(config, options);
  const { data, run } = session.parts;
  const initialHeldout = session.step === 0 && data.heldout.size > 0 ? await session.evaluate() : undefined;
  session.heldout = initialHeldout;
  if (initialHeldout)
    log.info(
      `held-out before training: acc ${initialHeldout.accuracy.toFixed(4)} ` +
        `(context shuffled ${initialHeldout.accuracyShuffled?.toFixed(4)}), ` +
        `loss ${initialHeldout.loss.toFixed(3)} (${initialHeldout.predictions} predictions)`,
    );

  mkdirSync(config.out, { recursive: true });
  const bar = new ProgressBar('pretrain', config.maxSteps, {
    enabled: options.progress ?? true,
    startAt: session.step,
  });
  session.startClock();
  try {
    const completed = await session.train(bar);
    bar.done();
    if (completed) await session.finish(initialHeldout);
    await run.end('FINISHED');
    const { step, tokensSeen, losses, heldout, tokensPerSecond } = session;
    return { step, tokensSeen, losses, initialHeldout, heldout, completed, tokensPerSecond };
  } catch (error) {
    bar.done();
    await run.end('FAILED').catch(() => undefined);
    throw error;
  } finally {
    await session.close();
  }
}

/** What a pretraining invocation trains with, from {@link PretrainSession.open}. */
interface SessionParts {
  readonly config: PretrainConfig;
  readonly options: PretrainOptions;
  /** Clock in ms. */
  readonly now: () => number;
  readonly data: PreparedData;
  readonly model: BertModel;
  /** Data-parallel workers (`config.workers` > 1). */
  readonly dp: DataParallel<MlmReplicaSpec, MlmShard> | undefined;
  readonly opt: AdamW;
  /** Learning-rate multiplier of each step. */
  readonly schedule: (step: number) => number;
  readonly order: DataOrder;
  readonly maskVocab: MaskVocab;
  readonly run: Run;
}

/**
 * One invocation of {@link pretrain}: the model, optimiser, data order and tracking run, and the counters that
 * checkpoints save (step, tokens seen, elapsed seconds, last loss) beside the window of steps being logged.
 */
class PretrainSession {
  step: number;
  tokensSeen: number;
  /** Training seconds, summed over invocations. */
  elapsed: number;
  lastLoss: number | undefined;
  /** Training loss of every step this invocation ran. */
  readonly losses: number[] = [];
  heldout: HeldoutMetrics | undefined;
  tokensPerSecond = 0;
  private started = 0;
  private lastCheckpoint = 0;
  /** The steps since metrics were last logged: when they began, their tokens, how many. */
  private windowStart = 0;
  private windowTokens = 0;
  private windowSteps = 0;
  private readonly masking: MaskingOptions;

  private constructor(
    readonly parts: SessionParts,
    ckpt: LoadedCheckpoint | undefined,
  ) {
    this.masking = { probability: parts.config.maskProbability, wholeWord: parts.config.wwm };
    this.step = ckpt?.state.step ?? 0;
    this.tokensSeen = ckpt?.state.tokensSeen ?? 0;
    this.elapsed = ckpt?.state.elapsedSeconds ?? 0;
    this.lastLoss = ckpt?.state.lastLoss;
  }

  /**
   * Reads the data (or takes `options.data`) and builds the model, workers, optimiser, schedule and data order,
   * from `config.out/checkpoint` when resuming (refused when the data or vocabulary differ); starts the tracking run.
   */
  static async open(config: PretrainConfig, options: PretrainOptions): Promise<PretrainSession> {
    const now = options.now ?? Date.now;
    const ckpt: LoadedCheckpoint | undefined = options.resume ? loadCheckpoint(config.out) : undefined;
    const baseVocab = readVocab(config.init !== undefined ? join(config.init, 'vocab.txt') : (config.vocabFile ?? ''));
    const data = options.data ?? (await readCorpus(config, baseVocab));
    log.info(
      `pretrain data: ${JSON.stringify(data.counts)}; vocab ${data.vocab.length}; ` +
        `${data.train.size} train / ${data.heldout.size} held-out chunks of ${config.maxSeqLen}`,
    );
    if (ckpt) checkResumable(ckpt, data);
    const model = buildModel(config, data.vocab, baseVocab, ckpt);
    const dp = config.workers > 1 ? await startWorkers(model, config.workers) : undefined;
    const opt = new AdamW(model.params.decayGroups(config.lr, config.weightDecay), { maxGradNorm: config.maxGradNorm });
    if (ckpt) opt.loadState(ckpt.optimizer.step, ckpt.optimizer.slots);
    const schedule = lrSchedule({
      kind: config.schedule,
      warmupSteps: config.warmupSteps,
      totalSteps: config.maxSteps,
    });
    const order = ckpt ? DataOrder.fromState(ckpt.state.dataOrder) : new DataOrder(data.train.size, config.seed);
    const maskVocab: MaskVocab = {
      maskId: data.tokenizer.special.mask,
      isSpecial: (id) => data.tokenizer.isSpecial(id),
      randomIds: Int32Array.from(data.vocab.keys()).filter((id) => !data.tokenizer.isSpecial(id)),
    };
    const run = await startRun(config, data, ckpt);
    return new PretrainSession({ config, options, now, data, model, dp, opt, schedule, order, maskVocab, run }, ckpt);
  }

  /** Starts the clocks of the time limit, the checkpoint interval and the first logging window. */
  startClock(): void {
    const { now } = this.parts;
    this.started = now();
    this.lastCheckpoint = now();
    this.windowStart = now();
  }

  /**
   * Trains until maxSteps (true), or until the time limit, a stop request or `onStep`'s `'stop'` ends this invocation
   * with a checkpoint (false). Checkpoints every `checkpointMinutes` on the way.
   */
  async train(bar: ProgressBar): Promise<boolean> {
    const { config, options, now, order } = this.parts;
    while (true) {
      if (this.step >= config.maxSteps) return true;
      const overTime = config.maxMinutes !== undefined && now() - this.started >= config.maxMinutes * 60_000;
      if (overTime || options.shouldStop?.()) {
        this.checkpoint();
        return false;
      }
      const loss = await this.trainStep();
      if (this.step % config.evalEvery === 0 && this.step < config.maxSteps) this.heldout = await this.evaluate();
      const verdict = options.onStep?.(this.step, loss);
      // Let a pending SIGINT handler run (signals arrive as macrotasks; a loop of awaited microtasks never sees them).
      await new Promise((resolve) => setImmediate(resolve));
      bar.update(this.step, {
        epoch: order.progress.toFixed(2),
        'tok/s': Math.round(this.tokensPerSecond),
        loss: loss.toFixed(3),
        'held-out acc': this.heldout?.accuracy.toFixed(4) ?? '-',
      });
      if (verdict === 'stop' && this.step < config.maxSteps) {
        this.checkpoint();
        return false;
      }
      if (now() - this.lastCheckpoint >= config.checkpointMinutes * 60_000) {
        this.checkpoint();
        this.lastCheckpoint = now();
      }
    }
  }

  /**
   * One optimiser step on the next batch of the data order (masks and dropout seeded by the step), then the
   * counters, and the logged metrics when a window is full. Returns the step's loss.
   */
  private async trainStep(): Promise<number> {
    const { config, now, data, model, dp, opt, schedule, order, maskVocab } = this.parts;
    const tStep = now();
    const batch = buildBatch(data.train, order.next(config.batchSize), maskVocab, config.seed, this.masking);
    model.train();
    const dropoutSeed = (mixSeed(config.seed, DROPOUT_SALT, this.step) % 2147483646) + 1;
    const { loss, grads } = dp
      ? await dp.gradients(shardBatch(batch, dp.size), dropoutSeed)
      : accumulatedLossAndGrads(model, batch, config.gradientAccumulation, dropoutSeed);
    const { gradNorm } = opt.step(grads, schedule(this.step));
    tf.dispose(Object.values(grads));
    dp?.publish();
    if (!Number.isFinite(loss))
      throw new ConfigError(`loss became ${loss} at step ${this.step}; lower lr (${config.lr}) or check the data`);
    this.step++;
    this.tokensSeen += batch.inputIds.length;
    this.losses.push(loss);
    this.lastLoss = loss;
    this.elapsed += (now() - tStep) / 1000;
    this.windowTokens += batch.inputIds.length;
    this.windowSteps++;
    if (this.windowSteps >= config.logEvery || this.step === config.maxSteps) await this.logWindow(gradNorm);
    return loss;
  }

  /** Logs the window's mean loss, the learning rate, the last gradient norm and throughput; starts a new window. */
  private async logWindow(gradNorm: number): Promise<void> {
    const { config, now, schedule, order, run } = this.parts;
    const seconds = Math.max(1e-3, (now() - this.windowStart) / 1000);
    this.tokensPerSecond = this.windowTokens / seconds;
    const recent = this.losses.slice(-this.windowSteps);
    await run.logMetrics(
      {
        loss: recent.reduce((a, b) => a + b, 0) / recent.length,
        lr: config.lr * schedule(this.step - 1),
        grad_norm: gradNorm,
        tokens_per_s: this.tokensPerSecond,
        epoch: order.progress,
      },
      this.step,
    );
    this.windowStart = now();
    this.windowTokens = 0;
    this.windowSteps = 0;
  }

  /** Held-out MLM accuracy and loss (and the probe's metrics), logged at the current step. */
  async evaluate(): Promise<HeldoutMetrics> {
    const { config, options, data, model, maskVocab, run } = this.parts;
    // Evaluation runs on this thread: at most 32 chunks per forward pass (batch 128 overflows tfjs-wasm's kernels).
    const evalOpts = {
      chunks: config.evalChunks,
      batchSize: Math.min(config.batchSize, 32),
      probability: config.maskProbability,
      shuffled: true,
    };
    model.eval();
    const m = evaluateHeldout(model, data.heldout, maskVocab, evalOpts);
    await run.logMetrics(
      {
        heldout_mlm_accuracy: m.accuracy,
        heldout_loss: m.loss,
        // Accuracy with the context's order destroyed: the gap is how much word order the model uses.
        heldout_mlm_accuracy_shuffled: m.accuracyShuffled ?? 0,
      },
      this.step,
    );
    let line = `step ${this.step}: held-out acc ${m.accuracy.toFixed(4)} (context shuffled ${
      m.accuracyShuffled?.toFixed(4) ?? '-'
    }), loss ${m.loss.toFixed(3)}`;
    if (options.probe) {
      const probe = await options.probe(model, data.vocab);
      await run.logMetrics(Object.fromEntries(Object.entries(probe).map(([k, v]) => [`probe_${k}`, v])), this.step);
      line += `; probe ${Object.entries(probe)
        .map(([k, v]) => `${k} ${v.toFixed(4)}`)
        .join(', ')}`;
    }
    log.info(line);
    return m;
  }

  /** Writes `config.out/checkpoint`: weights, Adam moments, vocabulary, data order and counters. */
  private checkpoint(): void {
    const { config, data, model, opt, order } = this.parts;
    saveCheckpoint(config.out, model, opt, data.vocab, {
      step: this.step,
      tokensSeen: this.tokensSeen,
      dataOrder: order.state(),
      dataFingerprint: data.train.fingerprint(),
      elapsedSeconds: this.elapsed,
      lastLoss: this.lastLoss,
      config,
    });
  }

  /**
   * At maxSteps: the final held-out evaluation and checkpoint, then the model, vocabulary, tokenizer config and
   * training report in `config.out`.
   */
  async finish(initialHeldout: HeldoutMetrics | undefined): Promise<void> {
    const { config, data, model, run } = this.parts;
    this.heldout = data.heldout.size > 0 ? await this.evaluate() : undefined;
    this.checkpoint();
    savePretrained(model, config.out, { dtype: config.saveDtype });
    writeVocab(join(config.out, 'vocab.txt'), data.vocab);
    writeFileSync(join(config.out, 'tokenizer_config.json'), `${JSON.stringify(TOKENIZER_CONFIG, null, 2)}\n`);
    const statePath = writeTrainingState(config.out, {
      step: this.step,
      tokensSeen: this.tokensSeen,
      elapsed: this.elapsed,
      heldout: this.heldout,
      initialHeldout: initialHeldout,
      data,
      config,
    });
    await run.logArtifact(statePath);
  }

  /** Stops the workers and frees the optimiser and the model. */
  async close(): Promise<void> {
    const { dp, opt, model } = this.parts;
    await dp?.close();
    opt.dispose();
    model.dispose();
  }
}

/** Reads, cleans, tokenizes and packs `config.corpus` (with jieba word boundaries for whole-word masking). */
async function readCorpus(config: PretrainConfig, baseVocab: string[]): Promise<PreparedData> {
  return prepareData({
    sources: config.corpus,
    ...(config.decontaminate ? { decontaminate: config.decontaminate } : {}),
    baseVocab,
    vocab: config.vocab,
    minCount: config.minCount,
    clean: config.clean,
    maxSeqLen: config.maxSeqLen,
    heldoutPercent: config.heldoutPercent,
    segmenter: config.wwm ? await loadJieba() : undefined,
    maxDocuments: config.maxDocuments,
  });
}

/** Refuses to resume a checkpoint written from other training data or with another vocabulary. */
function checkResumable(ckpt: LoadedCheckpoint, data: PreparedData): void {
  if (ckpt.state.dataFingerprint !== data.train.fingerprint()) {
    throw new CheckpointError(
      `resume: the corpus gives different training data (${data.train.fingerprint()}) than the checkpoint ` +
        `(${ckpt.state.dataFingerprint}); same files and options are needed`,
    );
  }
  if (ckpt.vocab.length !== data.vocab.length || ckpt.vocab.some((t, i) => t !== data.vocab[i]))
    throw new CheckpointError("resume: the vocabulary differs from the checkpoint's");
}

/** The tracking run (MLflow when `config.track`), with the config and data counts as parameters. */
async function startRun(config: PretrainConfig, data: PreparedData, ckpt: LoadedCheckpoint | undefined): Promise<Run> {
  const tracker = config.track ? createTracker() : new NullTracker();
  const run: Run = await tracker.startRun({
    experimentName: config.experimentName,
    runName: basename(config.out),
    tags: { resumed_from_step: String(ckpt?.state.step ?? 0) },
  });
  await run.logParams({
    ...flatParams(config),
    vocab_size: data.vocab.length,
    train_chunks: data.train.size,
    heldout_chunks: data.heldout.size,
    ...flatParams(data.counts, 'data'),
  });
  return run;
}

/**
 * Worker threads holding MLM replicas of `model` (no pooler: MLM pretraining never trains it). The model
 * itself is the coordinator: the optimiser updates its variables and `publish()` copies them to the workers.
 */
async function startWorkers(model: BertModel, workers: number): Promise<DataParallel<MlmReplicaSpec, MlmShard>> {
  const variables = [...model.params.variables]
    .filter(([name]) => !name.startsWith('pooler.'))
    .map(([name, variable]) => ({ name, variable }));
  const coordinator: Replica<MlmShard> = {
    variables: () => variables,
    loss: () => {
      throw new ConfigError('the coordinator replica computes no loss');
    },
    weight: (shard) => shard.labels.length,
    dispose: () => undefined,
  };
  const spec: MlmReplicaSpec = { config: model.config };
  log.info(`pretrain: ${workers} data-parallel workers`);
  return DataParallel.create<MlmReplicaSpec, MlmShard>({
    module: moduleUrl('../parallel/mlm-replica.ts', import.meta.url),
    spec,
    workers,
    coordinator,
  });
}

/**
 * Splits a batch into `n` equal row shards (plain arrays for the workers), masked positions re-based to each shard's
 * rows.
 */
export function shardBatch(batch: HostBatch, n: number): MlmShard[] {
  return splitBatch(batch, n).map((b) => ({
    batch: b.batch,
    seq: b.seq,
    inputIds: Array.from(b.inputIds),
    positions: Array.from(b.positions),
    labels: Array.from(b.labels),
  }));
}

/** The model to train: from the checkpoint, from `init` (rows remapped to a pruned vocabulary), or random. */
function buildModel(
  config: PretrainConfig,
  vocab: readonly string[],
  baseVocab: readonly string[],
  ckpt: LoadedCheckpoint | undefined,
): BertModel {
  if (ckpt) return BertModel.fromStateDict(readBertConfig(ckpt.dir), ckpt.weights, { mlmHead: true });
  if (config.init !== undefined) {
    const initConfig = readBertConfig(config.init);
    let state = loadStateDict(config.init);
    if (vocab.length !== baseVocab.length || vocab.some((t, i) => t !== baseVocab[i])) {
      state = remapVocabState(state, vocabMapping(baseVocab, vocab), initConfig.initializerRange, config.seed);
    }
    return BertModel.fromStateDict({ ...initConfig, vocabSize: vocab.length }, state, { mlmHead: true });
  }
  const { layers, hidden, heads, ffn } = config.model;
  return BertModel.create(
    {
      ...BERT_DEFAULTS,
      numHiddenLayers: layers,
      hiddenSize: hidden,
      numAttentionHeads: heads,
      intermediateSize: ffn,
      vocabSize: vocab.length,
    },
    { pooler: true, mlmHead: true },
    config.seed,
  );
}
