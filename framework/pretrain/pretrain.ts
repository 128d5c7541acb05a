/**
 * MLM pretraining on the framework's `Trainer`: an {@link MlmObjective} over packed chunks, the trainer's seeded
 * order, gradient accumulation, AdamW with warm-up and decay, and atomic checkpoints (here in pretraining's own layout,
 * {@link PretrainStore}, on a time cadence), from which `resume` reproduces the uninterrupted run exactly: data order,
 * masks and dropout are functions of (seed, epoch, chunk, step). This file adds what is pretraining's own: the corpus,
 * held-out MLM accuracy and probes as the evaluation, windowed logging of throughput, and the final model files.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { ConfigError } from '../errors.js';
import { log } from '../log.js';
import type { BertModel } from '../model/bert.js';
import { savePretrained } from '../model/pretrained.js';
import { DataParallel } from '../parallel/data-parallel.js';
import type { MlmReplicaSpec, MlmShard } from '../parallel/mlm-replica.js';
import type { Replica } from '../parallel/replica.js';
import { createTracker, NullTracker, type Run } from '../tracking/index.js';
import { type StepInfo, Trainer, type TrainerOptions } from '../trainer/trainer.js';
import { evaluateHeldout, type HeldoutMetrics } from './batch.js';
import { PretrainStore, readCheckpointState } from './checkpoint.js';
import type { PretrainConfig } from './config.js';
import { ElectraObjective } from './electra.js';
import { createObjective, buildModel, type PretrainObjective } from './models.js';
import { chunkIndices } from './objective.js';
import { loadJieba, prepareData, type PreparedData } from './prepare.js';
import { readVocab, writeVocab } from './vocab.js';
import { flatParams, writeTrainingState } from './report.js';
import { moduleUrl } from '../package-paths.js';

export interface PretrainOptions {
  /** Continue from `config.out/checkpoint`. */
  resume?: boolean;
  /** Resume even when the run's settings differ from the checkpoint's (an intentional change). */
  resumeForce?: boolean;
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
  /** The last evaluation's metrics (`heldout`'s under their tracked names, or ELECTRA's generator and detection). */
  metrics: Record<string, number> | undefined;
  /** True when maxSteps was reached and the final model written. */
  completed: boolean;
  tokensPerSecond: number;
}

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
  if (config.objective === 'electra' && options.probe)
    throw new ConfigError(
      '--probe scores label words with the MLM head, which the ELECTRA discriminator does not have',
    );
  const baseVocab = readVocab(config.init !== undefined ? join(config.init, 'vocab.txt') : (config.vocabFile ?? ''));
  const data = options.data ?? (await readCorpus(config, baseVocab));
  log.info(
    `pretrain data: ${JSON.stringify(data.counts)}; vocab ${data.vocab.length}; ` +
      `${data.train.size} train / ${data.heldout.size} held-out chunks of ${config.maxSeqLen}`,
  );
  const saved = options.resume ? readCheckpointState(config.out) : undefined;
  const model = buildModel(config, data.vocab, baseVocab, saved?.dir);
  const dp = config.workers > 1 ? await startWorkers(model, config.workers) : undefined;
  let run: Run | undefined;
  let session: PretrainSession | undefined;
  try {
    run = await startRun(config, data, saved?.state.trainer.step ?? 0);
    session = new PretrainSession(config, options, data, model, run, dp);
    const result = await session.run(saved === undefined);
    await run.end('FINISHED');
    return result;
  } catch (error) {
    await run?.end('FAILED').catch(() => undefined);
    throw error;
  } finally {
    await dp?.close();
    if (session?.objective instanceof ElectraObjective) session.objective.dispose();
    model.dispose();
  }
}

/**
 * One invocation of {@link pretrain}: the objective and the trainer's hooks — held-out evaluation with probes, the
 * step hook (counters, windowed logging, time limit, stop requests), the progress fields — and the final files.
 */
class PretrainSession {
  /** Training loss of every step this invocation ran. */
  readonly losses: number[] = [];
  heldout: HeldoutMetrics | undefined;
  tokensPerSecond = 0;
  readonly objective: PretrainObjective;
  /** The last evaluation's metrics (held-out MLM, or ELECTRA's generator and detection metrics). */
  metrics: Record<string, number> | undefined;
  private readonly store: PretrainStore;
  private readonly now: () => number;
  private started = 0;
  /** The steps since metrics were last logged: when they began, their tokens, how many. */
  private window = { start: 0, tokens: 0, steps: 0 };
  private tokensAtLastStep = 0;

  constructor(
    readonly config: PretrainConfig,
    readonly options: PretrainOptions,
    readonly data: PreparedData,
    readonly model: BertModel,
    readonly tracking: Run,
    dp: DataParallel<MlmReplicaSpec, MlmShard> | undefined,
  ) {
    this.now = options.now ?? Date.now;
    this.objective = createObjective(config, data, model, dp);
    this.store = new PretrainStore(config, model.config, data.vocab, data.train.fingerprint(), () => this.progress());
  }

