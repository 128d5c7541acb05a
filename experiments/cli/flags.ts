/** Number-valued command-line flags (`node:util` parseArgs gives strings): one check, one error wording. */
import { ConfigError } from '../../framework/errors.js';
import { optionalNumberFlag } from '../../framework/settings.js';

/** Moved down to framework/settings.ts, where the settings tables read their number flags. */
export { optionalNumberFlag };

/** The flag's value as a finite number (parseArgs gives it a default, or it is required). */
export function numberFlag(values: Readonly<Record<string, unknown>>, flag: string): number {
  const n = optionalNumberFlag(values, flag);
  if (n === undefined) throw new ConfigError(`--${flag} is required`);
  return n;
}
