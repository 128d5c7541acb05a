/**
 * A generative model directory on disk (config.json, vocab.txt, model.safetensors), read into host arrays. No tfjs:
 * the ONNX runtime (`generator.ts`) reads it as well as training does (`gpt-pretrained.ts`).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readSafetensors } from '../../../framework/checkpoint/safetensors.js';
import { CheckpointError } from '../../../framework/errors.js';
import { CharVocab } from '../../../framework/generation/char-vocab.js';
import { readGptConfig, type GptConfig } from './gpt-config.js';

/** The files of a generative model directory. */
export const GPT_FILES = { config: 'config.json', vocab: 'vocab.txt', weights: 'model.safetensors' } as const;

/**
 * Reads a GPT directory (config.json, vocab.txt, model.safetensors — F32 or F16) into host weights,
 * checking that the vocabulary and the config agree.
 * @example
 * const { config, vocab, weights } = readGptDir('models/poetry-gpt-zh');
 * vocab.size === config.vocabSize; // → true
 */
export function readGptDir(dir: string): {
  config: GptConfig;
  vocab: CharVocab;
  weights: ReturnType<typeof readSafetensors>;
} {
  const config = readGptConfig(dir);
  const vocab = CharVocab.fromFile(join(dir, GPT_FILES.vocab));
  if (vocab.size !== config.vocabSize)
    throw new CheckpointError(
      `${join(dir, GPT_FILES.vocab)}: ${vocab.size} tokens, but config.json says vocab_size ${config.vocabSize}`,
    );
  const file = join(dir, GPT_FILES.weights);
  if (!existsSync(file)) throw new CheckpointError(`${file}: not found`);
  return { config, vocab, weights: readSafetensors(file) };
}