  /** Tokens and seconds so far, over every invocation (what checkpoints save). */
  private progress(): { tokensSeen: number; elapsedSeconds: number } {
    const before = this.store.restored;
    return {
      tokensSeen: (before?.tokensSeen ?? 0) + this.objective.tokensDrawn,
      elapsedSeconds: (before?.elapsedSeconds ?? 0) + (this.now() - this.started) / 1000,
    };
  }

  /** Trains to maxSteps or until stopped; at maxSteps writes the model. `fresh`: evaluate the starting weights. */
  async run(fresh: boolean): Promise<PretrainResult> {
    const { config, data } = this;
    if (fresh && data.heldout.size > 0) await this.evaluate(0);
    const initialHeldout = this.heldout;
    if (initialHeldout)
      log.info(
        `held-out before training: acc ${initialHeldout.accuracy.toFixed(4)} ` +
          `(context shuffled ${initialHeldout.accuracyShuffled?.toFixed(4)}), ` +
          `loss ${initialHeldout.loss.toFixed(3)} (${initialHeldout.predictions} predictions)`,
      );
    mkdirSync(config.out, { recursive: true });
    this.started = this.now();
    this.window.start = this.started;
    const fit = await new Trainer(this.objective, this.trainerOptions()).fit(chunkIndices(data.train), []);
    const completed = fit.steps >= config.maxSteps && !fit.interrupted;
    if (completed) await this.finish(initialHeldout);
    const { tokensSeen } = this.progress();
    const { losses, heldout, tokensPerSecond } = this;
    const { metrics } = this;
    return { step: fit.steps, tokensSeen, losses, initialHeldout, heldout, metrics, completed, tokensPerSecond };
  }

  private trainerOptions(): TrainerOptions<number> {
    const { config, options, data } = this;
    return {
      maxSteps: config.maxSteps,
      batchSize: config.batchSize / config.gradientAccumulation,
      gradientAccumulation: config.gradientAccumulation,
      evalEvery: config.evalEvery,
      seed: config.seed,
      schedule: config.schedule,
      warmupSteps: config.warmupSteps,
      maxGradNorm: config.maxGradNorm,
      evaluate: async (_dev, step) => ({ metrics: await this.evaluate(step) }),
      checkpointStore: this.store,
      checkpointMinSeconds: config.checkpointMinutes * 60,
      checkpointEverySeconds: config.checkpointMinutes * 60,
      resume: options.resume ?? false,
      ...(options.resumeForce ? { resumeForce: true } : {}),
      dataFingerprint: this.store.dataFingerprint, // hashed once: a pass over every training token
      identity: {
        objective: config.objective,
        ...(config.objective === 'electra'
          ? {
              generatorHidden: config.generatorHidden,
              generatorLayers: config.generatorLayers,
              discriminatorWeight: config.discriminatorWeight,
            }
          : {}),
        maxSeqLen: config.maxSeqLen,
        maskProbability: config.maskProbability,
        wwm: config.wwm,
        weightDecay: config.weightDecay,
        vocabSize: data.vocab.length,
      },
      progress: options.progress ?? true,
      label: 'pretrain',
      handleSigint: false,
      progressFields: (s) => ({
        epoch: (this.progress().tokensSeen / (config.maxSeqLen * data.train.size)).toFixed(2),
        'tok/s': Math.round(this.tokensPerSecond),
        loss: s.loss.toFixed(3),
        // Named by the objective, not by what was measured yet (a resumed run has no evaluation until its first).
        ...(config.objective === 'mlm'
          ? { 'held-out acc': this.heldout?.accuracy.toFixed(4) ?? '-' }
          : { 'rtd acc': (this.heldout?.accuracy ?? this.metrics?.['rtd_accuracy'])?.toFixed(4) ?? '-' }),
      }),
      onStep: (s) => this.afterStep(s),
    };
  }

  /** Counts and logs the step; `'stop'` at the time limit, on a stop request or when `options.onStep` says so. */
  private async afterStep(s: StepInfo): Promise<'stop' | undefined> {
    const { config, options } = this;
    this.losses.push(s.loss);
    const drawn = this.objective.tokensDrawn;
    this.window.tokens += drawn - this.tokensAtLastStep;
    this.tokensAtLastStep = drawn;
    this.window.steps++;
    if (this.window.steps >= config.logEvery || s.step === config.maxSteps) await this.logWindow(s);
    const verdict = options.onStep?.(s.step, s.loss);
    const overTime = config.maxMinutes !== undefined && this.now() - this.started >= config.maxMinutes * 60_000;
    return verdict === 'stop' || overTime || options.shouldStop?.() ? 'stop' : undefined;
  }

