/**
 * MLM batches from packed chunks, the masked-position loss, and held-out MLM accuracy.
 */
import { tf, type Tensor } from '../backend/tf.js';
import { BertModel } from '../model/bert.js';
import { softmaxCrossEntropy } from '../ops/cross-entropy.js';
import { maskChunk, type MaskingOptions, type MaskVocab } from './masking.js';
import type { PackedCorpus } from './packing.js';
import { mixSeed, SeededRandom } from '../random.js';

/** One host-side batch: ids [batch, seq], flat masked positions (b·seq + t) and their original ids. */
export interface HostBatch {
  inputIds: Int32Array;
  batch: number;
  seq: number;
  positions: Int32Array;
  labels: Int32Array;
}

/** Salt of the masking stream, so masks never correlate with the data order or dropout. */
const MASK_SALT = 0x6d61736b;

/**
 * Masks chunks `picks` of `corpus`; chunk i of epoch e is masked with `SeededRandom(mixSeed(seed, salt, e, i))`,
 * so its masks change every epoch and never depend on batch composition or on resuming.
 * @example
 * const b = buildBatch(data.train, [{ index: 4, epoch: 0 }], vocab, 42, { wholeWord: true });
 * b.inputIds.length; // → 128 (one chunk); b.positions.length ≈ 19
 */
export function buildBatch(
  corpus: PackedCorpus,
  picks: readonly { index: number; epoch: number }[],
  vocab: MaskVocab,
  seed: number,
  masking: MaskingOptions,
): HostBatch {
  const seq = corpus.maxSeqLen;
  const inputIds = new Int32Array(picks.length * seq);
  const positions: number[] = [];
  const labels: number[] = [];
  picks.forEach((pick, b) => {
    const chunk = corpus.chunk(pick.index);
    const m = maskChunk(
      chunk.ids,
      chunk.wordStart,
      vocab,
      new SeededRandom(mixSeed(seed, MASK_SALT, pick.epoch, pick.index)),
      masking,
    );
    inputIds.set(m.inputIds, b * seq);
    for (let k = 0; k < m.positions.length; k++) {
      positions.push(b * seq + m.positions[k]!);
      labels.push(m.labels[k]!);
    }
  });
  return { inputIds, batch: picks.length, seq, positions: Int32Array.from(positions), labels: Int32Array.from(labels) };
}

/** Logits at the masked positions of a batch (call inside tidy / variableGrads). */
export function maskedLogits(
  model: BertModel,
  batch: HostBatch,
  training: boolean,
  dropoutSeed?: number,
): { logits: Tensor; labels: Tensor } {
  const inputIds = tf.tensor2d(batch.inputIds, [batch.batch, batch.seq], 'int32');
  const hidden = model.encode({ inputIds }, { training, seed: dropoutSeed });
  const logits = model.mlmLogits(BertModel.gatherPositions(hidden, tf.tensor1d(batch.positions, 'int32')));
  return { logits, labels: tf.tensor1d(batch.labels, 'int32') };
}

/**
 * One forward/backward pass: mean cross-entropy over masked positions and gradients of every trainable variable.
 * @example
 * const { loss, grads } = mlmLossAndGrads(model, batch, 7);
 * opt.step(grads, lrScale);
 * tf.dispose(Object.values(grads));
 */
export function mlmLossAndGrads(
  model: BertModel,
  batch: HostBatch,
  dropoutSeed: number,
): { loss: number; grads: Record<string, Tensor> } {
  const { value, grads } = tf.variableGrads(() => {
    const { logits, labels } = maskedLogits(model, batch, true, dropoutSeed);
    return softmaxCrossEntropy(logits, labels) as tf.Scalar;
  });
  const loss = value.dataSync()[0]!;
  value.dispose();
  return { loss, grads };
}

/**
 * Splits a batch into `n` equal row slices, masked positions re-based to each slice's rows.
 * @example splitBatch(batch16, 4).map((b) => b.batch); // → [4, 4, 4, 4]
 */
