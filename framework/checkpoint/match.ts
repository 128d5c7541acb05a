/**
 * Checks a loaded state dict against the keys and shapes a model expects, reporting every problem
 * at once (a partial load that fails on the first key sends the user round the loop once per key).
 */
import { CheckpointError } from '../errors.js';
import { formatShape, type HostTensor } from './host-tensor.js';

/** Options of `matchStateDict`. */
export interface MatchStateDictOptions {
  /** Expected keys that may be absent (e.g. a tied `cls.predictions.decoder.weight`). */
  allowMissing?: readonly string[];
  /** Unexpected keys matching any of these are ignored (e.g. `/^cls\.seq_relationship\./`). */
  ignoreUnexpected?: readonly RegExp[];
}

/** What `matchStateDict` let through: allowed-missing keys that were absent, and ignored extra keys. */
export interface MatchStateDictReport {
  missingAllowed: string[];
  ignored: string[];
}

/**
 * Compares `actual` with `expected` (key → shape). Throws one `CheckpointError` listing ALL missing,
 * unexpected and mis-shaped keys (expected vs actual shape); returns what was tolerated otherwise.
 *
 * @example
 * matchStateDict(new Map([['pooler.dense.bias', [256]]]), new Map([['pooler.dense.bias', t128]]));
 * // throws CheckpointError: state dict does not match the model: 1 mis-shaped:
 * //   pooler.dense.bias: expected [256], got [128]
 */
export function matchStateDict(
  expected: ReadonlyMap<string, readonly number[]>,
  actual: ReadonlyMap<string, HostTensor>,
  options: MatchStateDictOptions = {},
): MatchStateDictReport {
  const allowMissing = new Set(options.allowMissing ?? []);
  const ignore = options.ignoreUnexpected ?? [];
  const missing: string[] = [];
  const missingAllowed: string[] = [];
  const misShaped: string[] = [];
  for (const [key, shape] of expected) {
    const tensor = actual.get(key);
    if (tensor === undefined) (allowMissing.has(key) ? missingAllowed : missing).push(key);
    else if (tensor.shape.length !== shape.length || tensor.shape.some((d, i) => d !== shape[i])) {
      misShaped.push(`${key}: expected ${formatShape(shape)}, got ${formatShape(tensor.shape)}`);
    }
  }
  const unexpected: string[] = [];
  const ignored: string[] = [];
  for (const key of actual.keys()) {
    if (expected.has(key)) continue;
    (ignore.some((pattern) => pattern.test(key)) ? ignored : unexpected).push(key);
  }
  const sections: string[] = [];
  if (missing.length > 0) sections.push(`${missing.length} missing:\n  ${missing.join('\n  ')}`);
  if (unexpected.length > 0) sections.push(`${unexpected.length} unexpected:\n  ${unexpected.join('\n  ')}`);
  if (misShaped.length > 0) sections.push(`${misShaped.length} mis-shaped:\n  ${misShaped.join('\n  ')}`);
  if (sections.length > 0) throw new CheckpointError(`state dict does not match the model: ${sections.join('\n')}`);
  return { missingAllowed, ignored };
}
