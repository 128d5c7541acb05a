/**
 * `method.json`, the contract between a training run and its export: what a trained classifier method was built
 * from (its kind, labels, input limit, and the prompt exactly as trained). Written by the method
 * (`Method.getConfig()` in experiments/methods), read and validated here, so a bundle never re-derives a prompt
 * from today's task defaults.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type } from 'arktype';
import { ExportError } from '../../framework/errors.js';

/** The `formatVersion` this code writes. Files without one predate the typed format (version 0). */
export const METHOD_SPEC_VERSION = 1;

export const MethodSpecSchema = type({
  'formatVersion?': 'number.integer >= 1',
  kind: 'string > 0',
  /** The task the run trained on (`TaskDefinition.getConfig()`). */
  'task?': 'object',
  /** The pretrained model the run started from (directory or Hub id). */
  'model?': 'string',
  maxSeqLen: '1 <= number.integer <= 8192',
  labels: 'string[] > 0',
  /** Fields a text fills, in order (one text → the first; pairs → the first two). */
  'textFields?': 'string[]',
  /** The template in the prompt DSL (PET, P-Tuning: with masks and soft slots; EFL: the pair template). */
  'template?': 'string',
  /** Label → words (PET, P-Tuning). */
  'labelWords?': 'Record<string, string[]>',
  /** Label → description sentence (EFL). */
  'descriptions?': 'Record<string, string>',
  '+': 'delete',
});

/** `method.json`, validated. */
export type MethodSpec = typeof MethodSpecSchema.infer;

/** A run directory's method spec with the directory it came from. */
export type RunSpec = MethodSpec & { readonly dir: string };

/** A JSON object file of a run, or an ExportError naming the run and the file. */
export function readJson(path: string, what: string): Record<string, unknown> {
  if (!existsSync(path)) throw new ExportError(`${what}: ${path} does not exist`);
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  } catch (error) {
    throw new ExportError(`${what}: ${path} is not valid JSON (${(error as Error).message})`);
  }
}

/**
 * Validates a parsed `method.json`; errors name the file and the field. A file without `maxSeqLen` (version 0)
 * gets 128, what training used then.
 * @example
 * parseMethodSpec({ kind: 'pet', maxSeqLen: 64, labels: ['Negative', 'Positive'] }, 'runs/a/method.json').kind;
 * // → 'pet'
 */
export function parseMethodSpec(input: unknown, source: string): MethodSpec {
  const withDefaults =
    input !== null && typeof input === 'object' && !('maxSeqLen' in input) ? { ...input, maxSeqLen: 128 } : input;
  const result = MethodSpecSchema(withDefaults);
  if (result instanceof type.errors) throw new ExportError(`${source}: ${result.summary.replace(/\n/g, '; ')}`);
  if (result.formatVersion !== undefined && result.formatVersion > METHOD_SPEC_VERSION)
    throw new ExportError(
      `${source}: formatVersion ${result.formatVersion} is newer than this fewprompt reads (${METHOD_SPEC_VERSION})`,
    );
  return result;
}

/**
 * Reads and validates `dir/method.json`.
 * @example
 * readRunSpec('runs/pet').labels; // → ['Negative', 'Positive']
 */
export function readRunSpec(dir: string): RunSpec {
  const file = join(dir, 'method.json');
  return { ...parseMethodSpec(readJson(file, `run ${dir}`), file), dir };
}
