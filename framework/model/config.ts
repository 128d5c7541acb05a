import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../errors.js';

export const HIDDEN_ACTS = ['gelu', 'gelu_new', 'gelu_pytorch_tanh', 'relu'] as const;
export type HiddenAct = (typeof HIDDEN_ACTS)[number];
export const MODEL_TYPES = ['bert', 'ernie', 'roberta'] as const;
export type ModelType = (typeof MODEL_TYPES)[number];

/** Architecture of a BERT-family encoder, in Hugging Face `config.json` terms (camelCase here). */
export interface BertConfig {
  modelType: ModelType;
  vocabSize: number;
  hiddenSize: number;
  numHiddenLayers: number;
  numAttentionHeads: number;
  intermediateSize: number;
  hiddenAct: HiddenAct;
  hiddenDropoutProb: number;
  attentionProbsDropoutProb: number;
  maxPositionEmbeddings: number;
  typeVocabSize: number;
  layerNormEps: number;
  initializerRange: number;
  padTokenId: number;
  /** RoBERTa offsets position ids by padTokenId + 1; BERT and ERNIE start at 0. */
  positionOffset: number;
}

/** BERT defaults (bert-base-chinese) for anything a config.json leaves out. */
export const BERT_DEFAULTS: BertConfig = {
  modelType: 'bert',
  vocabSize: 21128,
  hiddenSize: 768,
  numHiddenLayers: 12,
  numAttentionHeads: 12,
  intermediateSize: 3072,
  hiddenAct: 'gelu',
  hiddenDropoutProb: 0.1,
  attentionProbsDropoutProb: 0.1,
  maxPositionEmbeddings: 512,
  typeVocabSize: 2,
  layerNormEps: 1e-12,
  initializerRange: 0.02,
  padTokenId: 0,
  positionOffset: 0,
};

const SNAKE: Record<string, keyof BertConfig> = {
  vocab_size: 'vocabSize',
  hidden_size: 'hiddenSize',
  num_hidden_layers: 'numHiddenLayers',
  num_attention_heads: 'numAttentionHeads',
  intermediate_size: 'intermediateSize',
  hidden_dropout_prob: 'hiddenDropoutProb',
  attention_probs_dropout_prob: 'attentionProbsDropoutProb',
  max_position_embeddings: 'maxPositionEmbeddings',
  type_vocab_size: 'typeVocabSize',
  layer_norm_eps: 'layerNormEps',
  initializer_range: 'initializerRange',
  pad_token_id: 'padTokenId',
};

/**
 * Reads a Hugging Face `config.json` object into a validated {@link BertConfig}.
 * @example
 * bertConfigFromJson({
 *   model_type: 'bert',
 *   hidden_size: 256,
 *   num_hidden_layers: 4,
 *   num_attention_heads: 4,
 *   intermediate_size: 1024,
 * })
 * // → { modelType: 'bert', hiddenSize: 256, numHiddenLayers: 4, …defaults }
 */
export function bertConfigFromJson(json: Record<string, unknown>, source = 'config.json'): BertConfig {
  const config: BertConfig = { ...BERT_DEFAULTS };
  const modelType = json['model_type'] ?? 'bert';
  if (typeof modelType !== 'string' || !(MODEL_TYPES as readonly string[]).includes(modelType)) {
    throw new ConfigError(
      `${source}: model_type '${String(modelType)}' is not supported; expected one of ${MODEL_TYPES.join(', ')}`,
    );
  }
  config.modelType = modelType as ModelType;
  for (const [snake, key] of Object.entries(SNAKE)) {
    const value = json[snake];
    if (value === undefined || value === null) continue;
    if (typeof value !== 'number' || !Number.isFinite(value))
      throw new ConfigError(`${source}: field '${snake}' must be a number, got ${JSON.stringify(value)}`);
    (config[key] as number) = value;
  }
  const act = json['hidden_act'] ?? 'gelu';
  if (typeof act !== 'string' || !(HIDDEN_ACTS as readonly string[]).includes(act)) {
    throw new ConfigError(
      `${source}: hidden_act '${String(act)}' is not supported; expected one of ${HIDDEN_ACTS.join(', ')}`,
    );
  }
  config.hiddenAct = act as HiddenAct;
  config.positionOffset = config.modelType === 'roberta' ? config.padTokenId + 1 : 0;
  validateBertConfig(config, source);
  return config;
}

