import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readSafetensors, writeSafetensors } from '../checkpoint/safetensors.js';
import { CheckpointError } from '../errors.js';
import { CharVocab } from '../generation/char-vocab.js';
import { GptModel } from './gpt.js';
import { gptConfigToJson, readGptConfig, type GptConfig } from './gpt-config.js';

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

/**
 * Loads a GPT directory as a tfjs model.
 * @example
 * const { model, vocab } = loadGpt('models/poetry-gpt-zh');
 */
export function loadGpt(dir: string): { model: GptModel; vocab: CharVocab } {
  const { config, vocab, weights } = readGptDir(dir);
  return { model: GptModel.fromStateDict(config, weights), vocab };
}

/** Writes config.json, vocab.txt and model.safetensors (F16 halves the file). */
export function saveGpt(
  model: GptModel,
  vocab: CharVocab,
  dir: string,
  options: { dtype?: 'F32' | 'F16'; metadata?: Record<string, string> } = {},
): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, GPT_FILES.config), `${JSON.stringify(gptConfigToJson(model.config), null, 2)}\n`);
  writeFileSync(join(dir, GPT_FILES.vocab), `${vocab.tokens.join('\n')}\n`);
  writeSafetensors(join(dir, GPT_FILES.weights), model.stateDict(), {
    dtype: options.dtype ?? 'F32',
    ...(options.metadata ? { metadata: options.metadata } : {}),
  });
}
