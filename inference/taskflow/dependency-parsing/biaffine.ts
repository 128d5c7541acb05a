/**
 * The biaffine dependency parser as a training objective: BERT → word vectors (first piece; `[CLS]`
 * for the root) → arc and relation MLPs → biaffine arc scores and per-label relation scores. Loss =
 * cross-entropy over each word's head + cross-entropy over its relation at the gold head.
 */
import { tf, tidyRead, type Tensor, type Variable } from '../../../framework/backend/tf.js';
import type { HostTensor } from '../../../framework/checkpoint/host-tensor.js';
import { ConfigError } from '../../../framework/errors.js';
import { BertModel } from '../../../framework/model/bert.js';
import { softmaxCrossEntropy } from '../../../framework/ops/cross-entropy.js';
import { dropout } from '../../../framework/ops/dropout.js';
import { dense } from '../../../framework/ops/matmul.js';
import type { ParamGroup } from '../../../framework/optim/adamw.js';
import type { Objective } from '../../../framework/trainer/objective.js';
import type { ParseFeaturizer, ParseRow } from './features.js';
import { distanceIndex as distanceIndexOf, LEAKY_SLOPE, parserHeadShapes, type ParserHeadConfig } from './head.js';

/** A batch of sentences as the trainer sees one example: rows of similar length, with gold trees. */
export interface ParseBucket {
  readonly rows: readonly ParseRow[];
  /** Per sentence, the head of each word (1-based words, 0 = root); index 0 of each list unused. */
  readonly heads: readonly (readonly number[])[];
  /** Per sentence, the relation label index of each word; index 0 unused. */
  readonly rels: readonly (readonly number[])[];
}

/** Tensors of one bucket. */
export interface ParseTensors {
  readonly inputIds: Tensor;
  readonly attentionMask: Tensor;
  readonly wordIndex: Tensor;
  /** 0 at real nodes (root and words), -1e9 at padding nodes: [batch, 1, nodes]. */
  readonly nodeBias: Tensor;
  /** Gold head per node (-1 for the root and padding): [batch · nodes]. */
  readonly goldHeads: Tensor;
  /** Flat gold head node (row · nodes + head; 0 where unused): [batch · nodes]. */
  readonly goldHeadFlat: Tensor;
  readonly goldRels: Tensor;
  /** Tag id per node [batch · nodes] when the head reads tags. */
  readonly tagIds?: Tensor;
  /** Row of `parser.arc_distance` per (dependent, head) [nodes, nodes] when the head has a distance bias. */
  readonly distanceIndex?: Tensor;
  readonly size: number;
  readonly nodes: number;
}

/** Options of {@link BiaffineParser}. */
export interface BiaffineParserOptions {
  readonly head: ParserHeadConfig;
  /** Encoder learning rate. */
  readonly lr: number;
  /** Learning rate of the head (biaffine parsers train it faster than the encoder). */
  readonly headLr: number;
  /** Dropout on the MLP outputs (Dozat & Manning: 0.33). */
  readonly mlpDropout?: number;
  readonly weightDecay?: number;
  readonly seed: number;
}

/**
 * Trains with the framework's {@link Objective} contract (one bucket = one optimiser step).
 * @example
 * const parser = new BiaffineParser(model, featurizer, {
 *   head: { arcSize: 128, relSize: 64, labels },
 *   lr: 1e-4,
 *   headLr: 1e-3,
 *   seed: 42,
 * });
 * await new Trainer(parser, { epochs: 4, batchSize: 1, seed: 42 }).fit(buckets, []);
 */
export class BiaffineParser implements Objective<ParseBucket, ParseTensors> {
  readonly own = new Map<string, Variable>();

  constructor(
    readonly model: BertModel,
    readonly featurizer: ParseFeaturizer,
    readonly options: BiaffineParserOptions,
  ) {
    let k = 0;
    for (const [name, shape] of parserHeadShapes(model.config.hiddenSize, options.head)) {
      const init = tf.tidy(() => {
        if (name.endsWith('.bias') || name === 'parser.arc_distance') return tf.zeros(shape);
        if (name.includes('biaffine')) return tf.zeros(shape); // Dozat & Manning: biaffine weights start at zero
        const fanIn = shape[0]!;
        return tf.mul(tf.randomNormal(shape, 0, 1, 'float32', options.seed + 101 * ++k), Math.sqrt(2 / fanIn));
      });
      this.own.set(name, tf.variable(init, true, `${name}.${options.seed}`));
      init.dispose();
    }
  }

  private w(name: string): Variable {
    return this.own.get(name)!;
  }

