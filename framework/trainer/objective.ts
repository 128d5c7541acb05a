import type { tf } from '../backend/tf.js';
import type { HostTensor } from '../checkpoint/host-tensor.js';
import type { ParamGroup } from '../optim/adamw.js';

/** Where a batch sits in the run: the epoch its examples were drawn in (pretraining's masks change per epoch). */
export interface BatchPosition {
  epoch: number;
}

/** One micro-batch's loss and the gradient of every trained variable (keyed by variable name). */
export interface LossAndGrads {
  loss: number;
  grads: Record<string, tf.Tensor>;
}

/**
 * What a training method hands the {@link Trainer}: how to batch examples, the loss of a batch, and the
 * label scores for evaluation. PET, P-Tuning, EFL, fine-tuning, the Taskflow models and MLM pretraining each
 * implement it; the trainer knows nothing of templates, verbalizers or corpora.
 */
export interface Objective<E, B> {
  /** Optimiser parameter groups (e.g. model weights at one learning rate, prompt encoder at another). */
  paramGroups(): ParamGroup[];
  /** Turns examples into one batch of tensors (the trainer disposes the batch with {@link disposeBatch}). */
  makeBatch(examples: E[], training: boolean, position?: BatchPosition): B;
  disposeBatch(batch: B): void;
  /** Mean loss of a training batch; called inside `tf.variableGrads`. `seed` varies the dropout masks. */
  loss(batch: B, seed: number): tf.Scalar;
  /**
   * Computes a micro-batch's loss and gradients itself instead of `tf.variableGrads(loss)` — e.g. on data-parallel
   * workers. The trainer disposes the returned gradients.
   */
  lossAndGrads?(batch: B, seed: number): LossAndGrads | Promise<LossAndGrads>;
  /**
   * How much a micro-batch counts in its step's average (default: all equal). MLM returns its masked-token count, so
   * accumulated micro-batches average their loss terms as one pass over the whole batch would.
   */
  batchWeight?(batch: B): number;
  /** Called after each optimiser update (e.g. to publish the new weights to data-parallel workers). */
  afterUpdate?(): void;
  /** Label scores [batch, numLabels] in eval mode; higher is better. */
  scores(batch: B): number[][];
  /** The gold label index of an example (for evaluation), or undefined when it has none. */
  labelOf(example: E): number | undefined;
  /** Host copies of every trained weight (for the best checkpoint and resume) and their restore. */
  snapshot(): Map<string, HostTensor>;
  restore(weights: ReadonlyMap<string, HostTensor>): void;
}