  /** Logs the window's mean loss, the learning rate, the gradient norm and throughput; starts a new window. */
  private async logWindow(s: StepInfo): Promise<void> {
    const { config, data } = this;
    const seconds = Math.max(1e-3, (this.now() - this.window.start) / 1000);
    this.tokensPerSecond = this.window.tokens / seconds;
    const recent = this.losses.slice(-this.window.steps);
    await this.tracking.logMetrics(
      {
        loss: recent.reduce((a, b) => a + b, 0) / recent.length,
        lr: s.lr,
        grad_norm: s.gradNorm,
        tokens_per_s: this.tokensPerSecond,
        epoch: this.progress().tokensSeen / (config.maxSeqLen * data.train.size),
      },
      s.step,
    );
    this.window = { start: this.now(), tokens: 0, steps: 0 };
  }

  /** Held-out metrics at `step`, logged: MLM accuracy and loss (and the probe's), or ELECTRA's. */
  async evaluate(step: number): Promise<Record<string, number>> {
    const { config, data } = this;
    if (this.objective instanceof ElectraObjective) {
      const m = this.objective.heldout(data.heldout, config.evalChunks, Math.min(config.batchSize, 32));
      await this.tracking.logMetrics(m, step);
      log.info(
        `step ${step}: ${Object.entries(m)
          .map(([k, v]) => `${k} ${v.toFixed(4)}`)
          .join(', ')}`,
      );
      return (this.metrics = m);
    }
    this.heldout = await this.evaluateMlm(step);
    return (this.metrics = heldoutMetrics(this.heldout));
  }

  /** Held-out MLM accuracy and loss (and the probe's metrics), logged at `step`. */
  private async evaluateMlm(step: number): Promise<HeldoutMetrics> {
    const { config, options, data, model } = this;
    const m = evaluateHeldout(model, data.heldout, this.objective.parts.vocab, {
      chunks: config.evalChunks,
      // At most 32 chunks per forward pass (batch 128 overflows tfjs-wasm's kernels).
      batchSize: Math.min(config.batchSize, 32),
      probability: config.maskProbability,
      shuffled: true,
    });
    await this.tracking.logMetrics(heldoutMetrics(m), step);
    let line = `step ${step}: held-out acc ${m.accuracy.toFixed(4)} (context shuffled ${
      m.accuracyShuffled?.toFixed(4) ?? '-'
    }), loss ${m.loss.toFixed(3)}`;
    if (options.probe) {
      const probe = await options.probe(model, data.vocab);
      await this.tracking.logMetrics(
        Object.fromEntries(Object.entries(probe).map(([k, v]) => [`probe_${k}`, v])),
        step,
      );
      line += `; probe ${Object.entries(probe)
        .map(([k, v]) => `${k} ${v.toFixed(4)}`)
        .join(', ')}`;
    }
    log.info(line);
    return m;
  }

  /** At maxSteps: the model, vocabulary, tokenizer config and training report in `config.out`. */
  private async finish(initialHeldout: HeldoutMetrics | undefined): Promise<void> {
    const { config, data, model } = this;
    // A resumed run that was already complete has not evaluated in this invocation.
    if (!this.metrics && data.heldout.size > 0) await this.evaluate(config.maxSteps);
    savePretrained(model, config.out, { dtype: config.saveDtype });
    if (this.objective instanceof ElectraObjective) {
      // The generator beside the discriminator: an MLM of its own, and what a continued ELECTRA run starts from.
      const dir = join(config.out, 'generator');
      savePretrained(this.objective.parts.generator, dir, { dtype: config.saveDtype });
      writeVocab(join(dir, 'vocab.txt'), data.vocab);
    }
    writeVocab(join(config.out, 'vocab.txt'), data.vocab);
    writeFileSync(join(config.out, 'tokenizer_config.json'), `${JSON.stringify(TOKENIZER_CONFIG, null, 2)}\n`);
    const { tokensSeen, elapsedSeconds } = this.progress();
    const statePath = writeTrainingState(config.out, {
      step: config.maxSteps,
      tokensSeen,
      elapsed: elapsedSeconds,
      heldout: this.heldout,
      initialHeldout,
      data,
      config,
    });
    await this.tracking.logArtifact(statePath);
  }
}

/** The tracked names of held-out metrics. */
function heldoutMetrics(m: HeldoutMetrics): Record<string, number> {
  return {
    heldout_mlm_accuracy: m.accuracy,
    heldout_loss: m.loss,
    // Accuracy with the context's order destroyed: the gap is how much word order the model uses.
    heldout_mlm_accuracy_shuffled: m.accuracyShuffled ?? 0,
  };
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

/** The tracking run (MLflow when `config.track`), with the config and data counts as parameters. */
async function startRun(config: PretrainConfig, data: PreparedData, resumedAt: number): Promise<Run> {
  const tracker = config.track ? createTracker() : new NullTracker();
  const run: Run = await tracker.startRun({
    experimentName: config.experimentName,
    runName: basename(config.out),
    tags: { resumed_from_step: String(resumedAt) },
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
