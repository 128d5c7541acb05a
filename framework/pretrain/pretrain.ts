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
import type { MaskVocab } from './masking.js';
import { loadJieba, prepareData, type PreparedData } from './prepare.js';
import { ProgressBar } from './progress.js';
import { mixSeed } from './rng.js';
import { readVocab, remapVocabState, vocabMapping, writeVocab } from './vocab.js';
import { flatParams, writeTrainingState } from './report.js';

export interface PretrainOptions {
  /** Continue from `config.out/checkpoint`. */
  resume?: boolean;
  /** Prepared data (tests); read from `config.corpus` otherwise. */
  data?: PreparedData;
  /** Polled every step; true checkpoints and stops (SIGINT). */
  shouldStop?: () => boolean;
  /** Checkpoint and stop after this many steps, as if killed right after a checkpoint (resume tests). */
  haltAfterStep?: number;
  /** Show the progress bar on stderr. Default true. */
  progress?: boolean;
  /** Clock in ms (tests). */
  now?: () => number;
  /** Called after every step (tests watch `tf.memory()` here). */
  onStep?: (step: number, loss: number) => void;
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

/**
 * Runs (or resumes) pretraining per `config`; writes the model to `config.out` when maxSteps is reached.
 * @example
 * await initBackend();
 * const r = await pretrain(resolvePretrainConfig({ corpus: [{ path: 'corpora/*.txt' }], out: 'runs/zh', init: 'models/zh-mini-starter', maxSteps: 2000 }));
 * r.heldout?.accuracy; // → e.g. 0.19
 */
export async function pretrain(config: PretrainConfig, options: PretrainOptions = {}): Promise<PretrainResult> {
  const now = options.now ?? Date.now;
  const ckpt: LoadedCheckpoint | undefined = options.resume ? loadCheckpoint(config.out) : undefined;
  const baseVocab = readVocab(config.init !== undefined ? join(config.init, 'vocab.txt') : (config.vocabFile ?? ''));
  const data =
    options.data ??
    (await prepareData({
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
    }));
  log.info(
    `pretrain data: ${JSON.stringify(data.counts)}; vocab ${data.vocab.length}; ${data.train.size} train / ${data.heldout.size} held-out chunks of ${config.maxSeqLen}`,
  );
  if (ckpt) {
    if (ckpt.state.dataFingerprint !== data.train.fingerprint()) {
      throw new CheckpointError(
        `resume: the corpus gives different training data (${data.train.fingerprint()}) than the checkpoint (${ckpt.state.dataFingerprint}); same files and options are needed`,
      );
    }
    if (ckpt.vocab.length !== data.vocab.length || ckpt.vocab.some((t, i) => t !== data.vocab[i]))
      throw new CheckpointError("resume: the vocabulary differs from the checkpoint's");
  }
  const model = buildModel(config, data.vocab, baseVocab, ckpt);
  const dp = config.workers > 1 ? await startWorkers(model, config.workers) : undefined;
  const opt = new AdamW(model.params.decayGroups(config.lr, config.weightDecay), { maxGradNorm: config.maxGradNorm });
  if (ckpt) opt.loadState(ckpt.optimizer.step, ckpt.optimizer.slots);
  const schedule = lrSchedule({ kind: config.schedule, warmupSteps: config.warmupSteps, totalSteps: config.maxSteps });
  const order = ckpt ? DataOrder.fromState(ckpt.state.dataOrder) : new DataOrder(data.train.size, config.seed);
  const maskVocab: MaskVocab = {
    maskId: data.tokenizer.special.mask,
    isSpecial: (id) => data.tokenizer.isSpecial(id),
    randomIds: Int32Array.from(data.vocab.keys()).filter((id) => !data.tokenizer.isSpecial(id)),
  };
  const masking = { probability: config.maskProbability, wholeWord: config.wwm };
  // Evaluation runs on this thread: at most 32 chunks per forward pass (batch 128 overflows tfjs-wasm's kernels).
  const evalOpts = {
    chunks: config.evalChunks,
    batchSize: Math.min(config.batchSize, 32),
    probability: config.maskProbability,
  };
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

  let step = ckpt?.state.step ?? 0;
  let tokensSeen = ckpt?.state.tokensSeen ?? 0;
  let elapsed = ckpt?.state.elapsedSeconds ?? 0;
  const losses: number[] = [];
  let lastLoss = ckpt?.state.lastLoss;
  let heldout: HeldoutMetrics | undefined;
  const evaluate = async (): Promise<HeldoutMetrics> => {
    model.eval();
    const m = evaluateHeldout(model, data.heldout, maskVocab, evalOpts);
    await run.logMetrics({ heldout_mlm_accuracy: m.accuracy, heldout_loss: m.loss }, step);
    if (options.probe) {
      const probe = await options.probe(model, data.vocab);
      await run.logMetrics(Object.fromEntries(Object.entries(probe).map(([k, v]) => [`probe_${k}`, v])), step);
      log.info(
        `step ${step}: held-out acc ${m.accuracy.toFixed(4)}; probe ${Object.entries(probe)
          .map(([k, v]) => `${k} ${v.toFixed(4)}`)
          .join(', ')}`,
      );
    }
    return m;
  };
  const initialHeldout = step === 0 && data.heldout.size > 0 ? await evaluate() : undefined;
  heldout = initialHeldout;
  if (initialHeldout)
    log.info(
      `held-out before training: acc ${initialHeldout.accuracy.toFixed(4)}, loss ${initialHeldout.loss.toFixed(3)} (${initialHeldout.predictions} predictions)`,
    );

  const checkpoint = (): void => {
    saveCheckpoint(config.out, model, opt, data.vocab, {
      step,
      tokensSeen,
      dataOrder: order.state(),
      dataFingerprint: data.train.fingerprint(),
      elapsedSeconds: elapsed,
      lastLoss,
      config,
    });
  };
  mkdirSync(config.out, { recursive: true });
  const bar = new ProgressBar(process.stderr, options.progress ?? true);
  const started = now();
  let lastCheckpoint = now();
  let windowStart = now();
  let windowTokens = 0;
  let windowSteps = 0;
  let tokensPerSecond = 0;
  let secondsPerStep = 0;
  let completed = false;
  try {
    while (true) {
      if (step >= config.maxSteps) {
        completed = true;
        break;
      }
      const overTime = config.maxMinutes !== undefined && now() - started >= config.maxMinutes * 60_000;
      if (overTime || options.shouldStop?.()) {
        checkpoint();
        break;
      }
      const tStep = now();
      const batch = buildBatch(data.train, order.next(config.batchSize), maskVocab, config.seed, masking);
      model.train();
      const dropoutSeed = (mixSeed(config.seed, DROPOUT_SALT, step) % 2147483646) + 1;
      const { loss, grads } = dp
        ? await dp.gradients(shardBatch(batch, dp.size), dropoutSeed)
        : accumulatedLossAndGrads(model, batch, config.gradientAccumulation, dropoutSeed);
      const { gradNorm } = opt.step(grads, schedule(step));
      tf.dispose(Object.values(grads));
      dp?.publish();
      if (!Number.isFinite(loss))
        throw new ConfigError(`loss became ${loss} at step ${step}; lower lr (${config.lr}) or check the data`);
      step++;
      tokensSeen += batch.inputIds.length;
      losses.push(loss);
      lastLoss = loss;
      elapsed += (now() - tStep) / 1000;
      windowTokens += batch.inputIds.length;
      windowSteps++;
      if (windowSteps >= config.logEvery || step === config.maxSteps) {
        const seconds = Math.max(1e-3, (now() - windowStart) / 1000);
        tokensPerSecond = windowTokens / seconds;
        secondsPerStep = seconds / windowSteps;
        const recent = losses.slice(-windowSteps);
        await run.logMetrics(
          {
            loss: recent.reduce((a, b) => a + b, 0) / recent.length,
            lr: config.lr * schedule(step - 1),
            grad_norm: gradNorm,
            tokens_per_s: tokensPerSecond,
            epoch: order.progress,
          },
          step,
        );
        windowStart = now();
        windowTokens = 0;
        windowSteps = 0;
      }
      if (step % config.evalEvery === 0 && step < config.maxSteps) heldout = await evaluate();
      options.onStep?.(step, loss);
      // Let a pending SIGINT handler run (signals arrive as macrotasks; a loop of awaited microtasks never sees them).
      await new Promise((resolve) => setImmediate(resolve));
      bar.update({
        step,
        total: config.maxSteps,
        tokensPerSecond,
        loss,
        accuracy: heldout?.accuracy,
        epoch: order.progress,
        secondsPerStep,
      });
      if (options.haltAfterStep !== undefined && step >= options.haltAfterStep && step < config.maxSteps) {
        checkpoint();
        break;
      }
      if (now() - lastCheckpoint >= config.checkpointMinutes * 60_000) {
        checkpoint();
        lastCheckpoint = now();
      }
    }
    bar.done();
    if (completed) {
      heldout = data.heldout.size > 0 ? await evaluate() : undefined;
      checkpoint();
      savePretrained(model, config.out, { dtype: config.saveDtype });
      writeVocab(join(config.out, 'vocab.txt'), data.vocab);
      writeFileSync(
        join(config.out, 'tokenizer_config.json'),
        `${JSON.stringify({ tokenizer_class: 'BertTokenizer', do_lower_case: true, model_max_length: 512 }, null, 2)}\n`,
      );
      const statePath = writeTrainingState(config.out, {
        step,
        tokensSeen,
        elapsed,
        heldout,
        initialHeldout: initialHeldout,
        data,
        config,
      });
      await run.logArtifact(statePath);
    }
    await run.end('FINISHED');
    return { step, tokensSeen, losses, initialHeldout, heldout, completed, tokensPerSecond };
  } catch (error) {
    bar.done();
    await run.end('FAILED').catch(() => undefined);
    throw error;
  } finally {
    await dp?.close();
    opt.dispose();
    model.dispose();
  }
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
    module: new URL('../parallel/mlm-replica.ts', import.meta.url).href,
    spec,
    workers,
    coordinator,
  });
}

/** Splits a batch into `n` equal row shards (plain arrays for the workers), masked positions re-based to each shard's rows. */
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
