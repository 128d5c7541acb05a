import { tf } from '../backend/tf.js';
import { BertModel } from '../model/bert.js';
import type { BertConfig } from '../model/config.js';
import { loadStateDict } from '../checkpoint/state-dict.js';
import { softmaxCrossEntropy } from '../ops/cross-entropy.js';
import type { Replica } from './replica.js';

/** How to build an MLM replica: a config and either a seed (random init) or a model directory. */
export interface MlmReplicaSpec {
  config: BertConfig;
  seed?: number;
  /** Hugging Face model directory to initialise from (every replica reads the same weights). */
  initDir?: string;
  /** Activation recomputation (for models whose activations do not fit the wasm heap). */
  recompute?: boolean;
}

/** One shard of an MLM batch as plain arrays (transferable between threads). */
export interface MlmShard {
  batch: number;
  seq: number;
  /** Row-major [batch, seq] input ids with masked positions already replaced. */
  inputIds: number[];
  attentionMask?: number[];
  /** Flat positions (row·seq + col) of the masked tokens, and their original ids. */
  positions: number[];
  labels: number[];
}

/** A masked-LM replica: the loss is cross-entropy at the masked positions only. */
export async function createReplica(spec: MlmReplicaSpec): Promise<Replica<MlmShard>> {
  const model = spec.initDir
    ? BertModel.fromStateDict(spec.config, loadStateDict(spec.initDir), { pooler: false, mlmHead: true })
    : BertModel.create(spec.config, { pooler: false, mlmHead: true }, spec.seed ?? 42);
  model.train();
  model.recompute = spec.recompute ?? false;
  return {
    variables: () => [...model.params.variables].map(([name, variable]) => ({ name, variable })),
    loss: (shard, seed) => {
      const inputIds = tf.tensor2d(shard.inputIds, [shard.batch, shard.seq], 'int32');
      const attentionMask = shard.attentionMask
        ? tf.tensor2d(shard.attentionMask, [shard.batch, shard.seq], 'int32')
        : undefined;
      const hidden = model.encode({ inputIds, attentionMask }, { training: true, seed });
      const logits = model.mlmLogits(BertModel.gatherPositions(hidden, tf.tensor1d(shard.positions, 'int32')));
      return softmaxCrossEntropy(logits, tf.tensor1d(shard.labels, 'int32')) as tf.Scalar;
    },
    weight: (shard) => shard.labels.length,
    dispose: () => model.dispose(),
  };
}
