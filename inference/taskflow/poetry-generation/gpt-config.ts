import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../../../framework/errors.js';
import { HIDDEN_ACTS, type HiddenAct } from '../../../framework/model/config.js';

/**
 * Where each block's LayerNorm sits: before the sub-layer (GPT-2)
 * or after the residual sum (BERT, the original Transformer).
 */
export const NORMALIZATIONS = ['pre', 'post'] as const;
export type Normalization = (typeof NORMALIZATIONS)[number];

/** Architecture of a decoder-only causal LM ({@link GptModel}); stored as `config.json` in snake_case. */
export interface GptConfig {
  vocabSize: number;
  hiddenSize: number;
  numLayers: number;
  numHeads: number;
  intermediateSize: number;
  /** Longest sequence (prompt + generated) the position table covers. */
  maxPositions: number;
  hiddenAct: HiddenAct;
  /** Dropout on attention probabilities and sub-layer outputs in training (0 = none). */
  dropout: number;
  layerNormEps: number;
  initializerRange: number;
  /**
   * `pre`: x + f(LN(x)) and a final LayerNorm (stable to train from
   * scratch); `post`: LN(x + f(x)) with an embedding LayerNorm.
   */
  normalization: Normalization;
  padTokenId: number;
  bosTokenId: number;
  eosTokenId: number;
}

/** Defaults for what a config.json leaves out (a small pre-LN model). */
export const GPT_DEFAULTS: GptConfig = {
  vocabSize: 8000,
  hiddenSize: 256,
  numLayers: 4,
  numHeads: 4,
  intermediateSize: 1024,
  maxPositions: 128,
  hiddenAct: 'gelu',
  dropout: 0,
  layerNormEps: 1e-5,
  initializerRange: 0.02,
  normalization: 'pre',
  padTokenId: 0,
  bosTokenId: 2,
  eosTokenId: 3,
};

const SNAKE: Record<string, keyof GptConfig> = {
  vocab_size: 'vocabSize',
  hidden_size: 'hiddenSize',
  num_layers: 'numLayers',
  num_heads: 'numHeads',
  intermediate_size: 'intermediateSize',
  max_positions: 'maxPositions',
  dropout: 'dropout',
  layer_norm_eps: 'layerNormEps',
  initializer_range: 'initializerRange',
  pad_token_id: 'padTokenId',
  bos_token_id: 'bosTokenId',
  eos_token_id: 'eosTokenId',
};

/** The `model_type` written to and required in config.json. */
export const GPT_MODEL_TYPE = 'fewprompt-gpt';

/**
 * Reads a config.json object into a validated {@link GptConfig}.
 * @example
 * gptConfigFromJson({ model_type: 'fewprompt-gpt', vocab_size:
 * 5000, normalization: 'post' }).normalization; // → 'post'
 */
export function gptConfigFromJson(json: Record<string, unknown>, source = 'config.json'): GptConfig {
  if (json['model_type'] !== GPT_MODEL_TYPE)
    throw new ConfigError(
      `${source}: model_type must be '${GPT_MODEL_TYPE}', got ${JSON.stringify(json['model_type'])}`,
    );
  const config: GptConfig = { ...GPT_DEFAULTS };
  for (const [snake, key] of Object.entries(SNAKE)) {
    const value = json[snake];
    if (value === undefined || value === null) continue;
    if (typeof value !== 'number' || !Number.isFinite(value))
      throw new ConfigError(`${source}: field '${snake}' must be a number, got ${JSON.stringify(value)}`);
    (config[key] as number) = value;
  }
  const act = json['hidden_act'] ?? config.hiddenAct;
  if (typeof act !== 'string' || !(HIDDEN_ACTS as readonly string[]).includes(act))
    throw new ConfigError(
      `${source}: hidden_act '${String(act)}' is not supported; expected one of ${HIDDEN_ACTS.join(', ')}`,
    );
  config.hiddenAct = act as HiddenAct;
  const norm = json['normalization'] ?? config.normalization;
  if (typeof norm !== 'string' || !(NORMALIZATIONS as readonly string[]).includes(norm))
    throw new ConfigError(
      `${source}: normalization '${String(norm)}' is not supported; expected one of ${NORMALIZATIONS.join(', ')}`,
    );
  config.normalization = norm as Normalization;
  validateGptConfig(config, source);
  return config;
}

/** Throws a {@link ConfigError} naming the first inconsistent field. */
export function validateGptConfig(c: GptConfig, source = 'config'): void {
  for (const key of ['vocabSize', 'hiddenSize', 'numLayers', 'numHeads', 'intermediateSize', 'maxPositions'] as const) {
    if (!Number.isInteger(c[key]) || c[key] <= 0)
      throw new ConfigError(`${source}: ${key} must be a positive integer, got ${c[key]}`);
  }
  if (c.hiddenSize % c.numHeads !== 0)
    throw new ConfigError(`${source}: hidden_size ${c.hiddenSize} is not divisible by num_heads ${c.numHeads}`);
  if (c.dropout < 0 || c.dropout >= 1) throw new ConfigError(`${source}: dropout must be in [0, 1), got ${c.dropout}`);
  for (const key of ['padTokenId', 'bosTokenId', 'eosTokenId'] as const) {
    if (!Number.isInteger(c[key]) || c[key] < 0 || c[key] >= c.vocabSize)
      throw new ConfigError(`${source}: ${key} must be an id in [0, ${c.vocabSize}), got ${c[key]}`);
  }
}

/**
 * The config as config.json (snake_case).
 * @example gptConfigToJson(GPT_DEFAULTS).model_type; // → 'fewprompt-gpt'
 */
export function gptConfigToJson(c: GptConfig): Record<string, unknown> {
  const json: Record<string, unknown> = {
    architectures: ['FewpromptGptLMHeadModel'],
    model_type: GPT_MODEL_TYPE,
    hidden_act: c.hiddenAct,
    normalization: c.normalization,
  };
  for (const [snake, key] of Object.entries(SNAKE)) json[snake] = c[key];
  return json;
}

/** Reads `dir/config.json` as a {@link GptConfig}. */
export function readGptConfig(dir: string): GptConfig {
  const path = join(dir, 'config.json');
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ConfigError(`${path}: unreadable (${(error as Error).message})`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    throw new ConfigError(`${path}: expected a JSON object`);
  return gptConfigFromJson(json as Record<string, unknown>, path);
}
