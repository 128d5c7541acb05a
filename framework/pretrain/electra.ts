/**
 * ELECTRA's replaced-token detection (Clark et al., 2020) as an {@link Objective} of the framework's `Trainer`, beside
 * masked LM: a small generator (an MLM) fills the masked positions with samples from its softmax, and the
 * discriminator — the encoder we ship — learns for every token whether it was replaced. The loss is the generator's
 * MLM loss plus `discriminatorWeight` (50 in the paper) times the discriminator's mean binary cross-entropy over all
 * tokens. Weights are not tied between the two (the paper's small models gain ~0.5 GLUE from tying embeddings;
 * untied keeps each a plain Hugging Face BERT).
 */
import { tf, type Tensor } from '../backend/tf.js';
import type { HostTensor } from '../checkpoint/host-tensor.js';
import { ConfigError } from '../errors.js';
import type { BertModel } from '../model/bert.js';
import { ParameterStore } from '../model/parameters.js';
import { linear } from '../model/specs.js';
import type { ParamGroup } from '../optim/adamw.js';
import { activation } from '../ops/activations.js';
import { softmaxCrossEntropy } from '../ops/cross-entropy.js';
import { dense } from '../ops/matmul.js';
import { mixSeed } from '../random.js';
import type { Objective } from '../trainer/objective.js';
import { buildBatch, EVAL_MASK_SEED, type HostBatch, maskedLogits } from './batch.js';
import { type MaskedChunkParts, MaskedChunkObjective } from './objective.js';
import type { PackedCorpus } from './packing.js';

/** Key prefix of the generator's weights in checkpoints (the discriminator's keys are plain BERT keys). */
export const GENERATOR_PREFIX = 'generator.';
/** Key prefix of the replaced-token detection head (Hugging Face's `ElectraForPreTraining` names). */
export const RTD_HEAD_PREFIX = 'discriminator_predictions.';

/** Salts of the discriminator's dropout and the held-out corruption samples. */
const DISCRIMINATOR_SALT = 0x64697363;
const HELDOUT_SAMPLE_SALT = 0x68656c64;

/** What {@link ElectraObjective} trains. */
export interface ElectraParts extends MaskedChunkParts {
  /** The generator: a small BERT with an MLM head (`model` is the discriminator: the encoder that ships). */
  readonly generator: BertModel;
  readonly lr: number;
  readonly weightDecay: number;
  /** λ of the discriminator's loss (50 in the paper). */
  readonly discriminatorWeight: number;
}

/**
 * Replaced-token detection on packed chunks: masks as MLM's (a function of seed, epoch and chunk), replacements
 * sampled from the generator with the step's seed, so a resumed run draws what the straight run drew.
 * @example
 * const objective = new ElectraObjective({ model, generator, corpus, vocab, masking, seed: 42, lr: 5e-4,
 *   weightDecay: 0.01, discriminatorWeight: 50 });
 * await new Trainer(objective, { maxSteps: 1000, batchSize: 32, seed: 42 }).fit(chunkIndices(corpus), []);
 */
export class ElectraObjective extends MaskedChunkObjective<ElectraParts> implements Objective<number, HostBatch> {
  /** The discriminator's head: dense → activation → one logit per token. */
  readonly head: ParameterStore;
  private readonly act: (x: Tensor) => Tensor;

  constructor(parts: ElectraParts) {
    super(parts);
    const c = parts.model.config;
    if (parts.generator.config.vocabSize !== c.vocabSize)
      throw new ConfigError(
        `generator vocabulary ${parts.generator.config.vocabSize} ≠ discriminator's ${c.vocabSize}`,
      );
    this.head = new ParameterStore(
      [
        ...linear(`${RTD_HEAD_PREFIX}dense`, c.hiddenSize, c.hiddenSize),
        ...linear(`${RTD_HEAD_PREFIX}dense_prediction`, c.hiddenSize, 1),
      ],
      c.initializerRange,
      parts.seed + 17,
    );
    this.act = activation(c.hiddenAct);
  }

  paramGroups(): ParamGroup[] {
    const { model, generator, lr, weightDecay } = this.parts;
    return [model, generator]
      .flatMap((m) => m.params.decayGroups(lr, weightDecay))
      .concat(this.head.decayGroups(lr, weightDecay));
  }

  /** Generator MLM loss + λ · discriminator BCE; the samples carry no gradient (they are read to the host). */
  loss(batch: HostBatch, seed: number): tf.Scalar {
    const { generator, discriminatorWeight } = this.parts;
    const { logits, labels } = maskedLogits(generator, batch, true, seed);
    const generatorLoss = softmaxCrossEntropy(logits, labels);
    const corrupted = corrupt(batch, sampleRows(logits, seed));
    const detectionLoss = this.detectionLoss(corrupted, true, mixSeed(seed, DISCRIMINATOR_SALT) >>> 1);
    return tf.add(generatorLoss, tf.mul(detectionLoss, discriminatorWeight)) as tf.Scalar;
  }

  /** Per-token replaced logits [batch·seq] of the discriminator. */
  detectionLogits(inputIds: Int32Array, rows: number, seq: number, training: boolean, seed?: number): Tensor {
    const hidden = this.parts.model.encode(
      { inputIds: tf.tensor2d(inputIds, [rows, seq], 'int32') },
      { training, ...(seed !== undefined ? { seed } : {}) },
    );
    const flat = tf.reshape(hidden, [-1, this.parts.model.config.hiddenSize]);
    const p = (n: string) => this.head.get(`${RTD_HEAD_PREFIX}${n}`);
    const h = this.act(dense(flat, p('dense.weight'), p('dense.bias')));
    return tf.reshape(dense(h, p('dense_prediction.weight'), p('dense_prediction.bias')), [-1]);
  }