  paramGroups(): ParamGroup[] {
    const groups = this.model.params.decayGroups(this.options.lr, this.options.weightDecay ?? 0.01);
    groups.push({ params: [...this.own.values()], lr: this.options.headLr, weightDecay: 0 });
    return groups;
  }

  makeBatch(examples: ParseBucket[]): ParseTensors {
    const rows = examples.flatMap((e) => e.rows);
    const heads = examples.flatMap((e) => e.heads);
    const rels = examples.flatMap((e) => e.rels);
    const f = this.featurizer.batch(rows);
    const { size, nodes } = f;
    const nodeBias = new Float32Array(size * nodes).fill(-1e9);
    const gold = new Int32Array(size * nodes).fill(-1);
    const goldFlat = new Int32Array(size * nodes);
    const goldRels = new Int32Array(size * nodes).fill(-1);
    rows.forEach((r, b) => {
      for (let i = 0; i < r.starts.length; i++) {
        nodeBias[b * nodes + i] = 0;
        if (i === 0) continue;
        gold[b * nodes + i] = heads[b]![i]!;
        goldFlat[b * nodes + i] = b * nodes + heads[b]![i]!;
        goldRels[b * nodes + i] = rels[b]![i]!;
      }
    });
    const { input_ids: ids, attention_mask: mask, word_index: index, tag_ids: tagFeed } = f.feeds;
    const { tags, maxDistance } = this.options.head;
    if (tags && !tagFeed)
      throw new ConfigError(
        'this parser reads word tags: build its rows with tag ids (featurizer.row(words, tagVocab.ids(tags)))',
      );
    let distanceIndex: Tensor | undefined;
    if (maxDistance) {
      const idx = new Int32Array(nodes * nodes);
      for (let d = 0; d < nodes; d++)
        for (let h = 0; h < nodes; h++) idx[d * nodes + h] = distanceIndexOf(d, h, maxDistance);
      distanceIndex = tf.tensor2d(idx, [nodes, nodes], 'int32');
    }
    return {
      ...(tags ? { tagIds: tf.tensor1d(tagFeed!.data, 'int32') } : {}),
      ...(distanceIndex ? { distanceIndex } : {}),
      inputIds: tf.tensor2d(ids.data, [size, f.width], 'int32'),
      attentionMask: tf.tensor2d(mask.data, [size, f.width], 'int32'),
      wordIndex: tf.tensor1d(index.data, 'int32'),
      nodeBias: tf.tensor3d(nodeBias, [size, 1, nodes]),
      goldHeads: tf.tensor1d(gold, 'int32'),
      goldHeadFlat: tf.tensor1d(goldFlat, 'int32'),
      goldRels: tf.tensor1d(goldRels, 'int32'),
      size,
      nodes,
    };
  }

  disposeBatch(batch: ParseTensors): void {
    tf.dispose([
      batch.inputIds,
      batch.attentionMask,
      batch.wordIndex,
      batch.nodeBias,
      batch.goldHeads,
      batch.goldHeadFlat,
      batch.goldRels,
    ]);
    if (batch.tagIds) batch.tagIds.dispose();
    if (batch.distanceIndex) batch.distanceIndex.dispose();
  }

  private mlp(x: Tensor, name: string, training: boolean, seed: number): Tensor {
    const y = tf.leakyRelu(dense(x, this.w(`${name}.weight`), this.w(`${name}.bias`)), LEAKY_SLOPE);
    return training ? dropout(y, this.options.mlpDropout ?? 0.33, seed) : y;
  }

  /** Word vectors [batch · nodes, hidden] and the four MLP outputs. */
  private features(
    batch: ParseTensors,
    training: boolean,
    seed: number,
  ): { arcDep: Tensor; arcHead: Tensor; relDep: Tensor; relHead: Tensor } {
    const hidden = this.model.encode(
      { inputIds: batch.inputIds, attentionMask: batch.attentionMask },
      { training, seed },
    );
    const pieces = BertModel.gatherPositions(hidden, batch.wordIndex); // [B·W, H]
    const words = batch.tagIds
      ? tf.concat([pieces, tf.gather(this.w('parser.tag_embedding'), batch.tagIds)], 1)
      : pieces;
    return {
      arcDep: this.mlp(words, 'parser.arc_dep', training, seed + 1),
      arcHead: this.mlp(words, 'parser.arc_head', training, seed + 2),
      relDep: this.mlp(words, 'parser.rel_dep', training, seed + 3),
      relHead: this.mlp(words, 'parser.rel_head', training, seed + 4),
    };
  }

