/**
 * Masked-LM pretraining as a {@link Objective} of the framework's `Trainer`: examples are chunk indices of the packed
 * corpus, a batch is their masked copies, the loss is cross-entropy at the masked positions.
 */
import type { tf } from '../backend/tf.js';
import type { HostTensor } from '../checkpoint/host-tensor.js';
import { ConfigError } from '../errors.js';
import type { BertModel } from '../model/bert.js';
import type { ParamGroup } from '../optim/adamw.js';
import { softmaxCrossEntropy } from '../ops/cross-entropy.js';
import type { DataParallel } from '../parallel/data-parallel.js';
import type { MlmReplicaSpec, MlmShard } from '../parallel/mlm-replica.js';
import type { BatchPosition, LossAndGrads, Objective } from '../trainer/objective.js';
import { buildBatch, type HostBatch, maskedLogits, mlmLossAndGrads, splitBatch } from './batch.js';
import type { MaskingOptions, MaskVocab } from './masking.js';
import type { PackedCorpus } from './packing.js';

/** What every pretraining objective masks chunks of. */
export interface MaskedChunkParts {
  readonly model: BertModel;
  readonly corpus: PackedCorpus;
  readonly vocab: MaskVocab;
  readonly masking: MaskingOptions;
  /** The run's seed: chunk i of epoch e is masked with a stream seeded by (seed, e, i). */
  readonly seed: number;
}

/**
 * What the pretraining objectives share: chunk indices in, masked batches out (masks depend only on seed, epoch and
 * chunk, never on batch composition or resuming), and a count of the tokens drawn for training.
 */
export abstract class MaskedChunkObjective<P extends MaskedChunkParts> {
  /** Tokens of every training batch built so far (the run adds them to its count). */
  tokensDrawn = 0;

  constructor(readonly parts: P) {}

  makeBatch(chunks: number[], training: boolean, position?: BatchPosition): HostBatch {
    const { corpus, vocab, seed, masking } = this.parts;
    const epoch = position?.epoch ?? 0;
    const picks = chunks.map((index) => ({ index, epoch }));
    const batch = buildBatch(corpus, picks, vocab, seed, masking);
    if (batch.labels.length === 0) throw new ConfigError(`a batch of ${chunks.length} chunks has no masked token`);
    if (training) this.tokensDrawn += batch.inputIds.length;
    return batch;
  }

  disposeBatch(): void {}

  labelOf(): undefined {
    return undefined;
  }
}

/** What {@link MlmObjective} trains on and with. */
export interface MlmObjectiveParts extends MaskedChunkParts {
  readonly paramGroups: ParamGroup[];
  /** Data-parallel workers; a batch whose rows do not split evenly over them runs on this thread. */
  readonly dataParallel?: DataParallel<MlmReplicaSpec, MlmShard>;
}

/**
 * MLM on packed chunks. Masks depend only on (seed, epoch, chunk), never on batch composition or resuming;
 * micro-batches weigh by their masked tokens, so accumulation averages like one pass.
 * @example
 * const objective = new MlmObjective({ model, corpus: data.train, vocab, masking, seed: 42, paramGroups });
 * await new Trainer(objective, { maxSteps: 1000, batchSize: 128, seed: 42 }).fit(chunkIndices(data.train), []);
 */
export class MlmObjective extends MaskedChunkObjective<MlmObjectiveParts> implements Objective<number, HostBatch> {
  paramGroups(): ParamGroup[] {
    return this.parts.paramGroups;
  }

  loss(batch: HostBatch, seed: number): tf.Scalar {
    const { logits, labels } = maskedLogits(this.parts.model, batch, true, seed);
    return softmaxCrossEntropy(logits, labels) as tf.Scalar;
  }

  /** On the workers when there are some (each computes its shard), else on this thread. */
  async lossAndGrads(batch: HostBatch, seed: number): Promise<LossAndGrads> {
    const dp = this.parts.dataParallel;
    if (!dp || batch.batch % dp.size !== 0) return mlmLossAndGrads(this.parts.model, batch, seed);
    return dp.gradients(shardBatch(batch, dp.size), seed);
  }

  batchWeight(batch: HostBatch): number {
    return batch.labels.length;
  }

  /** Publishes the updated weights to the data-parallel workers. */
  afterUpdate(): void {
    this.parts.dataParallel?.publish();
  }

  scores(): number[][] {
    throw new ConfigError('MLM pretraining has no label scores: it is evaluated by held-out MLM accuracy');
  }

  snapshot(): Map<string, HostTensor> {
    return this.parts.model.stateDict();
  }

  restore(weights: ReadonlyMap<string, HostTensor>): void {
    this.parts.model.loadState(weights);
  }
}

/** The trainer's examples for a corpus: every chunk index. */
export function chunkIndices(corpus: PackedCorpus): number[] {
  return Array.from({ length: corpus.size }, (_, i) => i);
}

/**
 * Splits a batch into `n` equal row shards (plain arrays for the workers), masked positions re-based to each shard's
 * rows.
 */
export function shardBatch(batch: HostBatch, n: number): MlmShard[] {
  return splitBatch(batch, n).map((b) => ({
    batch: b.batch,
    seq: b.seq,
    inputIds: Array.from(b.inputIds),
    positions: Array.from(b.positions),
    labels: Array.from(b.labels),
  }));
}
