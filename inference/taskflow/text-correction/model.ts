/**
 * The spelling-correction network (ERNIE-CSC / Soft-Masked BERT's two heads on one encoder):
 * - detection: a linear layer on every hidden state → the probability that the character is wrong;
 * - correction: the tied masked-LM head → a distribution over the vocabulary for every character
 *   (at a correct character the answer is the character itself).
 * Trained jointly: mean BCE of detection over all characters + cross-entropy of correction over the
 * wrong characters and a sample of the right ones (copying needs little signal; the errors need all of it).
 */
import { tf, type Tensor, type Variable } from '../../../framework/backend/tf.js';
import type { HostTensor } from '../../../framework/checkpoint/host-tensor.js';
import { CheckpointError } from '../../../framework/errors.js';
import { BertModel } from '../../../framework/model/bert.js';
import { softmaxCrossEntropy } from '../../../framework/ops/cross-entropy.js';
import { DETECT_BIAS, DETECT_WEIGHT } from './graph.js';

/** One padded batch, host side. */
export interface CscBatch {
  readonly batch: number;
  readonly seq: number;
  /** [batch·seq] ids with [CLS] … [SEP] and padding. */
  readonly inputIds: Int32Array;
  readonly attentionMask: Int32Array;
  /** Flat positions (b·seq + t) of every character (not [CLS]/[SEP]/padding). */
  readonly charPositions: Int32Array;
  /** Per char position: 1 when the source character is wrong. */
  readonly wrong: Float32Array;
  /** Flat positions whose correction is trained, and their target ids. */
  readonly correctPositions: Int32Array;
  readonly correctLabels: Int32Array;
}

/**
 * Encoder + MLM head (a `BertModel`) + detection head.
 * @example
 * const csc = CscModel.wrap(model);
 * const { total } = csc.loss(batch, true, 7); // a scalar: detection BCE + correction CE
 */
export class CscModel {
  private constructor(
    readonly bert: BertModel,
    readonly detectW: Variable,
    readonly detectB: Variable,
  ) {}

  /** Adds a fresh detection head (zero weights, bias log(0.05/0.95): errors are rare) or the one in `state`. */
  static wrap(bert: BertModel, state?: ReadonlyMap<string, HostTensor>): CscModel {
    const h = bert.config.hiddenSize;
    const w = state?.get(DETECT_WEIGHT);
    const b = state?.get(DETECT_BIAS);
    const wInit = w && w.dtype === 'float32' ? tf.tensor2d(w.data, [h, 1]) : tf.zeros([h, 1]);
    const bInit = b && b.dtype === 'float32' ? tf.tensor1d(b.data) : tf.tensor1d([Math.log(0.05 / 0.95)]);
    const model = new CscModel(
      bert,
      tf.variable(wInit, true, 'csc_detect_w'),
      tf.variable(bInit, true, 'csc_detect_b'),
    );
    tf.dispose([wInit, bInit]);
    return model;
  }

  /** Trainable variables of the whole network. */
  variables(): Variable[] {
    return [...this.bert.params.variables.values(), this.detectW, this.detectB];
  }

  /** Encoder output [batch, seq, hidden] (call inside tidy). */
  hidden(batch: CscBatch, training: boolean, seed?: number): Tensor {
    const shape: [number, number] = [batch.batch, batch.seq];
    return this.bert.encode(
      {
        inputIds: tf.tensor2d(batch.inputIds, shape, 'int32'),
        attentionMask: tf.tensor2d(batch.attentionMask, shape, 'int32'),
      },
      { training, ...(seed === undefined ? {} : { seed }) },
    );
  }

  /** Detection logits [n] of hidden rows [n, H]. */
  detectLogits(rows: Tensor): Tensor {
    return tf.add(tf.reshape(tf.matMul(rows, this.detectW), [-1]), this.detectB);
  }

  /** Detection BCE + correction CE (both means), for `tf.variableGrads`. */
  loss(batch: CscBatch, training: boolean, seed?: number): { total: Tensor; detection: Tensor; correction: Tensor } {
    const hidden = this.hidden(batch, training, seed);
    const chars = BertModel.gatherPositions(hidden, tf.tensor1d(batch.charPositions, 'int32'));
    const x = this.detectLogits(chars);
    const z = tf.tensor1d(batch.wrong);
    // Stable BCE with logits: max(x, 0) − x·z + log(1 + e^(−|x|)).
    const detection = tf.mean(tf.add(tf.sub(tf.relu(x), tf.mul(x, z)), tf.log1p(tf.exp(tf.neg(tf.abs(x))))));
    const rows = BertModel.gatherPositions(hidden, tf.tensor1d(batch.correctPositions, 'int32'));
    const correction = softmaxCrossEntropy(this.bert.mlmLogits(rows), tf.tensor1d(batch.correctLabels, 'int32'));
    return { total: tf.add(detection, correction), detection, correction };
  }

  /** Host weights: the encoder + MLM head (canonical keys) and the detection head. */
  stateDict(): Map<string, HostTensor> {
    const state: Map<string, HostTensor> = this.bert.stateDict();
    const h = this.bert.config.hiddenSize;
    state.set(DETECT_WEIGHT, {
      dtype: 'float32',
      shape: [1, h],
      data: new Float32Array(this.detectW.dataSync() as Float32Array),
    });
    state.set(DETECT_BIAS, {
      dtype: 'float32',
      shape: [1],
      data: new Float32Array(this.detectB.dataSync() as Float32Array),
    });
    return state;
  }

  /** Assigns the weights of {@link stateDict} (the trainer's best weights, a resumed checkpoint). */
  restore(state: ReadonlyMap<string, HostTensor>): void {
    const w = state.get(DETECT_WEIGHT);
    const b = state.get(DETECT_BIAS);
    if (w?.dtype !== 'float32' || b?.dtype !== 'float32')
      throw new CheckpointError(`the detection head (${DETECT_WEIGHT}, ${DETECT_BIAS}) is missing or not float`);
    const heads = new Set([DETECT_WEIGHT, DETECT_BIAS]);
    this.bert.params.load(new Map([...state].filter(([k]) => !heads.has(k))));
    tf.tidy(() => {
      this.detectW.assign(tf.tensor2d(w.data, [this.bert.config.hiddenSize, 1]));
      this.detectB.assign(tf.tensor1d(b.data));
    });
  }

  dispose(): void {
    this.bert.dispose();
    tf.dispose([this.detectW, this.detectB]);
  }
}
