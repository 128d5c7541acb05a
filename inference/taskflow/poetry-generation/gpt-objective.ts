import { tf, tidyRead } from '../../../framework/backend/tf.js';
import type { HostTensor } from '../../../framework/checkpoint/host-tensor.js';
import { ConfigError } from '../../../framework/errors.js';
import { softmaxCrossEntropy } from '../../../framework/ops/cross-entropy.js';
import type { ParamGroup } from '../../../framework/optim/adamw.js';
import type { Objective } from '../../../framework/trainer/objective.js';
import type { GptModel } from './gpt.js';

/**
 * A batch of token sequences: inputs [batch, seq], next-token
 * labels [batch·seq] (−1 at padding), last input position per row.
 */
export interface LmBatch {
  inputIds: tf.Tensor;
  /** Position ids [batch, seq] restarting at each `resetPositionsAt` token (absent: 0, 1, 2, … per row). */
  positionIds?: tf.Tensor;
  labels: tf.Tensor;
  lastPositions: number[];
}

/**
 * Causal language modelling as a {@link Objective}, so fewprompt's {@link Trainer} (AdamW, schedules,
 * checkpoints, resume, SIGINT) trains a {@link GptModel}. An example is a token sequence; the loss is the
 * mean next-token cross-entropy over every position. For dev, an example's last token is its label and
 * the scores are the logits after the rest — "accuracy" is held-out next-token accuracy.
 * @example
 * const objective = new CausalLmObjective(model, { lr: 1e-3, padId: 0 });
 * await new Trainer(objective, { maxSteps: 1000, batchSize: 32, seed: 1 }).fit(chunks, devPrefixes);
 */
export class CausalLmObjective implements Objective<number[], LmBatch> {
  /**
   * `resetPositionsAt`: a token (e.g. BOS) at which position ids restart from 0, so that documents packed
   * into one row each see the positions they have at inference, when they start a sequence.
   */
  constructor(
    readonly model: GptModel,
    readonly options: { lr: number; weightDecay?: number; padId: number; resetPositionsAt?: number },
  ) {}

  paramGroups(): ParamGroup[] {
    return this.model.params.decayGroups(this.options.lr, this.options.weightDecay ?? 0.01);
  }

  makeBatch(examples: number[][], _training: boolean): LmBatch {
    const width = Math.max(...examples.map((e) => e.length)) - 1;
    if (!(width >= 1)) throw new ConfigError('causal LM examples need at least 2 tokens');
    const ids = new Int32Array(examples.length * width).fill(this.options.padId);
    const labels = new Int32Array(examples.length * width).fill(-1);
    const reset = this.options.resetPositionsAt;
    const positions = new Int32Array(examples.length * width);
    examples.forEach((e, r) => {
      let pos = 0;
      for (let t = 0; t + 1 < e.length; t++) {
        ids[r * width + t] = e[t]!;
        labels[r * width + t] = e[t + 1]!;
        if (e[t] === reset) pos = 0;
        positions[r * width + t] = pos++;
      }
    });
    const shape: [number, number] = [examples.length, width];
    return {
      inputIds: tf.tensor2d(ids, shape, 'int32'),
      labels: tf.tensor1d(labels, 'int32'),
      lastPositions: examples.map((e) => e.length - 2),
      ...(reset === undefined ? {} : { positionIds: tf.tensor2d(positions, shape, 'int32') }),
    };
  }

  disposeBatch(batch: LmBatch): void {
    tf.dispose([batch.inputIds, batch.labels, ...(batch.positionIds ? [batch.positionIds] : [])]);
  }

  loss(batch: LmBatch, seed: number): tf.Scalar {
    const { hidden } = this.model.forward(this.inputs(batch), undefined, { training: true, seed });
    const logits = this.model.logits(tf.reshape(hidden, [-1, this.model.config.hiddenSize]));
    return softmaxCrossEntropy(logits, batch.labels) as tf.Scalar;
  }

  scores(batch: LmBatch): number[][] {
    const width = batch.inputIds.shape[1]!;
    return tidyRead(
      () => {
        const { hidden } = this.model.forward(this.inputs(batch), undefined, { training: false });
        const rows = tf.tensor1d(
          batch.lastPositions.map((p, r) => r * width + p),
          'int32',
        );
        return this.model.logits(tf.gather(tf.reshape(hidden, [-1, this.model.config.hiddenSize]), rows));
      },
      (t) => t.arraySync() as number[][],
    );
  }

  private inputs(batch: LmBatch): { inputIds: tf.Tensor; positionIds?: tf.Tensor } {
    return batch.positionIds
      ? { inputIds: batch.inputIds, positionIds: batch.positionIds }
      : { inputIds: batch.inputIds };
  }

  /**
   * Mean next-token loss over every token of `sequences` (eval mode), weighted by token: the held-out
   * loss whose exp is the perplexity.
   */
  meanLoss(sequences: number[][], batchSize = 32): { loss: number; tokens: number } {
    let sum = 0;
    let tokens = 0;
    for (let i = 0; i < sequences.length; i += batchSize) {
      const slice = sequences.slice(i, i + batchSize);
      const batch = this.makeBatch(slice, false);
      const labelled = slice.reduce((s, p) => s + p.length - 1, 0);
      const loss = tf.tidy(() => {
        const { hidden } = this.model.forward(this.inputs(batch), undefined, { training: false });
        return softmaxCrossEntropy(
          this.model.logits(tf.reshape(hidden, [-1, this.model.config.hiddenSize])),
          batch.labels,
        ).dataSync()[0]!;
      });
      this.disposeBatch(batch);
      sum += loss * labelled;
      tokens += labelled;
    }
    return { loss: sum / tokens, tokens };
  }

  labelOf(example: number[]): number | undefined {
    return example[example.length - 1];
  }

  snapshot(): Map<string, HostTensor> {
    return this.model.stateDict();
  }

  restore(weights: ReadonlyMap<string, HostTensor>): void {
    this.model.params.load(weights);
  }
}
