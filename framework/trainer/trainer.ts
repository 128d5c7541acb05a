import { tf } from '../backend/tf.js';
import type { HostTensor } from '../checkpoint/host-tensor.js';
import { log } from '../log.js';
import { ConfigError } from '../errors.js';
import { AdamW } from '../optim/adamw.js';
import { lrSchedule, type ScheduleKind } from '../optim/schedule.js';
import type { Run } from '../tracking/base.js';
import { type CheckpointStore, directoryStore, type TrainerState } from './checkpoint.js';
import { evaluate } from './evaluate.js';
import { identityDiff, identityFingerprint, runIdentity } from './identity.js';
import { GradientSum } from './gradient-sum.js';
import type { LossAndGrads, Objective } from './objective.js';
import { ProgressBar } from './progress.js';
import { epochOrder } from '../random.js';

/** How to train. Either `epochs` or `maxSteps` bounds the run (`maxSteps` wins when both are set). */
export interface TrainerOptions<E = unknown> {
  epochs?: number;
  maxSteps?: number;
  batchSize: number;
  /** Micro-batches per optimiser step. */
  gradientAccumulation?: number;
  /** Evaluate on dev every N optimiser steps (default: at the end of each epoch). */
  evalEvery?: number;
  /** Stop after this many evaluations without a better dev score. */
  earlyStoppingPatience?: number;
  /**
   * Evaluates the current weights at each evaluation (default: dev accuracy by `evaluate` with the objective in eval
   * mode, as `{ score }`). Lets a run score a large dev set elsewhere (ONNX Runtime through an export of the current
   * weights), or report metrics that select nothing (pretraining's held-out MLM accuracy and probes).
   */
  evaluate?: (dev: E[], step: number) => EvalReport | Promise<EvalReport>;
  seed: number;
  schedule?: ScheduleKind;
  /** Warm-up as a fraction of the run's steps… */
  warmupRatio?: number;
  /** …or as a number of steps (wins when both are set). */
  warmupSteps?: number;
  weightDecay?: number;
  maxGradNorm?: number;
  adamEps?: number;
  /** Where checkpoints go, in the trainer's layout; none are written when neither this nor `checkpointStore` is set. */
  checkpointDir?: string;
  /** A checkpoint layout of the caller's (wins over `checkpointDir`). */
  checkpointStore?: CheckpointStore;
  /** Also write a checkpoint after any step that ends this many seconds after the last one (a time cadence). */
  checkpointEverySeconds?: number;
  /** Write a checkpoint every N optimiser steps (and at every evaluation, and on SIGINT). */
  checkpointEvery?: number;
  /**
   * At evaluations, write a checkpoint only when this many seconds passed since the last one (default 0: every
   * evaluation). Short runs evaluated every few steps otherwise spend much of their time writing weights,
   * best weights and Adam moments (≈ 135 MB for the shipped model); SIGINT and `checkpointEvery` still write.
   */
  checkpointMinSeconds?: number;
  /**
   * Identifies the training and dev data in the resume identity, where hashing the examples says nothing or costs
   * too much (pretraining's chunk indices: the corpus fingerprint). Default: a hash of the examples.
   */
  dataFingerprint?: string;
  /** Continue from the checkpoint store if it holds a checkpoint of the same configuration. */
  resume?: boolean;
  /**
   * What else defines the run beyond the trainer's own options (task, split, method, template, label words, model…),
   * JSON-safe. It joins the resume identity: a checkpoint of another identity is refused, naming the fields.
   */
  identity?: Record<string, unknown>;
  /** Resume even when the identity differs (an intentional change; `--resume-force`). */
  resumeForce?: boolean;
  /** Progress bar on stderr (default on). */
  progress?: boolean;
  /** The fields the progress bar shows after each step (default: loss, learning rate, best dev score). */
  progressFields?: (step: StepInfo) => Record<string, string | number>;
  label?: string;
  /** Tracking run for per-step metrics. */
  run?: Run;
  /** Save a checkpoint and stop on SIGINT (default on when checkpoints are written). */
  handleSigint?: boolean;
  /**
   * Called after each optimiser step (after that step's evaluation or checkpoint; not after one whose evaluation
   * stopped the run early) with its training loss and learning rate: for custom logging, or to end the run early.
   * Returning `'stop'` stops as SIGINT does: a checkpoint (when `checkpointDir` is set) that `resume` continues from,
   * the best weights restored, and
   * `interrupted` in the result. An exception thrown here ends `fit` with it, writing nothing more.
   * @example onStep: ({ step, loss }) => (loss < 0.01 || step >= budget ? 'stop' : undefined)
   */
  onStep?: (step: StepInfo) => 'stop' | undefined | Promise<'stop' | undefined>;
}

