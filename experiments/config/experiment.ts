import { type } from 'arktype';
import { ConfigError } from '../../framework/errors.js';
import { type DefaultedOption, optionDefaults, optionSchemas } from './options.js';

/**
 * One training run: task × method × split, and how to train. Validated with arktype; every field but the task is an
 * option declared in options.ts (schema, default, help, flag). JSON-safe, so it round-trips through files, queues
 * and worker processes.
 */
export const ExperimentConfigSchema = type({ task: 'string > 0', ...optionSchemas(), '+': 'reject' });

export type ExperimentConfigInput = typeof ExperimentConfigSchema.infer;
/** A parsed config: every option with a default is set. */
export type ExperimentConfig = ExperimentConfigInput & Required<Pick<ExperimentConfigInput, DefaultedOption>>;

/** The declared defaults (options.ts). */
export const EXPERIMENT_DEFAULTS = optionDefaults() as Pick<ExperimentConfig, DefaultedOption>;

/**
 * Validates `input` (e.g. parsed JSON) and fills defaults; errors name the field and what was expected.
 * @example
 * parseExperimentConfig({ task: 'eprstmt', lr: -1 });
 * // throws ConfigError: "experiment config: lr must be positive (was -1)"
 */
export function parseExperimentConfig(input: unknown, source = 'experiment config'): ExperimentConfig {
  const result = ExperimentConfigSchema(input);
  if (result instanceof type.errors) throw new ConfigError(`${source}: ${result.summary.replace(/\n/g, '; ')}`);
  return { ...EXPERIMENT_DEFAULTS, ...result };
}