  /** `[x; 1] · W` for W [in + 1, out]: x·W[:in] + W[in]. */
  private static affine(x: Tensor, w: Tensor): Tensor {
    const inDim = x.shape[x.rank - 1]!;
    const [top, last] = tf.split(w, [inDim, 1], 0) as [Tensor, Tensor];
    return tf.add(dense(x, top), tf.reshape(last, [-1]));
  }

  /** Arc scores [batch, nodes (dependent), nodes (head)], padding heads at -1e9. */
  private arcScores(arcDep: Tensor, arcHead: Tensor, batch: ParseTensors): Tensor {
    const { size, nodes } = batch;
    const a = arcDep.shape[1]!;
    const t = tf.reshape(BiaffineParser.affine(arcDep, this.w('parser.arc_biaffine')), [size, nodes, a]);
    const scores = tf.add(tf.matMul(t, tf.reshape(arcHead, [size, nodes, a]), false, true), batch.nodeBias);
    return batch.distanceIndex ? tf.add(scores, tf.gather(this.w('parser.arc_distance'), batch.distanceIndex)) : scores;
  }

  /** Relation scores [n, labels] of dependents [n, rel] with heads [n, rel]. */
  private relScores(relDep: Tensor, relHead: Tensor): Tensor {
    const n = relDep.shape[0]!;
    const r = relDep.shape[1]!;
    const labels = this.options.head.labels.length;
    const t = tf.reshape(BiaffineParser.affine(relDep, this.w('parser.rel_biaffine')), [n, labels, r + 1]);
    const head1 = tf.concat([relHead, tf.ones([n, 1])], 1);
    return tf.sum(tf.mul(t, tf.expandDims(head1, 1)), 2);
  }

  loss(batch: ParseTensors, seed: number): tf.Scalar {
    const { arcDep, arcHead, relDep, relHead } = this.features(batch, true, seed);
    const arc = this.arcScores(arcDep, arcHead, batch);
    const arcLoss = softmaxCrossEntropy(tf.reshape(arc, [batch.size * batch.nodes, batch.nodes]), batch.goldHeads);
    const rel = this.relScores(relDep, tf.gather(relHead, batch.goldHeadFlat));
    const relLoss = softmaxCrossEntropy(rel, batch.goldRels);
    return tf.add(arcLoss, relLoss) as tf.Scalar;
  }

  /**
   * Eval-mode scores of a batch: arc scores per sentence ([nodes][nodes], dependent × head) and
   * relation scores per dependent for every head ([nodes][labels][nodes]) — what the exported graph outputs.
   */
  parseScores(batch: ParseTensors): { arc: Float32Array; rel: Float32Array } {
    return tidyRead(
      () => {
        const { arcDep, arcHead, relDep, relHead } = this.features(batch, false, 0);
        const arc = this.arcScores(arcDep, arcHead, batch);
        const { size, nodes } = batch;
        const r = relDep.shape[1]!;
        const labels = this.options.head.labels.length;
        // [B, W·L, r+1] · [B, r+1, W] → [B, W, L, W]
        const t = tf.reshape(BiaffineParser.affine(relDep, this.w('parser.rel_biaffine')), [
          size,
          nodes * labels,
          r + 1,
        ]);
        const head1 = tf.reshape(tf.concat([relHead, tf.ones([size * nodes, 1])], 1), [size, nodes, r + 1]);
        const rel = tf.matMul(t, head1, false, true);
        return { arc, rel };
      },
      ({ arc, rel }) => ({ arc: arc.dataSync() as Float32Array, rel: rel.dataSync() as Float32Array }),
    );
  }

  /**
   * The trainer's per-example label scores do not fit trees: training passes no dev set to the
   * `Trainer` and scores dev with UAS/LAS afterwards (`parseScores` + MST). One empty row per bucket.
   */
  scores(): number[][] {
    return [[0]];
  }

  labelOf(): number | undefined {
    return undefined;
  }

  snapshot(): Map<string, HostTensor> {
    const out: Map<string, HostTensor> = this.model.stateDict();
    for (const [name, v] of this.own)
      out.set(name, { dtype: 'float32', shape: [...v.shape], data: v.dataSync() as Float32Array });
    return out;
  }

  restore(weights: ReadonlyMap<string, HostTensor>): void {
    this.model.params.load(new Map([...weights].filter(([k]) => !k.startsWith('parser.'))), { optional: () => false });
    for (const [name, v] of this.own) {
      const t = weights.get(name);
      if (t && t.dtype === 'float32') tf.tidy(() => v.assign(tf.tensor(t.data, v.shape)));
    }
  }

  dispose(): void {
    for (const v of this.own.values()) v.dispose();
    this.own.clear();
  }
}
