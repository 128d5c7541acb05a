/** Number-valued command-line flags (`node:util` parseArgs gives strings): one check, one error wording. */
import { ConfigError } from '../../framework/errors.js';

/**
 * The flag's value as a finite number; undefined when the flag is absent.
 * @example
 * optionalNumberFlag({ lr: '2e-4' }, 'lr');   // → 0.0002
 * optionalNumberFlag({}, 'lr');               // → undefined
 * optionalNumberFlag({ lr: 'fast' }, 'lr');   // throws ConfigError: "--lr must be a number, got 'fast'"
 */
export function optionalNumberFlag(values: Readonly<Record<string, unknown>>, flag: string): number | undefined {
  const v = values[flag];
  if (v === undefined) return undefined;
  const n = Number(v);
  if (typeof v !== 'string' || v.trim() === '' || !Number.isFinite(n))
    throw new ConfigError(`--${flag} must be a number, got '${String(v)}'`);
  return n;
}

/** The flag's value as a finite number (parseArgs gives it a default, or it is required). */
export function numberFlag(values: Readonly<Record<string, unknown>>, flag: string): number {
  const n = optionalNumberFlag(values, flag);
  if (n === undefined) throw new ConfigError(`--${flag} is required`);
  return n;
}