/**
 * Upper bounds of the size fields: well above every published BERT-family model (vocabularies to 250k, hidden 8192),
 * far below sizes that would spend minutes allocating before an out-of-memory abort.
 */
const SIZE_LIMITS: Readonly<Partial<Record<keyof BertConfig, number>>> = {
  vocabSize: 1_000_000,
  hiddenSize: 16_384,
  numHiddenLayers: 256,
  numAttentionHeads: 256,
  intermediateSize: 65_536,
  maxPositionEmbeddings: 65_536,
  typeVocabSize: 1024,
};

/** Parameters a config implies (embeddings + layers), the figure the size check bounds. */
export function bertParameterCount(c: BertConfig): number {
  const h = c.hiddenSize;
  const layer = 4 * h * h + 2 * h * c.intermediateSize + 9 * h + c.intermediateSize;
  return (c.vocabSize + c.maxPositionEmbeddings + c.typeVocabSize) * h + c.numHiddenLayers * layer;
}

/** At most this many parameters (16 GB in F32): beyond it a config is refused before anything is allocated. */
export const MAX_PARAMETERS = 4e9;

/** Throws a {@link ConfigError} naming the first inconsistent field (by its config.json name). */
export function validateBertConfig(config: BertConfig, source = 'config'): void {
  const snakeOf = (key: keyof BertConfig) => Object.entries(SNAKE).find(([, k]) => k === key)?.[0] ?? key;
  for (const [key, max] of Object.entries(SIZE_LIMITS) as [keyof BertConfig, number][]) {
    const v = config[key];
    if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0 || v > max) {
      throw new ConfigError(
        `${source}: ${snakeOf(key)} must be an integer from 1 to ${max.toLocaleString('en')}, got ${String(v)}`,
      );
    }
  }
  const params = bertParameterCount(config);
  if (params > MAX_PARAMETERS) {
    throw new ConfigError(
      `${source}: these sizes make ${(params / 1e9).toFixed(1)}B parameters; ` +
        `at most ${MAX_PARAMETERS / 1e9}B are supported`,
    );
  }
  for (const key of ['layerNormEps', 'initializerRange'] as const) {
    if (!(config[key] > 0 && config[key] < 1))
      throw new ConfigError(`${source}: ${snakeOf(key)} must be in (0, 1), got ${config[key]}`);
  }
  if (config.hiddenSize % config.numAttentionHeads !== 0) {
    throw new ConfigError(
      `${source}: hidden_size ${config.hiddenSize} is not divisible by num_attention_heads ${config.numAttentionHeads}`,
    );
  }
  for (const key of ['hiddenDropoutProb', 'attentionProbsDropoutProb'] as const) {
    if (config[key] < 0 || config[key] >= 1)
      throw new ConfigError(`${source}: ${key} must be in [0, 1), got ${config[key]}`);
  }
}

/** Reads `dir/config.json`. */
export function readBertConfig(dir: string): BertConfig {
  const path = join(dir, 'config.json');
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new ConfigError(`${path}: not found (a model directory needs config.json in Hugging Face layout)`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`${path}: invalid JSON (${(error as Error).message})`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    throw new ConfigError(`${path}: expected a JSON object`);
  return bertConfigFromJson(json as Record<string, unknown>, path);
}

/** Writes the config back in Hugging Face `config.json` form (snake_case), so transformers can load it. */
export function bertConfigToJson(config: BertConfig): Record<string, unknown> {
  const json: Record<string, unknown> = {
    architectures: ['BertForMaskedLM'],
    model_type: config.modelType,
    hidden_act: config.hiddenAct,
  };
  for (const [snake, key] of Object.entries(SNAKE)) if (config[key] !== undefined) json[snake] = config[key];
  return json;
}
