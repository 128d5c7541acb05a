/**
 * The models a pretraining run trains and the objective over them: the encoder (from a checkpoint being resumed,
 * from `init`, or random) and, for ELECTRA, its generator.
 */
import { loadStateDict } from '../checkpoint/state-dict.js';
import type { HostTensor } from '../checkpoint/host-tensor.js';
import { BertModel } from '../model/bert.js';
import { BERT_DEFAULTS, readBertConfig } from '../model/config.js';
import type { DataParallel } from '../parallel/data-parallel.js';
import type { MlmReplicaSpec, MlmShard } from '../parallel/mlm-replica.js';
import type { PretrainConfig } from './config.js';
import { ElectraObjective, GENERATOR_PREFIX, RTD_HEAD_PREFIX } from './electra.js';
import type { MaskVocab } from './masking.js';
import { MlmObjective } from './objective.js';
import type { PreparedData } from './prepare.js';
import { remapVocabState, vocabMapping } from './vocab.js';

/** The objective of a run: masked LM, or ELECTRA's replaced-token detection. */
export type PretrainObjective = MlmObjective | ElectraObjective;

/** The encoder's own weights in a checkpoint (an ELECTRA checkpoint also holds the generator's and the head's). */
function encoderState(state: ReadonlyMap<string, HostTensor>): Map<string, HostTensor> {
  return new Map([...state].filter(([k]) => !k.startsWith(GENERATOR_PREFIX) && !k.startsWith(RTD_HEAD_PREFIX)));
}

/**
 * The encoder to train: from the checkpoint being resumed, from `init` (rows remapped to a pruned vocabulary), or
 * random. It keeps its MLM head under the `mlm` objective; the ELECTRA discriminator has none.
 */
export function buildModel(
  config: PretrainConfig,
  vocab: readonly string[],
  baseVocab: readonly string[],
  checkpoint: string | undefined,
): BertModel {
  const mlmHead = config.objective === 'mlm';
  // The trainer restores the checkpoint's weights again; building from them keeps its parts (pooler or not).
  if (checkpoint)
    return BertModel.fromStateDict(readBertConfig(checkpoint), encoderState(loadStateDict(checkpoint)), { mlmHead });
  if (config.init !== undefined) {
    const initConfig = readBertConfig(config.init);
    let state = encoderState(loadStateDict(config.init));
    if (vocab.length !== baseVocab.length || vocab.some((t, i) => t !== baseVocab[i])) {
      state = remapVocabState(state, vocabMapping(baseVocab, vocab), initConfig.initializerRange, config.seed);
    }
    return BertModel.fromStateDict({ ...initConfig, vocabSize: vocab.length }, state, { mlmHead });
  }
  const { layers, hidden, heads, ffn } = config.model;
  return BertModel.create(
    {
      ...BERT_DEFAULTS,
      numHiddenLayers: layers,
      hiddenSize: hidden,
      numAttentionHeads: heads,
      intermediateSize: ffn,
      vocabSize: vocab.length,
    },
    { pooler: mlmHead, mlmHead },
    config.seed,
  );
}

/**
 * The run's objective over `model`: MLM (on the data-parallel workers when there are some), or ELECTRA with a fresh
 * generator of `generatorHidden` × `generatorLayers` (its weights come from the checkpoint when resuming).
 */
export function createObjective(
  config: PretrainConfig,
  data: PreparedData,
  model: BertModel,
  dataParallel: DataParallel<MlmReplicaSpec, MlmShard> | undefined,
): PretrainObjective {
  const vocab: MaskVocab = {
    maskId: data.tokenizer.special.mask,
    isSpecial: (id) => data.tokenizer.isSpecial(id),
    randomIds: Int32Array.from(data.vocab.keys()).filter((id) => !data.tokenizer.isSpecial(id)),
  };
  const common = {
    model,
    corpus: data.train,
    vocab,
    masking: { probability: config.maskProbability, wholeWord: config.wwm },
    seed: config.seed,
  };
  if (config.objective === 'mlm') {
    const paramGroups = model.params.decayGroups(config.lr, config.weightDecay);
    return new MlmObjective({ ...common, paramGroups, ...(dataParallel ? { dataParallel } : {}) });
  }
  const hidden = config.generatorHidden;
  const generator = BertModel.create(
    {
      ...model.config,
      hiddenSize: hidden,
      numAttentionHeads: hidden / 64,
      intermediateSize: 4 * hidden,
      numHiddenLayers: config.generatorLayers || model.config.numHiddenLayers,
    },
    { pooler: false, mlmHead: true },
    config.seed + 1,
  );
  return new ElectraObjective({
    ...common,
    generator,
    lr: config.lr,
    weightDecay: config.weightDecay,
    discriminatorWeight: config.discriminatorWeight,
  });
}
