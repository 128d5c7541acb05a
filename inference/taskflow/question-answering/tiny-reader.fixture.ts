/**
 * Test support: a random tiny reader (the tiny BERT of the export parity tests, decisive init, so random span scores
 * are far apart) and its bundle, for the parity, task, CLI and server tests; never in the package.
 */
import { initBackend } from '../../../framework/backend/select.js';
import { createTinyModel, TINY_DECISIVE_CONFIG, tinyTokenizer } from '../../../framework/testing/tiny-bert.js';
import type { Fusion, Precision } from '../../../framework/onnx/choices.js';
import { writeQaBundle, type QaManifest } from './bundle.js';
import type { SpanDecodeOptions } from './decode.js';
import { QaFeaturizer, type QaWindowOptions } from './features.js';
import { SpanExtractor } from './span-model.js';

/** Small windows: a passage of a few dozen characters takes several. */
export const TINY_WINDOWS: QaWindowOptions = { maxSeqLen: 40, docStride: 12, maxQuestionTokens: 12 };
/** Answers every question (threshold 0). */
export const TINY_DECODE: SpanDecodeOptions = { maxAnswerTokens: 8, threshold: 0 };

/**
 * A seeded random reader over the tiny BERT (the caller disposes `reader.model` and `reader`).
 * @example const reader = await tinyReader(); reader.model.config.hiddenSize; // → 32
 */
export async function tinyReader(seed = 11): Promise<SpanExtractor> {
  await initBackend();
  const model = createTinyModel(seed, TINY_DECISIVE_CONFIG, { pooler: false, mlmHead: false });
  return new SpanExtractor(model, new QaFeaturizer(tinyTokenizer(), TINY_WINDOWS), { lr: 1e-3, headLr: 1e-3, seed });
}

/**
 * Writes the bundle of {@link tinyReader}`(seed)` to `dir`.
 * @example await writeTinyReaderBundle(join(tmp, 'qa')); // → its qa.json
 */
export async function writeTinyReaderBundle(
  dir: string,
  options: { precision?: Precision; fusion?: Fusion; decode?: SpanDecodeOptions; seed?: number } = {},
): Promise<QaManifest> {
  const reader = await tinyReader(options.seed);
  try {
    return await writeQaBundle(dir, {
      config: reader.model.config,
      weights: reader.snapshot(),
      tokenizer: tinyTokenizer(),
      windows: TINY_WINDOWS,
      decode: options.decode ?? TINY_DECODE,
      precision: options.precision ?? 'fp32',
      fusion: options.fusion ?? 'contrib',
      source: { test: 'random tiny reader' },
    });
  } finally {
    reader.model.dispose();
    reader.dispose();
  }
}
