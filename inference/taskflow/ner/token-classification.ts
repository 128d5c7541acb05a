/**
 * Token classification (NER): the encoder's hidden state at every character → dropout → a linear layer
 * over BIO tags, cross-entropy per character. Input is one token per character (see
 * `char-features.ts`), so tags align with character offsets. Implements the trainer's
 * `Objective`; sequence-level evaluation is {@link TokenClassificationMethod.tag} (the trainer's
 * example accuracy does not apply: examples carry no single label).
 *
 * With `lacTags`, the tag layer reads `[hidden; method.lac_tag_embedding[id]]` per character, the id of
 * LAC's tag of that character (`lac-char-tags.ts`), which each example carries.
 */
import { tf, tidyRead, type Tensor, type Variable } from '../../../framework/backend/tf.js';
import type { HostTensor } from '../../../framework/checkpoint/host-tensor.js';
import { ConfigError } from '../../../framework/errors.js';
import { BertModel } from '../../../framework/model/bert.js';
import { softmaxCrossEntropy } from '../../../framework/ops/cross-entropy.js';
import { dropout } from '../../../framework/ops/dropout.js';
import { dense } from '../../../framework/ops/matmul.js';
import type { ParamGroup } from '../../../framework/optim/adamw.js';
import type { BertTokenizer } from '../../../framework/tokenizer/index.js';
import type { Objective } from '../../../framework/trainer/objective.js';
import type { NerExample } from './cluener.js';
import { spansToTagIds } from './bio.js';
import { charTokenIds, textChars } from './char-features.js';
import { checkLacTagFeatures, type LacTagFeatures } from './lac-char-tags.js';

/** An int32 [rows, columns] tensor. */
const int2d = (rows: number[][]): Tensor => tf.tensor2d(rows, [rows.length, rows[0]?.length ?? 0], 'int32');

/** A trainable variable of `init`'s values; `init` is disposed (the variable holds its own copy). */
function trainable(init: Tensor): Variable {
  const v = tf.variable(init, true);
  init.dispose();
  return v;
}

/** Everything the method is built from. */
export interface TokenClassificationSetup {
  readonly model: BertModel;
  readonly tokenizer: BertTokenizer;
  /** The tag list (e.g. `bioTags(CLUENER_TYPES)`); tag 0 must be `O`. */
  readonly tags: readonly string[];
  /** Tokens per row including `[CLS]` and `[SEP]`; longer sentences are cut (training) — use windows at inference. */
  readonly maxSeqLen: number;
  readonly lr: number;
  /** Learning rate of the tag layer (default 10 × lr: it starts from scratch). */
  readonly headLr?: number;
  readonly weightDecay?: number;
  readonly seed: number;
  /**
   * LAC character tags as features (absent: hidden states only, as older runs). Examples must then carry
   * `lacTagIds`.
   */
  readonly lacTags?: LacTagFeatures;
}

/** A CLUENER sentence, with LAC's tag id per character (`LacCharTagVocab.ids`) when the method reads them. */
export interface TokenExample extends NerExample {
  readonly lacTagIds?: readonly number[];
}

/** One batch: ids, types, mask [B, S]; flat positions of the characters; their gold tags. */
export interface TokenBatch {
  readonly tensors: [Tensor, Tensor, Tensor, Tensor];
  readonly targets: Tensor;
  /** LAC tag id of each scored character (aligned with the positions) when the method reads them. */
  readonly lacTagIds?: Tensor;
  /** Characters scored per example (after truncation). */
  readonly lengths: number[];
}

/**
 * @example
 * const method = new TokenClassificationMethod({
 *   model, tokenizer, tags: bioTags(CLUENER_TYPES), maxSeqLen: 64, lr: 1e-4, seed: 42,
 * });
 * await new Trainer(method, { maxSteps: 1000, batchSize: 32, seed: 42 }).fit(train, []);
 * method.tag(dev.slice(0, 1)); // [[0, 0, 13, 14, 14, 0, …]]
 * // With LAC's character tags as features (examples then carry lacTagIds, LacCharTagVocab.textIds):
 * new TokenClassificationMethod({ …, lacTags: { tags: lac.vocab.tags, size: 32 } });
 */
