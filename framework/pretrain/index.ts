/** Masked-LM pretraining: corpus → clean → vocab → pack → mask → train, resumable. See `README.md`. */
export {
  CORPUS_FORMATS,
  DEFAULT_CSV_COLUMNS,
  DEFAULT_TEXT_FIELDS,
  detectFormat,
  readCorpus,
  readFileDocuments,
  resolveCorpusFiles,
  type CorpusDocument,
  type CorpusFormat,
  type CorpusSource,
} from './corpus.js';
export {
  Cleaner,
  fnv1a,
  normalizeLight,
  NORMALIZATIONS,
  type CleanCounts,
  type CleanOptions,
  type Normalization,
} from './clean.js';
export { CharTokenizer, isCjk, type SpecialIds, type TokenizedText } from './char-tokenizer.js';
export {
  charVocab,
  pruneVocab,
  readVocab,
  remapVocabState,
  SPECIAL_TOKENS,
  vocabMapping,
  VOCAB_ROW_KEYS,
  writeVocab,
  type PruneOptions,
} from './vocab.js';
export { maskChunk, resolveMasking, type MaskedChunk, type MaskingOptions, type MaskVocab } from './masking.js';
export { PackedCorpus, TokenStream } from './packing.js';
export { mixSeed, SeededRandom } from '../random.js';
export {
  loadJieba,
  prepareData,
  VOCAB_KINDS,
  wordStarts,
  type PreparedData,
  type PrepareOptions,
  type Segmenter,
  type VocabKind,
} from './prepare.js';
export {
  buildBatch,
  EVAL_MASK_SEED,
  evaluateHeldout,
  maskedLogits,
  mlmLossAndGrads,
  type HeldoutMetrics,
  type HostBatch,
} from './batch.js';
export {
  checkpointDir,
  PretrainStore,
  readCheckpointState,
  type PretrainProgress,
  type PretrainState,
} from './checkpoint.js';
export { chunkIndices, MlmObjective, shardBatch, type MlmObjectiveParts } from './objective.js';
export {
  PRETRAIN_DEFAULTS,
  PRETRAIN_SETTINGS,
  resolvePretrainConfig,
  type PretrainConfig,
  type PretrainConfigInput,
  type PretrainModelSize,
} from './config.js';
export { flatParams, writeTrainingState } from './report.js';
export { pretrain, type PretrainOptions, type PretrainProbe, type PretrainResult } from './pretrain.js';
