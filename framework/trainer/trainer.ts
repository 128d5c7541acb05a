import { createHash } from 'node:crypto';
import { tf } from '../backend/tf.js';
import type { HostTensor } from '../checkpoint/host-tensor.js';
import { log } from '../log.js';
import { ConfigError } from '../errors.js';
import { AdamW } from '../optim/adamw.js';
import { lrSchedule, type ScheduleKind } from '../optim/schedule.js';
import type { Run } from '../tracking/base.js';
import { loadTrainerCheckpoint, saveTrainerCheckpoint, type TrainerState } from './checkpoint.js';
import { evaluate } from './evaluate.js';
import type { Objective } from './objective.js';
import { ProgressBar } from './progress.js';
import { epochOrder } from './rng.js';

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
   * Dev accuracy of the current weights (default: `evaluate` with the objective in eval mode). Lets a run score
   * a large dev set elsewhere, e.g. on ONNX Runtime through an export of the current weights.
   */
  devAccuracy?: (dev: E[]) => number | Promise<number>;
  seed: number;
  schedule?: ScheduleKind;
  warmupRatio?: number;
  weightDecay?: number;
  maxGradNorm?: number;
  adamEps?: number;
  /** Where checkpoints go; none are written when unset. */
  checkpointDir?: string;
  /** Write a checkpoint every N optimiser steps (and at every evaluation, and on SIGINT). */
  checkpointEvery?: number;
  /**
   * At evaluations, write a checkpoint only when this many seconds passed since the last one (default 0: every
   * evaluation). Short runs evaluated every few steps otherwise spend much of their time writing weights,
   * best weights and Adam moments (≈ 135 MB for the shipped model); SIGINT and `checkpointEvery` still write.
   */
  checkpointMinSeconds?: number;
  /** Continue from `checkpointDir` if it holds a checkpoint of the same configuration. */
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
  label?: string;
  /** Tracking run for per-step metrics. */
  run?: Run;
  /** Save a checkpoint and stop on SIGINT (default on when checkpointDir is set). */
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

  async fit(train: E[], dev: E[]): Promise<FitResult> {
    const o = this.options;
    if (train.length === 0) throw new ConfigError('no training examples');
    const ctx = this.startFit(train, dev);
    const onSigint = () => {
      ctx.interrupted = true;
    };
    const sigint = o.handleSigint ?? o.checkpointDir !== undefined;
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
        if (state.step % ctx.evalEvery === 0 || state.step === ctx.totalSteps) {
          if (await this.evaluateStep(ctx)) break;
        } else if (o.checkpointEvery && state.step % o.checkpointEvery === 0) {
          this.save(ctx);
        }
        const { loss, lr } = stepped;
        bar.update(state.step, { loss, lr, dev: state.bestMetric === -Infinity ? '-' : state.bestMetric });
        // Signals are delivered from the event loop's macrotask queue: let a pending SIGINT run its handler.
        if (sigint) await new Promise((resolve) => setImmediate(resolve));
        if ((await o.onStep?.({ step: state.step, loss, lr })) === 'stop') ctx.interrupted = true;
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
      warmupSteps: Math.round((o.warmupRatio ?? 0) * totalSteps),
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
    const fingerprint = createHash('sha1').update(JSON.stringify(identity)).digest('hex').slice(0, 16);
    const ctx: FitContext<E> = {
      train,
      dev,
      accumulation,
      totalSteps,
      evalEvery,
      schedule,
      optimizer,
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
      lastSave: 0,
      interrupted: false,
    };
    if (o.resume && o.checkpointDir) this.resumeFrom(ctx, o.checkpointDir, fingerprint, identity);
    return ctx;
  }

  /**
   * Continues from the checkpoint in `dir`, if there is one: state, weights, best weights and Adam moments. A
   * checkpoint of another configuration is refused unless `resumeForce` is set.
   */
  private resumeFrom(ctx: FitContext<E>, dir: string, fingerprint: string, identity: Record<string, unknown>): void {
    const ckpt = loadTrainerCheckpoint(dir);
    if (!ckpt) return;
    if (ckpt.state.fingerprint !== fingerprint) {
      const diff = identityDiff(ckpt.state.identity, identity);
      if (!this.options.resumeForce) {
        throw new ConfigError(
          `${dir}: the checkpoint was written by another configuration (${diff}); ` +
            'resume with the same settings, pass --resume-force to continue with these, or remove it',
        );
      }
      log.warn(`${dir}: resuming a checkpoint of another configuration (${diff}) as --resume-force asks`);
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
  private async optimizerStep(ctx: FitContext<E>): Promise<{ loss: number; lr: number } | undefined> {
    const { state } = ctx;
    const { grads, lossSum, micros } = this.accumulateGradients(ctx);
    if (!grads) return undefined;
    if (micros > 1) {
      // Accumulated gradients are sums of per-micro-batch means: average them.
      for (const [k, t] of Object.entries(grads)) {
        grads[k] = tf.div(t, micros);
        t.dispose();
      }
    }
    const lrScale = ctx.schedule(state.step);
    ctx.optimizer.step(grads, lrScale);
    tf.dispose(Object.values(grads));
    state.step++;
    const loss = lossSum / micros;
    const lr = (this.objective.paramGroups()[0]?.lr ?? 0) * lrScale;
    state.history.push({ step: state.step, loss, lr });
    await this.options.run?.logMetrics({ loss, lr }, state.step);
    return { loss, lr };
  }

  /**
   * Runs up to `gradientAccumulation` micro-batches from the epoch's seeded order and sums their gradients; moves
   * on to the next epoch when this one is used up.
   */
  private accumulateGradients(ctx: FitContext<E>): {
    grads: Record<string, tf.Tensor> | undefined;
    lossSum: number;
    micros: number;
  } {
    const o = this.options;
    const { state, train } = ctx;
    const order = epochOrder(train.length, o.seed, state.epoch);
    let lossSum = 0;
    let micros = 0;
    let grads: Record<string, tf.Tensor> | undefined;
    for (let micro = 0; micro < ctx.accumulation; micro++) {
      const indices = order.slice(state.offset, state.offset + o.batchSize);
      state.offset += o.batchSize;
      if (indices.length === 0) break;
      const batch = this.objective.makeBatch(
        indices.map((i) => train[i]!),
        true,
      );
      const seed = (o.seed * 1_000_003 + state.step * 97 + micro) >>> 0;
      const { value, grads: g } = tf.variableGrads(() => this.objective.loss(batch, seed));
      this.objective.disposeBatch(batch);
      lossSum += value.dataSync()[0]!;
      micros++;
      value.dispose();
      if (!grads) grads = g;
      else {
        for (const [k, t] of Object.entries(g)) {
          const prev = grads[k];
          grads[k] = prev ? tf.add(prev, t) : t;
          if (prev) {
            prev.dispose();
            t.dispose();
          }
        }
      }
      if (state.offset >= train.length) break;
    }
    if (state.offset >= train.length) {
      state.epoch++;
      state.offset = 0;
    }
    return { grads, lossSum, micros };
  }

  /**
   * Scores dev, keeps the best weights so far, and checkpoints (at most every `checkpointMinSeconds`). True when
   * early stopping ends the run.
   */
  private async evaluateStep(ctx: FitContext<E>): Promise<boolean> {
    const o = this.options;
    const { state } = ctx;
    const accuracy = o.devAccuracy
      ? await o.devAccuracy(ctx.dev)
      : evaluate(this.objective, ctx.dev, o.batchSize * 2).accuracy;
    state.history.push({ step: state.step, dev: accuracy });
    await o.run?.logMetrics({ dev_accuracy: accuracy }, state.step);
    if (accuracy > state.bestMetric) {
      state.bestMetric = accuracy;
      state.bestStep = state.step;
      state.evalsWithoutImprovement = 0;
      ctx.best = this.objective.snapshot();
    } else {
      state.evalsWithoutImprovement++;
    }
    if (Date.now() - ctx.lastSave >= (o.checkpointMinSeconds ?? 0) * 1000) this.save(ctx);
    return o.earlyStoppingPatience !== undefined && state.evalsWithoutImprovement >= o.earlyStoppingPatience;
  }

  /** Writes a checkpoint to `checkpointDir` (none when unset): state, weights, best weights, Adam moments. */
  private save(ctx: FitContext<E>): void {
    const dir = this.options.checkpointDir;
    if (!dir) return;
    const opt = ctx.optimizer.state();
    const optTensors = new Map<string, HostTensor>();
    for (const s of opt.slots) {
      optTensors.set(`m.${s.index}`, { dtype: 'float32', shape: s.shape, data: s.m });
      optTensors.set(`v.${s.index}`, { dtype: 'float32', shape: s.shape, data: s.v });
    }
    saveTrainerCheckpoint(dir, {
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
  state: TrainerState;
  /** Weights of the best dev evaluation so far. */
  best: Map<string, HostTensor> | undefined;
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

/** The trainer options that change a run's trajectory (and so its resume identity). */
const TRAJECTORY_OPTIONS = [
  'epochs',
  'maxSteps',
  'batchSize',
  'gradientAccumulation',
  'evalEvery',
  'earlyStoppingPatience',
  'seed',
  'schedule',
  'warmupRatio',
  'weightDecay',
  'maxGradNorm',
  'adamEps',
] as const satisfies readonly (keyof TrainerOptions)[];

/**
 * What identifies a training run for resuming: every option that changes the trajectory (not where checkpoints go or
 * how progress shows), the learning rate of each parameter group, a hash of the training and dev examples, and the
 * caller's identity fields.
 */
function runIdentity<E>(o: TrainerOptions<E>, lrs: number[], train: E[], dev: E[]): Record<string, unknown> {
  const data = createHash('sha1')
    .update(JSON.stringify([train, dev]))
    .digest('hex')
    .slice(0, 16);
  const trainer = Object.fromEntries(TRAJECTORY_OPTIONS.map((k) => [k, o[k]]));
  // JSON round trip: undefined fields drop out, so a saved identity compares equal to a fresh one.
  return JSON.parse(JSON.stringify({ ...o.identity, ...trainer, lrs, data })) as Record<string, unknown>;
}

/** The fields whose values differ, as `name (saved → now)`; checkpoints from before identities say so. */
function identityDiff(saved: Record<string, unknown> | undefined, now: Record<string, unknown>): string {
  if (!saved) return 'it predates recorded settings';
  const show = (v: unknown) => (v === undefined ? 'unset' : JSON.stringify(v).slice(0, 60));
  const keys = [...new Set([...Object.keys(saved), ...Object.keys(now)])].filter(
    (k) => JSON.stringify(saved[k]) !== JSON.stringify(now[k]),
  );
  return keys
    .map((k) => `${k === 'data' ? 'training or dev examples' : k} ${show(saved[k])} → ${show(now[k])}`)
    .join(', ');
}
