import { tf, tidyRead, type Tensor, type Variable } from '../../framework/backend/tf.js';
import type { HostTensor } from '../../framework/checkpoint/host-tensor.js';
import { RDropLoss } from '../../framework/losses/rdrop.js';
import type { BertModel } from '../../framework/model/bert.js';
import { softmaxCrossEntropy, softTargetCrossEntropy } from '../../framework/ops/cross-entropy.js';
import type { ParamGroup } from '../../framework/optim/adamw.js';
import type { BertTokenizer } from '../../framework/tokenizer/index.js';
import type { Objective } from '../../framework/trainer/objective.js';
import { METHOD_SPEC_VERSION, type MethodSpec } from '../../inference/export/method-spec.js';
import type { Example, FieldValue, TaskDefinition } from '../../datasets/base.js';
import { ConfigError } from '../../framework/errors.js';
import type { ResolvedPrompt } from './definition.js';

/** Everything a method is built from. */
export interface MethodSetup {
  model: BertModel;
  tokenizer: BertTokenizer;
  task: TaskDefinition;
  maxSeqLen: number;
  /** Learning rate of the encoder's weights. */
  lr: number;
  /** Learning rate of the method's own parameters (prompt encoder, heads); default = lr. */
  promptLr?: number;
  weightDecay?: number;
  /** R-Drop: CE averaged over two dropout passes plus alpha × symmetric KL; 0/undefined = off. */
  rdropAlpha?: number;
  seed: number;
}

/**
 * Encoder rows per pass when scoring. Methods that score several rows per example (EFL: a pair per label;
 * multiple-choice fine-tuning: a row per candidate) build eval batches of examples × rows (TNEWS EFL: 32 × 15),
 * and tfjs-wasm fails inside its kernels ("memory access out of bounds") on a few hundred rows of 128 tokens in
 * one pass; 32 rows is what pretraining's held-out evaluation uses safely.
 */
export const SCORE_ROWS = 32;

/**
 * `forward` on consecutive row slices (axis 0) of at most {@link SCORE_ROWS} rows of `tensors`, outputs
 * concatenated along axis 0: the same result as one pass, for eval-mode (no dropout) forwards.
 * @example
 * const logits = inRowChunks(batch.tensors, (part) => method.logits({ ...batch, tensors: part }, false, 0));
 */
export function inRowChunks(tensors: readonly Tensor[], forward: (part: Tensor[]) => Tensor): Tensor {
  const rows = tensors[0]!.shape[0]!;
  if (rows <= SCORE_ROWS) return forward([...tensors]);
  const outputs: Tensor[] = [];
  for (let start = 0; start < rows; start += SCORE_ROWS) {
    const size = Math.min(SCORE_ROWS, rows - start);
    outputs.push(tf.tidy(() => forward(tensors.map((t) => tf.slice(t, start, size)))));
  }
  const out = tf.concat(outputs, 0);
  tf.dispose(outputs);
  return out;
}

/**
 * Token rows × positions one training step may hold on the way through the encoder and back. tfjs keeps every
 * intermediate of the step for the backward pass: the shipped 4 × 256 model's wasm heap reached 3.0 GB for 32
 * rows of 128 tokens and 3.8 GB for 40, and trapped at 48 (the wasm heap ends at 4 GiB) — CHID fine-tuning's
 * 8 examples × 7 candidates. {@link splitForRowBudget} turns larger batches into micro-batches.
 */
export const TRAIN_TOKEN_BUDGET = 32 * 128;

/**
 * The batch size and gradient accumulation that keep each micro-batch within {@link TRAIN_TOKEN_BUDGET}
 * while the optimiser still sees `batchSize × gradientAccumulation` examples per step (or as near as an
 * integer split allows: 8 examples of 7 rows → 2 micro-batches of 4).
 * @example
 * splitForRowBudget(8, 1, 7, 128); // → { batchSize: 4, gradientAccumulation: 2 }
 * splitForRowBudget(8, 1, 1, 128); // → { batchSize: 8, gradientAccumulation: 1 }
 */
export function splitForRowBudget(
  batchSize: number,
  gradientAccumulation: number,
  rowsPerExample: number,
  seqLen: number,
): { batchSize: number; gradientAccumulation: number } {
  const fits = Math.max(1, Math.floor(TRAIN_TOKEN_BUDGET / (rowsPerExample * seqLen)));
  if (batchSize <= fits) return { batchSize, gradientAccumulation };
  const parts = Math.ceil(batchSize / fits);
  return { batchSize: Math.ceil(batchSize / parts), gradientAccumulation: gradientAccumulation * parts };
}