/** One finished optimiser step, as {@link TrainerOptions.onStep} sees it. */
export interface StepInfo {
  /** Optimiser steps so far (1 after the first). */
  step: number;
  /** Mean training loss of the step's micro-batches. */
  loss: number;
  /** The learning rate the step used (the first parameter group's). */
  lr: number;
  /** Global gradient norm before clipping. */
  gradNorm: number;
}

/**
 * What an evaluation found: `score` (higher is better) selects the best weights and drives early stopping; an
 * evaluation without one selects nothing. `metrics` are logged (default: `{ dev_accuracy: score }`).
 */
export interface EvalReport {
  score?: number;
  metrics?: Record<string, number>;
}

export interface FitResult {
  bestDev: number;
  bestStep: number;
  steps: number;
  history: TrainerState['history'];
  interrupted: boolean;
}

/**
 * The training loop: seeded shuffling, gradient accumulation, AdamW with warm-up and decay, dev
 * evaluation every N steps, best checkpoint chosen on dev only (test never selects anything), early
 * stopping, atomic checkpoints, resume, SIGINT handling, progress bar, tracking.
 * @example
 * const result = await new Trainer(objective, { epochs: 10, batchSize: 8, seed: 42 }).fit(train, dev);
 * result.bestDev; // → 0.85 (dev accuracy of the restored best weights)
 */
export class Trainer<E, B> {
  constructor(
    readonly objective: Objective<E, B>,
    readonly options: TrainerOptions<E>,
  ) {
    if (!(options.batchSize >= 1)) throw new ConfigError(`batchSize must be ≥ 1, got ${options.batchSize}`);
    if (options.epochs === undefined && options.maxSteps === undefined) throw new ConfigError('set epochs or maxSteps');
  }

  /** The checkpoint store (`checkpointStore`, or the trainer's layout in `checkpointDir`), if checkpoints are kept. */
  private get store(): CheckpointStore | undefined {
    const o = this.options;
    return o.checkpointStore ?? (o.checkpointDir !== undefined ? directoryStore(o.checkpointDir) : undefined);
  }

  async fit(train: E[], dev: E[]): Promise<FitResult> {
    const o = this.options;
    if (train.length === 0) throw new ConfigError('no training examples');
    const ctx = this.startFit(train, dev);
    const onSigint = () => {
      ctx.interrupted = true;
    };
    const sigint = o.handleSigint ?? ctx.store !== undefined;
    if (sigint) process.on('SIGINT', onSigint);
    ctx.lastSave = Date.now();

    const bar = new ProgressBar(o.label ?? 'train', ctx.totalSteps, {
      enabled: o.progress ?? true,
      startAt: ctx.state.step,
    });
    try {
      while (ctx.state.step < ctx.totalSteps && !ctx.interrupted) {
        const stepped = await this.optimizerStep(ctx);
        if (!stepped) continue;
        const { state } = ctx;
        const final = state.step === ctx.totalSteps;
        if (state.step % ctx.evalEvery === 0 || final) {
          if (await this.evaluateStep(ctx, final)) break;
        } else if (
          (o.checkpointEvery && state.step % o.checkpointEvery === 0) ||
          (o.checkpointEverySeconds !== undefined && Date.now() - ctx.lastSave >= o.checkpointEverySeconds * 1000)
        ) {
          this.save(ctx);
        }
        const best = state.bestMetric === -Infinity ? '-' : state.bestMetric;
        bar.update(state.step, o.progressFields?.(stepped) ?? { loss: stepped.loss, lr: stepped.lr, dev: best });
        // Signals are delivered from the event loop's macrotask queue: let a pending SIGINT run its handler.
        if (sigint) await new Promise((resolve) => setImmediate(resolve));
        if ((await o.onStep?.(stepped)) === 'stop' && !final) ctx.interrupted = true;
      }
      if (ctx.interrupted) this.save(ctx);
    } finally {
      bar.done();
      if (sigint) process.off('SIGINT', onSigint);
      ctx.optimizer.dispose();
    }
    if (ctx.best) this.objective.restore(ctx.best);
    return fitResult(ctx.state, ctx.interrupted);
  }