  private detectionLoss(c: CorruptedBatch, training: boolean, seed?: number): Tensor {
    const z = this.detectionLogits(c.inputIds, c.rows, c.seq, training, seed);
    const y = tf.tensor1d(c.replaced, 'float32');
    // Stable binary cross-entropy with logits: max(z, 0) − z·y + log(1 + e^−|z|).
    return tf.mean(tf.add(tf.sub(tf.relu(z), tf.mul(z, y)), tf.log1p(tf.exp(tf.neg(tf.abs(z))))));
  }

  scores(): number[][] {
    throw new ConfigError('ELECTRA pretraining has no label scores: it is evaluated on held-out chunks');
  }

  /** Every trained weight: the discriminator's under its own keys, the generator's and the head's prefixed. */
  snapshot(): Map<string, HostTensor> {
    const out = new Map<string, HostTensor>(this.parts.model.stateDict());
    for (const [k, t] of this.parts.generator.stateDict()) out.set(`${GENERATOR_PREFIX}${k}`, t);
    for (const [k, t] of this.head.toHost()) out.set(k, t);
    return out;
  }

  restore(weights: ReadonlyMap<string, HostTensor>): void {
    const own = new Map<string, HostTensor>();
    const generator = new Map<string, HostTensor>();
    const head = new Map<string, HostTensor>();
    for (const [k, t] of weights) {
      if (k.startsWith(GENERATOR_PREFIX)) generator.set(k.slice(GENERATOR_PREFIX.length), t);
      else if (k.startsWith(RTD_HEAD_PREFIX)) head.set(k, t);
      else own.set(k, t);
    }
    this.parts.model.loadState(own);
    this.parts.generator.loadState(generator);
    this.head.load(head);
  }

  /** Frees the generator and the head (the discriminator belongs to the caller). */
  dispose(): void {
    this.parts.generator.dispose();
    this.head.dispose();
  }

  /**
   * Held-out metrics on the first `chunks` chunks with the MLM protocol's fixed masks: the generator's MLM accuracy,
   * and the discriminator's accuracy over all tokens and its recall of replaced ones (replacements sampled with a
   * fixed seed, so every evaluation sees the same corruption for the same generator).
   */
  heldout(corpus: PackedCorpus, chunks: number, batchSize: number): Record<string, number> {
    const { generator, vocab, masking } = this.parts;
    const n = Math.min(chunks, corpus.size);
    const totals = { tokens: 0, right: 0, replaced: 0, caught: 0, masked: 0, generatorRight: 0 };
    for (let from = 0; from < n; from += batchSize) {
      const picks = Array.from({ length: Math.min(batchSize, n - from) }, (_, k) => ({ index: from + k, epoch: 0 }));
      const batch = buildBatch(corpus, picks, vocab, EVAL_MASK_SEED, { ...masking, wholeWord: false });
      if (batch.positions.length === 0) continue;
      tf.tidy(() => {
        const { logits, labels } = maskedLogits(generator, batch, false);
        totals.generatorRight += tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), labels), 'int32')).dataSync()[0]!;
        totals.masked += batch.positions.length;
        const c = corrupt(batch, sampleRows(logits, mixSeed(EVAL_MASK_SEED, HELDOUT_SAMPLE_SALT, from)));
        const z = this.detectionLogits(c.inputIds, c.rows, c.seq, false).dataSync();
        z.forEach((v, i) => {
          const said = v > 0 ? 1 : 0;
          totals.tokens++;
          if (said === c.replaced[i]) totals.right++;
          if (c.replaced[i] === 1) {
            totals.replaced++;
            totals.caught += said;
          }
        });
      });
    }
    return {
      generator_mlm_accuracy: totals.masked ? totals.generatorRight / totals.masked : 0,
      rtd_accuracy: totals.tokens ? totals.right / totals.tokens : 0,
      rtd_replaced_recall: totals.replaced ? totals.caught / totals.replaced : 0,
      rtd_replaced_share: totals.tokens ? totals.replaced / totals.tokens : 0,
    };
  }
}

/** A batch with its masked positions refilled by the generator, and which tokens now differ from the original. */
interface CorruptedBatch {
  inputIds: Int32Array;
  rows: number;
  seq: number;
  /** 1 where the token differs from the original text. */
  replaced: Float32Array;
}

/** One token per row of `logits` [n, vocab], drawn from its softmax with `seed` (read to the host: no gradient). */
function sampleRows(logits: Tensor, seed: number): Int32Array {
  const drawn = tf.tidy(() => tf.multinomial(logits as tf.Tensor2D, 1, seed));
  const ids = drawn.dataSync() as Int32Array;
  drawn.dispose();
  return Int32Array.from(ids);
}

/** The original text with every masked position set to its sampled token. */
function corrupt(batch: HostBatch, sampled: Int32Array): CorruptedBatch {
  const inputIds = batch.inputIds.slice();
  const replaced = new Float32Array(inputIds.length);
  batch.positions.forEach((pos, k) => {
    inputIds[pos] = sampled[k]!;
    replaced[pos] = sampled[k] === batch.labels[k] ? 0 : 1;
  });
  return { inputIds, rows: batch.batch, seq: batch.seq, replaced };
}
