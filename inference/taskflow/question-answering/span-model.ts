/**
 * The span-extraction reader as a training objective: BERT over a window (features.ts) → the span head (head.ts) →
 * start and end logits per token. Loss = the mean of the cross-entropies of the gold start and the gold end over the
 * window's tokens; a window that does not hold the answer points both at `[CLS]` (index 0), as in BERT's SQuAD
 * recipe, so that its best span scores low against the windows that do.
 */
import { tf, tidyRead, type Tensor } from '../../../framework/backend/tf.js';
import type { HostTensor } from '../../../framework/checkpoint/host-tensor.js';
import type { BertModel } from '../../../framework/model/bert.js';
import { ParameterStore } from '../../../framework/model/parameters.js';
import { softmaxCrossEntropy } from '../../../framework/ops/cross-entropy.js';
import { dense } from '../../../framework/ops/matmul.js';
import type { ParamGroup } from '../../../framework/optim/adamw.js';
import type { Objective } from '../../../framework/trainer/objective.js';
import type { QaFeaturizer, QaWindow } from './features.js';
import { SPAN_HEAD_PREFIX, spanHeadShapes } from './head.js';

/** A training window and the answer's first and last token in it (both 0, `[CLS]`, when it does not hold it). */
export interface QaTrainWindow {
  readonly window: QaWindow;
  readonly start: number;
  readonly end: number;
}

/** Tensors of one batch of windows. */
export interface QaTensors {
  readonly inputIds: Tensor;
  readonly tokenTypeIds: Tensor;
  readonly attentionMask: Tensor;
  /** 0 at real tokens, -1e9 at padding: [size, width]. */
  readonly padBias: Tensor;
  readonly starts: Tensor;
  readonly ends: Tensor;
  readonly size: number;
  readonly width: number;
}

/** Options of {@link SpanExtractor}. */
export interface SpanExtractorOptions {
  /** Encoder learning rate. */
  readonly lr: number;
  /** Learning rate of the span head (random at the start: it may learn faster than the encoder). */
  readonly headLr: number;
  readonly weightDecay?: number;
  readonly seed: number;
}

/**
 * Trains with the framework's {@link Objective} contract (one example = one window).
 * @example
 * const reader = new SpanExtractor(model, featurizer, { lr: 1e-4, headLr: 1e-3, seed: 42 });
 * await new Trainer(reader, { epochs: 2, batchSize: 16, seed: 42 }).fit(windows, []);
 * reader.spanLogits(reader.makeBatch(windows.slice(0, 4))).start.length; // → 4 · width
 */
export class SpanExtractor implements Objective<QaTrainWindow, QaTensors> {
  /** The span head's weights (`qa.*`, head.ts), stored [in, out] as the encoder's. */
  readonly head: ParameterStore;

  constructor(
    readonly model: BertModel,
    readonly featurizer: QaFeaturizer,
    readonly options: SpanExtractorOptions,
  ) {
    const specs = [...spanHeadShapes(model.config.hiddenSize)].map(([name, shape]) => ({
      name,
      shape,
      init: name.endsWith('.bias') ? ('zeros' as const) : ('normal' as const),
      linear: false,
      noDecay: true,
    }));
    this.head = new ParameterStore(specs, model.config.initializerRange, options.seed + 101);
  }

  paramGroups(): ParamGroup[] {
    const groups = this.model.params.decayGroups(this.options.lr, this.options.weightDecay ?? 0.01);
    groups.push({ params: [...this.head.variables.values()], lr: this.options.headLr, weightDecay: 0 });
    return groups;
  }

  makeBatch(examples: QaTrainWindow[]): QaTensors {
    const { size, width, feeds } = this.featurizer.batch(examples.map((e) => e.window));
    const padBias = Float32Array.from(feeds.attention_mask.data, (m) => (m ? 0 : -1e9));
    return {
      inputIds: tf.tensor2d(feeds.input_ids.data, [size, width], 'int32'),
      tokenTypeIds: tf.tensor2d(feeds.token_type_ids.data, [size, width], 'int32'),
      attentionMask: tf.tensor2d(feeds.attention_mask.data, [size, width], 'int32'),
      padBias: tf.tensor2d(padBias, [size, width]),
      starts: tf.tensor1d(
        Int32Array.from(examples, (e) => e.start),
        'int32',
      ),
      ends: tf.tensor1d(
        Int32Array.from(examples, (e) => e.end),
        'int32',
      ),
      size,
      width,
    };
  }

  disposeBatch(batch: QaTensors): void {
    tf.dispose([batch.inputIds, batch.tokenTypeIds, batch.attentionMask, batch.padBias, batch.starts, batch.ends]);
  }

  /** Start and end logits [size, width], padding at -1e9. */
  private logits(batch: QaTensors, training: boolean, seed: number): { start: Tensor; end: Tensor } {
    const hidden = this.model.encode(
      { inputIds: batch.inputIds, tokenTypeIds: batch.tokenTypeIds, attentionMask: batch.attentionMask },
      { training, seed },
    );
    const both = dense(hidden, this.head.get('qa.span.weight'), this.head.get('qa.span.bias')); // [B, T, 2]
    const [start, end] = tf.unstack(both, 2) as [Tensor, Tensor];
    return { start: tf.add(start, batch.padBias), end: tf.add(end, batch.padBias) };
  }

  loss(batch: QaTensors, seed: number): tf.Scalar {
    const { start, end } = this.logits(batch, true, seed);
    const sum = tf.add(softmaxCrossEntropy(start, batch.starts), softmaxCrossEntropy(end, batch.ends));
    return tf.mul(sum, 0.5) as tf.Scalar;
  }

  /** Eval-mode logits, row-major [size, width] — what the exported graph outputs (before its padding). */
  spanLogits(batch: QaTensors): { start: Float32Array; end: Float32Array } {
    return tidyRead(
      () => this.logits(batch, false, 0),
      ({ start, end }) => ({ start: start.dataSync() as Float32Array, end: end.dataSync() as Float32Array }),
    );
  }

  /**
   * The trainer's per-example label scores do not fit spans: training passes no dev set to the `Trainer` and scores
   * dev with EM / F1 afterwards (`spanLogits` + decode.ts). One empty row per window.
   */
  scores(batch: QaTensors): number[][] {
    return Array.from({ length: batch.size }, () => [0]);
  }

  labelOf(): number | undefined {
    return undefined;
  }

  snapshot(): Map<string, HostTensor> {
    return new Map<string, HostTensor>([...this.model.stateDict(), ...this.head.toHost()]);
  }

  restore(weights: ReadonlyMap<string, HostTensor>): void {
    const isHead = (key: string) => key.startsWith(SPAN_HEAD_PREFIX);
    this.model.params.load(new Map([...weights].filter(([k]) => !isHead(k))));
    this.head.load(new Map([...weights].filter(([k]) => isHead(k))));
  }

  /** Frees the head's weights (the encoder is the caller's: `model.dispose()`). */
  dispose(): void {
    this.head.dispose();
  }
}