  /** The run's plan, optimiser and initial state: fresh, or from the checkpoint when resuming. */
  private startFit(train: E[], dev: E[]): FitContext<E> {
    const o = this.options;
    const accumulation = o.gradientAccumulation ?? 1;
    const stepsPerEpoch = Math.max(1, Math.ceil(train.length / (o.batchSize * accumulation)));
    const totalSteps = o.maxSteps ?? stepsPerEpoch * (o.epochs ?? 1);
    const evalEvery = o.evalEvery ?? stepsPerEpoch;
    const schedule = lrSchedule({
      kind: o.schedule ?? 'linear',
      warmupSteps: o.warmupSteps ?? Math.round((o.warmupRatio ?? 0) * totalSteps),
      totalSteps,
    });
    const optimizer = new AdamW(
      this.objective.paramGroups().map((g) => ({ ...g, weightDecay: g.weightDecay ?? o.weightDecay ?? 0 })),
      { maxGradNorm: o.maxGradNorm ?? 1, eps: o.adamEps ?? 1e-8 },
    );
    const identity = runIdentity(
      o,
      this.objective.paramGroups().map((g) => g.lr),
      train,
      dev,
    );
    const fingerprint = identityFingerprint(identity);
    const ctx: FitContext<E> = {
      train,
      dev,
      accumulation,
      totalSteps,
      evalEvery,
      schedule,
      optimizer,
      store: this.store,
      state: {
        step: 0,
        epoch: 0,
        offset: 0,
        bestMetric: -Infinity,
        bestStep: -1,
        evalsWithoutImprovement: 0,
        history: [],
        optimizerStep: 0,
        fingerprint,
        identity,
      },
      best: undefined,
      order: undefined,
      lastSave: 0,
      interrupted: false,
    };
    if (o.resume && ctx.store) this.resumeFrom(ctx, ctx.store, fingerprint, identity);
    return ctx;
  }

  /**
   * Continues from the store's checkpoint, if there is one: state, weights, best weights and Adam moments. A
   * checkpoint of another configuration is refused unless `resumeForce` is set.
   */
  private resumeFrom(
    ctx: FitContext<E>,
    store: CheckpointStore,
    fingerprint: string,
    identity: Record<string, unknown>,
  ): void {
    const ckpt = store.load();
    if (!ckpt) return;
    if (ckpt.state.fingerprint !== fingerprint) {
      const diff = identityDiff(ckpt.state.identity, identity);
      const where = store.location;
      if (!this.options.resumeForce) {
        throw new ConfigError(
          `${where}: the checkpoint was written by another configuration (${diff}); ` +
            'resume with the same settings, pass --resume-force to continue with these, or remove it',
        );
      }
      log.warn(`${where}: resuming a checkpoint of another configuration (${diff}) as --resume-force asks`);
    }
    ctx.state = { ...ckpt.state, fingerprint, identity };
    this.objective.restore(ckpt.weights);
    ctx.best = ckpt.best.size > 0 ? ckpt.best : undefined;
    const slots = [...new Set([...ckpt.optimizer.keys()].map((k) => Number(k.split('.')[1])))].map((index) => ({
      index,
      m: ckpt.optimizer.get(`m.${index}`)!.data as Float32Array,
      v: ckpt.optimizer.get(`v.${index}`)!.data as Float32Array,
    }));
    ctx.optimizer.loadState(ctx.state.optimizerStep, slots);
  }

  /**
   * One optimiser step: the accumulated micro-batch gradients (averaged), AdamW at the scheduled learning rate,
   * the history entry and tracked metrics. Undefined when the epoch had no batch left (nothing was stepped).
   */
  private async optimizerStep(ctx: FitContext<E>): Promise<StepInfo | undefined> {
    const { state } = ctx;
    const { grads, lossSum, divisor } = await this.accumulateGradients(ctx);
    if (!grads) return undefined;
    const loss = lossSum / divisor;
    if (!Number.isFinite(loss)) {
      tf.dispose(Object.values(grads));
      throw new ConfigError(`training loss became ${loss} at step ${state.step + 1}; lower the learning rate`);
    }
    if (divisor !== 1) {
      // Accumulated gradients are (weighted) sums of per-micro-batch means: average them.
      for (const [k, t] of Object.entries(grads)) {
        grads[k] = tf.div(t, divisor);
        t.dispose();
      }
    }
    const lrScale = ctx.schedule(state.step);
    const { gradNorm } = ctx.optimizer.step(grads, lrScale);
    tf.dispose(Object.values(grads));
    this.objective.afterUpdate?.();
    state.step++;
    const lr = (this.objective.paramGroups()[0]?.lr ?? 0) * lrScale;
    state.history.push({ step: state.step, loss, lr });
    await this.options.run?.logMetrics({ loss, lr }, state.step);
    return { step: state.step, loss, lr, gradNorm };
  }

  /** The examples' order in the current epoch (computed once per epoch). */
  private epochOrder(ctx: FitContext<E>): number[] {
    const { state } = ctx;
    if (ctx.order?.epoch !== state.epoch)
      ctx.order = { epoch: state.epoch, indices: epochOrder(ctx.train.length, this.options.seed, state.epoch) };
    return ctx.order.indices;
  }