export class TokenClassificationMethod implements Objective<TokenExample, TokenBatch> {
  static readonly kind = 'token-classification';
  private readonly weight: Variable;
  private readonly bias: Variable;
  /** [LAC tags + 2, size] (rows 0 = padding, 1 = unknown) when the method reads LAC tags. */
  private readonly lacEmbedding: Variable | undefined;

  constructor(readonly setup: TokenClassificationSetup) {
    if (setup.tags[0] !== 'O') throw new ConfigError(`the first tag must be 'O', got '${String(setup.tags[0])}'`);
    if (setup.maxSeqLen < 3) throw new ConfigError(`maxSeqLen must be at least 3, got ${setup.maxSeqLen}`);
    const lac = setup.lacTags ? checkLacTagFeatures(setup.lacTags, 'token classification') : undefined;
    const inputs = setup.model.config.hiddenSize + (lac?.size ?? 0);
    this.weight = trainable(
      tf.tidy(() => tf.mul(tf.randomNormal([inputs, setup.tags.length], 0, 1, 'float32', setup.seed + 1), 0.02)),
    );
    this.bias = trainable(tf.zeros([setup.tags.length]));
    // Unit-variance rows, the scale of the LayerNorm-ed hidden states they sit beside.
    this.lacEmbedding = lac
      ? trainable(tf.randomNormal([lac.tags.length + 2, lac.size], 0, 1, 'float32', setup.seed + 2))
      : undefined;
  }

  paramGroups(): ParamGroup[] {
    const { lr, weightDecay = 0.01, headLr } = this.setup;
    const head = [this.weight, this.bias, ...(this.lacEmbedding ? [this.lacEmbedding] : [])];
    return [
      ...this.setup.model.params.decayGroups(lr, weightDecay),
      { params: head, lr: headLr ?? 10 * lr, weightDecay: 0 },
    ];
  }

  makeBatch(examples: TokenExample[]): TokenBatch {
    const { tokenizer, maxSeqLen, tags } = this.setup;
    const rows = examples.map((e) => {
      const chars = textChars(e.text).slice(0, maxSeqLen - 2);
      const spans = e.entities.filter((s) => s.end <= chars.length);
      return {
        ids: charTokenIds(tokenizer, chars),
        tags: spansToTagIds(chars.length, spans, tags),
        lac: this.lacEmbedding ? this.lacIds(e).slice(0, chars.length) : [],
      };
    });
    const width = Math.max(...rows.map((r) => r.ids.length)) + 2;
    const ids = rows.map((r) => [
      tokenizer.clsId,
      ...r.ids,
      tokenizer.sepId,
      ...new Array<number>(width - r.ids.length - 2).fill(tokenizer.padId),
    ]);
    const mask = rows.map((r) => Array.from({ length: width }, (_, i) => (i < r.ids.length + 2 ? 1 : 0)));
    const positions = rows.flatMap((r, b) => r.ids.map((_, i) => b * width + 1 + i));
    return {
      tensors: [int2d(ids), int2d(ids.map((row) => row.map(() => 0))), int2d(mask), tf.tensor1d(positions, 'int32')],
      targets: tf.tensor1d(
        rows.flatMap((r) => r.tags),
        'int32',
      ),
      ...(this.lacEmbedding
        ? {
            lacTagIds: tf.tensor1d(
              rows.flatMap((r) => r.lac),
              'int32',
            ),
          }
        : {}),
      lengths: rows.map((r) => r.ids.length),
    };
  }

  /** An example's LAC tag ids, checked against its characters. */
  private lacIds(e: TokenExample): readonly number[] {
    const ids = e.lacTagIds;
    if (!ids)
      throw new ConfigError(`this method reads LAC tags: example ${e.id} has no lacTagIds (LacCharTagVocab.textIds)`);
    const n = textChars(e.text).length;
    if (ids.length !== n) throw new ConfigError(`example ${e.id}: ${ids.length} LAC tag ids for ${n} characters`);
    const rows = this.lacEmbedding!.shape[0]!;
    if (ids.some((id) => !Number.isInteger(id) || id < 0 || id >= rows))
      throw new ConfigError(`example ${e.id}: LAC tag ids must be integers in [0, ${rows})`);
    return ids;
  }

