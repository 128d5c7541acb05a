export {
  STRATEGIES,
  type GenerationArgs,
  type GenerationResult,
  type GenerationRun,
  type LogitsSource,
  type Strategy,
} from './base.js';
export { GENERATION_DEFAULTS, resolveGenerationArgs, type GenerationOptions } from './args.js';
export { generate } from './generate.js';
export { sampleSearch, promptRng } from './sampling.js';
export { beamSearch } from './beam-search.js';
export { t2tBeamSearch } from './t2t-beam-search.js';
export { CharVocab, CHAR_SPECIALS } from './char-vocab.js';
export { leftPad } from './left-pad.js';
