import { BERT_DEFAULTS, type BertConfig } from '../model/config.js';

/** A tiny random BERT over the real 21,128-entry vocabulary (2 layers, hidden 32): fast enough for tests. */
export const TINY_RANDOM_CONFIG: BertConfig = {
  ...BERT_DEFAULTS,
  hiddenSize: 32,
  numHiddenLayers: 2,
  numAttentionHeads: 2,
  intermediateSize: 64,
  maxPositionEmbeddings: 128,
};
