/**
 * The spelling-correction network ({@link CscModel}) as an objective for the framework's `Trainer`. An example is one
 * length bucket of encoded pairs (batches.ts: sentences of similar length, little padding), so the trainer runs at
 * batch size 1 and shuffles the buckets each epoch. The copy sample — which right characters train the correction
 * head — is drawn from the step's seed, as dropout is: one seeded stream per step, the same on resume.
 */
import { tf } from '../../../framework/backend/tf.js';
import type { HostTensor } from '../../../framework/checkpoint/host-tensor.js';
import type { ParamGroup } from '../../../framework/optim/adamw.js';
import type { Objective } from '../../../framework/trainer/objective.js';
import { SeededRandom } from '../../../framework/random.js';
import { type EncodedPair, padBatch, type PaddedBatch, sampleCorrections } from './batches.js';
import type { CharVocab } from './char-vocab.js';
import type { CscModel } from './model.js';

/** One training example: rows of similar length. */
export interface CscBucket {
  readonly rows: readonly EncodedPair[];
}

/** Mean loss parts of the steps since the last {@link CscObjective.takeLossParts}. */
export interface CscLossParts {
  readonly detection: number;
  readonly correction: number;
}

/** Settings of the objective. */
export interface CscObjectiveOptions {
  /** Learning rate of the encoder and both heads. */
  readonly lr: number;
  /** Share of right characters whose copy is trained in the correction loss. */
  readonly keepRate: number;
  /** Weight decay of the encoder's weights (default 0.01; never on biases, LayerNorm or the detection head). */
  readonly weightDecay?: number;
}

/**
 * @example
 * const objective = new CscObjective(CscModel.wrap(bert), vocab, { lr: 3e-4, keepRate: 0.15 });
 * await new Trainer(objective, { maxSteps: 450, batchSize: 1, seed: 42 }).fit(buckets, []);
 * objective.takeLossParts(); // → { detection: 0.21, correction: 4.9 } (means since the last call)
 */
export class CscObjective implements Objective<CscBucket, PaddedBatch> {
  /** Detection and correction losses of the steps not yet read, kept out of the trainer's tidy. */
  private pending: tf.Tensor[] = [];

  constructor(
    readonly model: CscModel,
    readonly vocab: CharVocab,
    readonly options: CscObjectiveOptions,
  ) {}

  paramGroups(): ParamGroup[] {
    const { lr, weightDecay = 0.01 } = this.options;
    return [
      ...this.model.bert.params.decayGroups(lr, weightDecay),
      { params: [this.model.detectW, this.model.detectB], lr, weightDecay: 0 },
    ];
  }

  makeBatch(examples: CscBucket[]): PaddedBatch {
    return padBatch(
      examples.flatMap((b) => b.rows),
      this.vocab,
    );
  }

  /** Host arrays only: nothing to release. */
  disposeBatch(): void {}

  loss(batch: PaddedBatch, seed: number): tf.Scalar {
    const sampled = sampleCorrections(batch, this.vocab, this.options.keepRate, new SeededRandom(seed));
    const { total, detection, correction } = this.model.loss(sampled, true, seed);
    this.pending.push(tf.keep(detection), tf.keep(correction));
    return total as tf.Scalar;
  }

  /** The mean detection and correction losses of the steps since the last call (undefined when none ran). */
  takeLossParts(): CscLossParts | undefined {
    if (this.pending.length === 0) return undefined;
    const values = this.pending.map((t) => t.dataSync()[0]!);
    tf.dispose(this.pending);
    this.pending = [];
    const steps = values.length / 2;
    const mean = (offset: number) => values.filter((_, i) => i % 2 === offset).reduce((a, b) => a + b, 0) / steps;
    return { detection: mean(0), correction: mean(1) };
  }

  /**
   * Correction has no label per example: the recipe passes no dev set to the `Trainer` and chooses the thresholds
   * on the dev slice after export (evaluate.ts). One empty row per sentence.
   */
  scores(batch: PaddedBatch): number[][] {
    return Array.from({ length: batch.batch }, () => []);
  }

  labelOf(): number | undefined {
    return undefined;
  }

  snapshot(): Map<string, HostTensor> {
    return this.model.stateDict();
  }

  restore(weights: ReadonlyMap<string, HostTensor>): void {
    this.model.restore(weights);
  }

  /** Releases loss parts not yet read (the model is the caller's). */
  dispose(): void {
    tf.dispose(this.pending);
    this.pending = [];
  }
}
