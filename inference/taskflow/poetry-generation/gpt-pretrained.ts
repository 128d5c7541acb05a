import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeSafetensors } from '../../../framework/checkpoint/safetensors.js';
import type { CharVocab } from '../../../framework/generation/char-vocab.js';
import { GptModel } from './gpt.js';
import { gptConfigToJson } from './gpt-config.js';
import { GPT_FILES, readGptDir } from './gpt-dir.js';

export { GPT_FILES, readGptDir } from './gpt-dir.js';

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