  disposeBatch(batch: TokenBatch): void {
    tf.dispose([...batch.tensors, batch.targets]);
    batch.lacTagIds?.dispose();
  }

  /** Tag logits [characters in the batch, tags]. */
  logits(batch: TokenBatch, training: boolean, seed: number): Tensor {
    const { model } = this.setup;
    const [inputIds, tokenTypeIds, attentionMask, positions] = batch.tensors;
    const hidden = model.encode({ inputIds, tokenTypeIds, attentionMask }, { training, seed });
    const chars = BertModel.gatherPositions(hidden, positions); // [N, H]
    if (this.lacEmbedding && !batch.lacTagIds) throw new ConfigError('this method reads LAC tags: the batch has none');
    // [N, H (+ size)]
    const rows = this.lacEmbedding ? tf.concat([chars, tf.gather(this.lacEmbedding, batch.lacTagIds!)], 1) : chars;
    return dense(training ? dropout(rows, model.config.hiddenDropoutProb, seed + 17) : rows, this.weight, this.bias);
  }

  loss(batch: TokenBatch, seed: number): tf.Scalar {
    return softmaxCrossEntropy(this.logits(batch, true, seed), batch.targets) as tf.Scalar;
  }

  /** One row per example: its mean per-character log-likelihood of the argmax tags (examples have no single label). */
  scores(batch: TokenBatch): number[][] {
    const best = tidyRead(
      () => tf.max(tf.logSoftmax(this.logits(batch, false, 0)), 1),
      (t) => t.dataSync() as Float32Array,
    );
    let at = 0;
    return batch.lengths.map((n) => {
      let sum = 0;
      for (let i = 0; i < n; i++) sum += best[at + i]!;
      at += n;
      return [n === 0 ? 0 : sum / n];
    });
  }

  labelOf(): number | undefined {
    return undefined;
  }

  /**
   * Argmax tag ids per example (eval mode), one per character of the (truncated) text.
   * @example
   * method.tag([{ id: 0, text: '叶老桂认为', entities: [] }]); // [[13, 14, 14, 0, 0]]
   */
  tag(examples: readonly TokenExample[], batchSize = 64): number[][] {
    const out: number[][] = [];
    for (let i = 0; i < examples.length; i += batchSize) {
      const batch = this.makeBatch(examples.slice(i, i + batchSize));
      const ids = tidyRead(
        () => tf.argMax(this.logits(batch, false, 0), 1),
        (t) => t.dataSync() as Int32Array,
      );
      let at = 0;
      for (const n of batch.lengths) {
        out.push(Array.from(ids.subarray(at, at + n)));
        at += n;
      }
      this.disposeBatch(batch);
    }
    return out;
  }

  snapshot(): Map<string, HostTensor> {
    const out: Map<string, HostTensor> = this.setup.model.stateDict();
    for (const [name, v] of this.headVariables())
      out.set(name, { dtype: 'float32', shape: [...v.shape], data: v.dataSync() as Float32Array });
    return out;
  }

  restore(weights: ReadonlyMap<string, HostTensor>): void {
    this.setup.model.params.load(new Map([...weights].filter(([k]) => !k.startsWith('method.'))), {
      optional: () => false,
    });
    for (const [name, v] of this.headVariables()) {
      const t = weights.get(name);
      if (t && t.dtype === 'float32') tf.tidy(() => v.assign(tf.tensor(t.data, v.shape)));
    }
  }

  dispose(): void {
    for (const [, v] of this.headVariables()) v.dispose();
  }

  /** The method's own weights by their snapshot names. */
  private headVariables(): [string, Variable][] {
    return [
      ['method.classifier.weight', this.weight],
      ['method.classifier.bias', this.bias],
      ...(this.lacEmbedding ? [['method.lac_tag_embedding', this.lacEmbedding] as [string, Variable]] : []),
    ];
  }
}
