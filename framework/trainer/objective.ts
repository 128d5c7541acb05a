import type { tf } from '../backend/tf.js';
import type { HostTensor } from '../checkpoint/host-tensor.js';
import type { ParamGroup } from '../optim/adamw.js';

/**
 * What a training method hands the {@link Trainer}: how to batch examples, the loss of a batch, and the
 * label scores for evaluation. PET, P-Tuning, EFL and fine-tuning each implement it; the trainer knows
 * nothing of templates or verbalizers.
 */
export interface Objective<E, B> {
  /** Optimiser parameter groups (e.g. model weights at one learning rate, prompt encoder at another). */
  paramGroups(): ParamGroup[];
  /** Turns examples into one batch of tensors (the trainer disposes the batch with {@link disposeBatch}). */
  makeBatch(examples: E[], training: boolean): B;
  disposeBatch(batch: B): void;
  /** Mean loss of a training batch; called inside `tf.variableGrads`. `seed` varies the dropout masks. */
  loss(batch: B, seed: number): tf.Scalar;
  /** Label scores [batch, numLabels] in eval mode; higher is better. */
  scores(batch: B): number[][];
  /** The gold label index of an example (for evaluation), or undefined when it has none. */
  labelOf(example: E): number | undefined;
  /** Host copies of every trained weight (for the best checkpoint and resume) and their restore. */
  snapshot(): Map<string, HostTensor>;
  restore(weights: ReadonlyMap<string, HostTensor>): void;
}