  /**
   * Runs up to `gradientAccumulation` micro-batches from the epoch's seeded order and sums their gradients (weighted
   * by the objective's `batchWeight` when it has one); moves on to the next epoch when this one is used up. `divisor`
   * turns the sums into the step's averages.
   */
  private async accumulateGradients(ctx: FitContext<E>): Promise<{
    grads: Record<string, tf.Tensor> | undefined;
    lossSum: number;
    divisor: number;
  }> {
    const o = this.options;
    const { state, train } = ctx;
    const order = this.epochOrder(ctx);
    const sum = new GradientSum(this.objective.batchWeight !== undefined);
    for (let micro = 0; micro < ctx.accumulation; micro++) {
      const indices = order.slice(state.offset, state.offset + o.batchSize);
      state.offset += o.batchSize;
      if (indices.length === 0) break;
      const batch = this.objective.makeBatch(
        indices.map((i) => train[i]!),
        true,
        { epoch: state.epoch },
      );
      const seed = (o.seed * 1_000_003 + state.step * 97 + micro) >>> 0;
      try {
        sum.add(await this.lossAndGrads(batch, seed), this.objective.batchWeight?.(batch) ?? 1);
      } finally {
        this.objective.disposeBatch(batch);
      }
      if (state.offset >= train.length) break;
    }
    if (state.offset >= train.length) {
      state.epoch++;
      state.offset = 0;
    }
    return sum.result();
  }

  /** A micro-batch's loss and gradients: the objective's own, or `tf.variableGrads` of its loss. */
  private async lossAndGrads(batch: B, seed: number): Promise<LossAndGrads> {
    if (this.objective.lossAndGrads) return this.objective.lossAndGrads(batch, seed);
    const { value, grads } = tf.variableGrads(() => this.objective.loss(batch, seed));
    const loss = value.dataSync()[0]!;
    value.dispose();
    return { loss, grads };
  }

  /**
   * Evaluates, keeps the best weights so far when the evaluation has a score, and checkpoints (at most every
   * `checkpointMinSeconds`, and always at the final step). True when early stopping ends the run.
   */
  private async evaluateStep(ctx: FitContext<E>, final: boolean): Promise<boolean> {
    const o = this.options;
    const { state } = ctx;
    const report: EvalReport = o.evaluate
      ? await o.evaluate(ctx.dev, state.step)
      : { score: evaluate(this.objective, ctx.dev, o.batchSize * 2).accuracy };
    const { score } = report;
    const metrics = report.metrics ?? (score !== undefined ? { dev_accuracy: score } : {});
    if (score !== undefined) state.history.push({ step: state.step, dev: score });
    await o.run?.logMetrics(metrics, state.step);
    if (score !== undefined && score > state.bestMetric) {
      state.bestMetric = score;
      state.bestStep = state.step;
      state.evalsWithoutImprovement = 0;
      ctx.best = this.objective.snapshot();
    } else if (score !== undefined) {
      state.evalsWithoutImprovement++;
    }
    if (final || Date.now() - ctx.lastSave >= (o.checkpointMinSeconds ?? 0) * 1000) this.save(ctx);
    return o.earlyStoppingPatience !== undefined && state.evalsWithoutImprovement >= o.earlyStoppingPatience;
  }

  /** Writes a checkpoint to the store (none without one): state, weights, best weights, Adam moments. */
  private save(ctx: FitContext<E>): void {
    if (!ctx.store) return;
    const opt = ctx.optimizer.state();
    const optTensors = new Map<string, HostTensor>();
    for (const s of opt.slots) {
      optTensors.set(`m.${s.index}`, { dtype: 'float32', shape: s.shape, data: s.m });
      optTensors.set(`v.${s.index}`, { dtype: 'float32', shape: s.shape, data: s.v });
    }
    ctx.store.save({
      state: { ...ctx.state, optimizerStep: opt.step },
      weights: this.objective.snapshot(),
      best: ctx.best ?? new Map(),
      optimizer: optTensors,
    });
    ctx.lastSave = Date.now();
  }
}

/** What one `fit` call works with: its plan, its optimiser, and the state that checkpoints save. */
interface FitContext<E> {
  readonly train: E[];
  readonly dev: E[];
  /** Micro-batches per optimiser step. */
  readonly accumulation: number;
  readonly totalSteps: number;
  readonly evalEvery: number;
  /** Learning-rate scale of each step. */
  readonly schedule: (step: number) => number;
  readonly optimizer: AdamW;
  readonly store: CheckpointStore | undefined;
  state: TrainerState;
  /** Weights of the best dev evaluation so far. */
  best: Map<string, HostTensor> | undefined;
  /** The current epoch's example order. */
  order: { epoch: number; indices: number[] } | undefined;
  /** When the last checkpoint was written (ms since the epoch). */
  lastSave: number;
  /** Set on SIGINT or when `onStep` says stop: the run saves and stops after the current step. */
  interrupted: boolean;
}

function fitResult(state: TrainerState, interrupted: boolean): FitResult {
  return {
    bestDev: state.bestMetric,
    bestStep: state.bestStep,
    steps: state.step,
    history: state.history,
    interrupted,
  };
}
