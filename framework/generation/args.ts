import { ConfigError } from '../errors.js';
import { STRATEGIES, type GenerationArgs, type Strategy } from './base.js';

/** What a caller may set; everything else takes its default. `eosTokenId` has none (it belongs to the model). */
export type GenerationOptions = Partial<GenerationArgs> & { eosTokenId: number };

/** Defaults: greedy, 64 tokens, no constraints; a seed is drawn when none is given (and recorded in the result). */
export const GENERATION_DEFAULTS: Omit<GenerationArgs, 'seed' | 'eosTokenId'> = {
  strategy: 'greedy',
  maxOutLen: 64,
  minOutLen: 0,
  topK: 0,
  topP: 1,
  temperature: 1,
  beamSize: 4,
  alpha: 0,
  diversityRate: 0,
  repetitionPenalty: 1,
  bannedTokenIds: [],
};

/**
 * Fills defaults and validates; the result is JSON-safe and fully determines a run.
 * @example
 * resolveGenerationArgs({ strategy: 'sampling', topP: 0.9, eosTokenId: 3 }).seed;
 * // → a drawn 32-bit seed, e.g. 2810346811
 */
export function resolveGenerationArgs(options: GenerationOptions): GenerationArgs {
  const args: GenerationArgs = {
    ...GENERATION_DEFAULTS,
    ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)),
    seed: options.seed ?? Math.floor(Math.random() * 2 ** 32),
    eosTokenId: options.eosTokenId,
    bannedTokenIds: [...(options.bannedTokenIds ?? [])],
  };
  const fail = (field: string, want: string, got: unknown): never => {
    throw new ConfigError(`generation argument ${field} must be ${want}, got ${JSON.stringify(got)}`);
  };
  if (!(STRATEGIES as readonly string[]).includes(args.strategy))
    fail('strategy', `one of ${STRATEGIES.join(', ')}`, args.strategy);
  const int = (field: keyof GenerationArgs, min: number) => {
    const v = args[field];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min) fail(field, `an integer ≥ ${min}`, v);
  };
  int('maxOutLen', 1);
  int('minOutLen', 0);
  int('topK', 0);
  int('beamSize', 1);
  int('eosTokenId', 0);
  if (!Number.isInteger(args.seed) || args.seed < 0 || args.seed >= 2 ** 32)
    fail('seed', 'an integer in [0, 2^32)', args.seed);
  if (args.minOutLen > args.maxOutLen) fail('minOutLen', `≤ maxOutLen (${args.maxOutLen})`, args.minOutLen);
  if (!(args.topP > 0 && args.topP <= 1)) fail('topP', 'in (0, 1]', args.topP);
  if (!(args.temperature > 0) || !Number.isFinite(args.temperature))
    fail('temperature', 'a positive number', args.temperature);
  if (!(args.alpha >= 0) || !Number.isFinite(args.alpha)) fail('alpha', 'a number ≥ 0', args.alpha);
  if (!(args.diversityRate >= 0) || !Number.isFinite(args.diversityRate))
    fail('diversityRate', 'a number ≥ 0', args.diversityRate);
  if (!(args.repetitionPenalty >= 1) || !Number.isFinite(args.repetitionPenalty))
    fail('repetitionPenalty', 'a number ≥ 1', args.repetitionPenalty);
  if (args.bannedTokenIds.includes(args.eosTokenId))
    fail('bannedTokenIds', 'free of the EOS token', args.bannedTokenIds);
  return args;
}

/** Whether a strategy keeps several hypotheses per prompt. */
export function isBeamStrategy(strategy: Strategy): boolean {
  return strategy === 'beam_search' || strategy === 't2t_beam_search';
}