export function splitBatch(batch: HostBatch, n: number): HostBatch[] {
  if (batch.batch % n !== 0) throw new RangeError(`batch of ${batch.batch} rows does not split into ${n} equal slices`);
  const rows = batch.batch / n;
  const span = rows * batch.seq;
  return Array.from({ length: n }, (_, w) => {
    const positions: number[] = [];
    const labels: number[] = [];
    for (let k = 0; k < batch.positions.length; k++) {
      const p = batch.positions[k]!;
      if (p >= w * span && p < (w + 1) * span) {
        positions.push(p - w * span);
        labels.push(batch.labels[k]!);
      }
    }
    return {
      batch: rows,
      seq: batch.seq,
      inputIds: batch.inputIds.slice(w * span, (w + 1) * span),
      positions: Int32Array.from(positions),
      labels: Int32Array.from(labels),
    };
  });
}

/** Held-out MLM accuracy and loss. */
export interface HeldoutMetrics {
  accuracy: number;
  loss: number;
  predictions: number;
  chunks: number;
  /**
   * Accuracy on the same masks with each chunk's other tokens in a random order: as high as `accuracy` while the
   * model reads its context as a bag of characters, below it once word order is used (the early plateau ends).
   */
  accuracyShuffled?: number;
}

/** Salt of the held-out context shuffle. */
const SHUFFLE_SALT = 0x73687566;

/**
 * The batch with every row's unmasked, non-special tokens permuted among their own places (seeded): the same
 * characters and masks, without their order.
 */
export function shuffleContext(batch: HostBatch, isSpecial: (id: number) => boolean, seed: number): HostBatch {
  const inputIds = batch.inputIds.slice();
  const masked = new Set(batch.positions);
  const rng = new SeededRandom(mixSeed(seed, SHUFFLE_SALT, 0, 0));
  for (let r = 0; r < batch.batch; r++) {
    const places: number[] = [];
    for (let t = r * batch.seq; t < (r + 1) * batch.seq; t++)
      if (!masked.has(t) && !isSpecial(inputIds[t]!)) places.push(t);
    const values = places.map((t) => inputIds[t]!);
    for (let i = values.length - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      [values[i], values[j]] = [values[j]!, values[i]!];
    }
    places.forEach((t, i) => {
      inputIds[t] = values[i]!;
    });
  }
  return { ...batch, inputIds };
}

/** Fixed seed of held-out masks: every run (and the starter) is scored on the same masks. */
export const EVAL_MASK_SEED = 20240;

/**
 * MLM accuracy (argmax = original token) over the first `chunks` held-out chunks, character masking at
 * 15% with fixed seeds: the protocol of the starter's model card (0.1409 on 200 chunks).
 * @example evaluateHeldout(model, data.heldout, vocab, { chunks: 200, batchSize: 32 })
 * // → { accuracy: 0.14, loss: 6.1, predictions: 3800, chunks: 200 }
 */
export function evaluateHeldout(
  model: BertModel,
  corpus: PackedCorpus,
  vocab: MaskVocab,
  options: { chunks: number; batchSize: number; probability?: number; shuffled?: boolean },
): HeldoutMetrics {
  const n = Math.min(options.chunks, corpus.size);
  let correct = 0;
  let correctShuffled = 0;
  let lossSum = 0;
  let total = 0;
  for (let from = 0; from < n; from += options.batchSize) {
    const picks = Array.from({ length: Math.min(options.batchSize, n - from) }, (_, k) => ({
      index: from + k,
      epoch: 0,
    }));
    const batch = buildBatch(corpus, picks, vocab, EVAL_MASK_SEED, {
      probability: options.probability ?? 0.15,
      wholeWord: false,
    });
    if (batch.positions.length === 0) continue;
    const [hits, loss] = tf.tidy(() => {
      const { logits, labels } = maskedLogits(model, batch, false);
      const right = tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), labels), 'int32'));
      return [right.dataSync()[0]!, softmaxCrossEntropy(logits, labels).dataSync()[0]!];
    });
    correct += hits;
    lossSum += loss * batch.positions.length;
    total += batch.positions.length;
    if (options.shuffled) correctShuffled += maskedHits(model, shuffleContext(batch, vocab.isSpecial, from));
  }
  const metrics = {
    accuracy: total ? correct / total : 0,
    loss: total ? lossSum / total : 0,
    predictions: total,
    chunks: n,
  };
  return options.shuffled ? { ...metrics, accuracyShuffled: total ? correctShuffled / total : 0 } : metrics;
}

/** Masked positions whose argmax is the original token. */
function maskedHits(model: BertModel, batch: HostBatch): number {
  return tf.tidy(() => {
    const { logits, labels } = maskedLogits(model, batch, false);
    return tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), labels), 'int32')).dataSync()[0]!;
  });
}
