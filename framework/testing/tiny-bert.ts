/**
 * Test support: the tiny random BERTs every test uses (2 layers, hidden 32, over the real bert-base-chinese
 * vocabulary, so every task tokenizes real Chinese) and the helpers that make and save them. The one place their
 * configs are declared: inference/ and experiments/ tests build their run directories on top of these.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initBackend } from '../backend/select.js';
import { BertModel } from '../model/bert.js';
import { BERT_DEFAULTS, type BertConfig } from '../model/config.js';
import { savePretrained } from '../model/pretrained.js';
import type { BertParts } from '../model/specs.js';
import { BertTokenizer } from '../tokenizer/index.js';

/** bert-base-chinese's 21,128-entry vocabulary (shipped in models/vocab): the tiny models' tokenizer. */
export const VOCAB_FILE = fileURLToPath(new URL('../../models/vocab/bert-base-chinese/vocab.txt', import.meta.url));

/** A tiny random BERT over the real 21,128-entry vocabulary (2 layers, hidden 32): fast enough for tests. */
export const TINY_RANDOM_CONFIG: BertConfig = {
  ...BERT_DEFAULTS,
  hiddenSize: 32,
  numHiddenLayers: 2,
  numAttentionHeads: 2,
  intermediateSize: 64,
  maxPositionEmbeddings: 128,
};

/**
 * The tiny BERT of the export parity tests: a larger init range than training's 0.02, so random label scores are
 * decisive (an ONNX-vs-tfjs comparison of near-equal scores would test nothing), and 64 positions.
 */
export const TINY_DECISIVE_CONFIG: BertConfig = {
  ...TINY_RANDOM_CONFIG,
  maxPositionEmbeddings: 64,
  initializerRange: 0.1,
};

/**
 * A seeded random tiny BERT (pooler and masked-LM head unless `parts` says otherwise): the same seed and config
 * give the same weights on every backend.
 * @example const model = createTinyModel(3); model.config.hiddenSize; // → 32
 */
export function createTinyModel(
  seed: number,
  config: BertConfig = TINY_RANDOM_CONFIG,
  parts: Partial<BertParts> = {},
): BertModel {
  return BertModel.create(config, { pooler: parts.pooler ?? true, mlmHead: parts.mlmHead ?? true }, seed);
}

/** The tiny models' tokenizer (bert-base-chinese's vocabulary). */
export function tinyTokenizer(): BertTokenizer {
  return BertTokenizer.fromVocabFile(VOCAB_FILE);
}

/** Where and what {@link saveTinyModel} saves. */
export interface SaveTinyModelOptions {
  /** The model directory (default: a fresh `fewprompt-tiny-*` temp dir, which the caller removes). */
  dir?: string;
  /** Weight seed (default 7). */
  seed?: number;
  config?: BertConfig;
  /** Which optional parts to save (default: pooler and MLM head). */
  parts?: Partial<BertParts>;
}

/**
 * Saves a tiny random BERT with its tokenizer in Hugging Face layout (`config.json`, `model.safetensors`,
 * `vocab.txt`), initialising the backend first, so tests run real training and export jobs on it in seconds.
 * @example const dir = await saveTinyModel(); // → '/tmp/fewprompt-tiny-XXXX'
 */
export async function saveTinyModel(options: SaveTinyModelOptions = {}): Promise<string> {
  await initBackend();
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'fewprompt-tiny-'));
  const model = createTinyModel(options.seed ?? 7, options.config, options.parts);
  savePretrained(model, dir);
  model.dispose();
  await tinyTokenizer().save(dir);
  return dir;
}