/** One result of {@link Method.predict}. */
export interface MethodPrediction {
  readonly text: string;
  readonly label: string;
  /** The predicted label's probability. */
  readonly score: number;
  readonly probabilities: Record<string, number>;
}

/** The tensors of one batch as every method builds them. */
export interface MethodBatch {
  tensors: Tensor[];
  /** Targets for the loss (int32 [rows]). */
  targets: Tensor;
}

/**
 * Shared machinery of the training methods: parameter groups (encoder vs. method parameters, no decay on
 * biases/LayerNorm), R-Drop, snapshots for checkpoints. A method supplies `logits` (what the loss
 * compares with `targets`) and the batch layout.
 */
export abstract class Method<B extends MethodBatch> implements Objective<Example, B> {
  /** The method's registry name (`method.json`'s `kind`). */
  abstract readonly kind: string;
  /** The prompt as trained, the task's defaults filled in (none for methods without one). */
  readonly prompt: ResolvedPrompt = {};
  /** Parameters the method adds to the encoder (heads, soft prompts, prompt encoders), by name. */
  protected readonly own = new Map<string, Variable>();
  private readonly rdrop = new RDropLoss('mean');

  constructor(readonly setup: MethodSetup) {}

  /**
   * What `method.json` records: kind, labels, input limit, and the prompt exactly as trained. `fromConfig` in
   * registry.ts rebuilds an equal method from it.
   * @example
   * new PetMethod(setup).getConfig().labelWords; // → { Negative: ['不'], Positive: ['很'] }
   */
  getConfig(): MethodSpec {
    const { task, maxSeqLen } = this.setup;
    return {
      formatVersion: METHOD_SPEC_VERSION,
      kind: this.kind,
      task: task.getConfig(),
      maxSeqLen,
      labels: [...task.labels],
      textFields: [...task.textFields],
      ...structuredClone(this.prompt),
    };
  }

  abstract makeBatch(examples: Example[], training: boolean): B;
  /** Logits the loss compares with `batch.targets` (rows × classes). */
  abstract logits(batch: B, training: boolean, seed: number): Tensor;

  /** Encoder rows a training batch spends on `example` (several for EFL pairs and multiple-choice candidates). */
  trainingRowsPerExample(_example: Example): number {
    return 1;
  }

  /** Label scores [examples, labels] for evaluation; by default the eval-mode logits. */
  scores(batch: B): number[][] {
    return tidyRead(
      () => this.logits(batch, false, 0),
      (t) => t.arraySync() as number[][],
    );
  }

  /**
   * Labels for texts, in-process after training (as `loadClassifier(bundle).predict` does from an export): a string
   * fills the task's first text field, an object names the fields (sentence pairs). Probabilities are the softmax of
   * the method's label scores.
   * @example
   * method.predict(['物流很快，很满意'])[0]; // → { text: '物流很快，很满意', label: 'Positive', score: 0.91, probabilities: {…} }
   */
  predict(inputs: readonly (string | Readonly<Record<string, string>>)[], batchSize = 32): MethodPrediction[] {
    const { task } = this.setup;
    if (task.multipleChoice)
      throw new ConfigError(`task ${task.kind}: predict needs a fixed label set; score candidates with evaluate()`);
    const first = task.textFields[0]!;
    const examples: Example[] = inputs.map((x, id) => ({
      id,
      fields: typeof x === 'string' ? { [first]: x } : { ...x },
    }));
    const out: MethodPrediction[] = [];
    for (let i = 0; i < examples.length; i += batchSize) {
      const batch = this.makeBatch(examples.slice(i, i + batchSize), false);
      for (const row of this.scores(batch)) {
        const top = Math.max(...row);
        const exp = row.map((v) => Math.exp(v - top));
        const sum = exp.reduce((a, b) => a + b, 0);
        const probabilities = Object.fromEntries(task.labels.map((label, k) => [label, exp[k]! / sum]));
        const best = row.indexOf(top);
        const e = examples[out.length]!;
        out.push({
          text: fieldText(e.fields[first]),
          label: task.labels[best]!,
          score: exp[best]! / sum,
          probabilities,
        });
      }
      this.disposeBatch(batch);
    }
    return out;
  }

