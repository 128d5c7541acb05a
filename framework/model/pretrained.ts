import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadStateDict, saveStateDict } from '../checkpoint/state-dict.js';
import { resolveModel, type ResolveModelOptions } from '../hub/resolve.js';
import { BertModel } from './bert.js';
import { bertConfigToJson, readBertConfig } from './config.js';
import type { BertParts } from './specs.js';

/** A model and the directory it came from (where its tokenizer files are). */
export interface LoadedModel {
  model: BertModel;
  dir: string;
}

/**
 * Loads a BERT/ERNIE/RoBERTa masked LM from a local Hugging Face directory or a Hub id (downloaded once
 * into the cache). All keys and shapes are checked before any weight is assigned.
 * @example
 * const { model, dir } = await loadPretrained('../shared/models/zh-mini-starter');
 * model.config.hiddenSize; // → 256
 */
export async function loadPretrained(
  idOrPath: string,
  options: { parts?: Partial<BertParts>; resolve?: ResolveModelOptions } = {},
): Promise<LoadedModel> {
  const dir = await resolveModel(idOrPath, options.resolve);
  const config = readBertConfig(dir);
  const model = BertModel.fromStateDict(config, loadStateDict(dir), options.parts);
  return { model, dir };
}

/**
 * Writes `config.json` and `model.safetensors` in Hugging Face `BertForMaskedLM` layout, so
 * `transformers` loads what fewprompt trained. The tokenizer writes its own files (`tokenizer.save(dir)`).
 */
export function savePretrained(
  model: BertModel,
  dir: string,
  options: { dtype?: 'F32' | 'F16'; metadata?: Record<string, string> } = {},
): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'config.json'), `${JSON.stringify(bertConfigToJson(model.config), null, 2)}\n`);
  saveStateDict(dir, model.stateDict(), { dtype: options.dtype ?? 'F32', metadata: options.metadata });
}
