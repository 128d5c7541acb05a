import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CHAR_SPECIALS, CharVocab } from '../../../framework/generation/char-vocab.js';
import { GptModel } from './gpt.js';
import { GPT_DEFAULTS } from './gpt-config.js';
import { saveGpt } from './gpt-pretrained.js';
import { useBackend } from '../../../framework/testing/backends.js';

/** A tiny random character GPT saved as a model directory (F16, as shipped). */
export async function tinyGptDir(): Promise<string> {
  await useBackend('cpu');
  const vocab = new CharVocab([...CHAR_SPECIALS, ...'，。山人月光明不见深床前白日'.split('')]);
  const model = GptModel.create(
    {
      ...GPT_DEFAULTS,
      vocabSize: vocab.size,
      hiddenSize: 16,
      numLayers: 2,
      numHeads: 2,
      intermediateSize: 32,
      maxPositions: 24,
      initializerRange: 0.5,
    },
    4,
  );
  const dir = mkdtempSync(join(tmpdir(), 'fewprompt-gpt-'));
  saveGpt(model, vocab, dir, { dtype: 'F16' });
  model.dispose();
  return dir;
}
