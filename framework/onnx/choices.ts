/**
 * The export choices, light enough for `fewprompt export --help` and `taskflow-train --help` (the graph writer that
 * uses them loads protobuf): how the encoder's graph is fused and at which precision its weights are stored
 * (`framework/model/bert-graph.ts` explains each).
 */
import { ConfigError } from '../errors.js';

/**
 * Graph styles: standard operators, or ORT's fused `com.microsoft` kernels.
 * @example FUSIONS.includes('contrib'); // → true
 */
export const FUSIONS = ['none', 'contrib'] as const;
/** A graph style of {@link FUSIONS}. */
export type Fusion = (typeof FUSIONS)[number];
/**
 * Weight precisions.
 * @example PRECISIONS.join('|'); // → 'fp32|fp16|int8'
 */
export const PRECISIONS = ['fp32', 'fp16', 'int8'] as const;
/** A precision of {@link PRECISIONS}. */
export type Precision = (typeof PRECISIONS)[number];

/**
 * `value` as one of `valid`; a `ConfigError` listing the valid values when it is none of them.
 * @example
 * checkChoice('--precision', 'int8', PRECISIONS); // → 'int8'
 * checkChoice('--precision', 'int4', PRECISIONS); // throws "--precision must be one of fp32, fp16, int8; got 'int4'"
 */
export function checkChoice<T extends string>(what: string, value: string, valid: readonly T[]): T {
  if (!(valid as readonly string[]).includes(value))
    throw new ConfigError(`${what} must be one of ${valid.join(', ')}; got '${value}'`);
  return value as T;
}