  labelOf(example: Example): number | undefined {
    if (example.label === undefined) return undefined;
    const index = this.setup.task.labels.indexOf(example.label);
    return index < 0 ? undefined : index;
  }

  /**
   * Whether `logits` has a row per example and a column per task label, so that soft targets (a teacher's
   * probabilities, {@link softLoss}) apply. EFL's rows are (example, label) pairs: it declares false. Static, so the
   * method registry (and the suite's `+unlabeled` check) can read it without building a method.
   */
  static readonly softTargets: boolean = true;

  get supportsSoftTargets(): boolean {
    return (this.constructor as typeof Method<MethodBatch>).softTargets;
  }

  loss(batch: B, seed: number): tf.Scalar {
    return this.lossAgainst(batch, seed, (logits) => softmaxCrossEntropy(logits, batch.targets));
  }

  /**
   * The loss against target distributions [examples, labels] instead of `batch.targets` (self-training on soft
   * pseudo-labels).
   */
  softLoss(batch: B, targets: Tensor, seed: number): tf.Scalar {
    return this.lossAgainst(batch, seed, (logits) => softTargetCrossEntropy(logits, targets));
  }

  /** Cross-entropy of one dropout pass, or with R-Drop the mean of two passes plus alpha × their symmetric KL. */
  private lossAgainst(batch: B, seed: number, crossEntropy: (logits: Tensor) => Tensor): tf.Scalar {
    const alpha = this.setup.rdropAlpha ?? 0;
    const first = this.logits(batch, true, seed);
    const ce = crossEntropy(first);
    if (alpha <= 0) return ce as tf.Scalar;
    const second = this.logits(batch, true, seed ^ 0x5bd1e995);
    const ce2 = crossEntropy(second);
    return tf.add(tf.div(tf.add(ce, ce2), 2), tf.mul(this.rdrop.call(first, second), alpha)) as tf.Scalar;
  }

  paramGroups(): ParamGroup[] {
    const { lr, weightDecay = 0.01 } = this.setup;
    const groups = this.setup.model.params.decayGroups(lr, weightDecay);
    if (this.own.size > 0)
      groups.push({ params: [...this.own.values()], lr: this.setup.promptLr ?? lr, weightDecay: 0 });
    return groups;
  }

  disposeBatch(batch: B): void {
    tf.dispose([...batch.tensors, batch.targets]);
  }

  snapshot(): Map<string, HostTensor> {
    const out: Map<string, HostTensor> = this.setup.model.stateDict();
    for (const [name, v] of this.own)
      out.set(`method.${name}`, { dtype: 'float32', shape: [...v.shape], data: v.dataSync() as Float32Array });
    return out;
  }

  restore(weights: ReadonlyMap<string, HostTensor>): void {
    const modelWeights = new Map([...weights].filter(([k]) => !k.startsWith('method.')));
    this.setup.model.params.load(modelWeights, { optional: () => false });
    for (const [name, v] of this.own) {
      const t = weights.get(`method.${name}`);
      if (t && t.dtype === 'float32') tf.tidy(() => v.assign(tf.tensor(t.data, v.shape)));
    }
  }

  /** Creates a method parameter (normal(0, 0.02) or zeros) once. */
  protected param(name: string, shape: number[], init: 'normal' | 'zeros' | Tensor, seed = 0): Variable {
    const value = tf.tidy(() =>
      init === 'zeros'
        ? tf.zeros(shape)
        : init === 'normal'
          ? tf.mul(tf.randomNormal(shape, 0, 1, 'float32', this.setup.seed + seed), 0.02)
          : tf.clone(init),
    );
    const v = tf.variable(value, true);
    value.dispose();
    this.own.set(name, v);
    return v;
  }

  dispose(): void {
    for (const v of this.own.values()) v.dispose();
    this.own.clear();
  }
}

/** A field's text: lists (CSL keywords) are joined with the Chinese comma. */
export function fieldText(value: FieldValue | undefined): string {
  if (value === undefined) return '';
  return Array.isArray(value) ? value.join('，') : value;
}

/** int32 [rows, cols] from a nested array. */
export function int2d(rows: number[][]): Tensor {
  return tf.tensor2d(rows, [rows.length, rows[0]?.length ?? 0], 'int32');
}
