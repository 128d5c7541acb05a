/**
 * A Taskflow family's training settings, each declared once with its type, default and help (`<family>/
 * train-options.ts` holds the table): the recipe fills its defaults from the table with {@link resolveSettings}, and
 * `fewprompt taskflow-train <task>` derives its flags (`maxTokens` → `--max-tokens`) and `--help` from it.
 */
import { ConfigError } from '../../framework/errors.js';
import { log as logger } from '../../framework/log.js';

/** One setting: how it is read, its default (absent: unset unless given) and one line of help. */
export interface TrainSetting {
  readonly type: 'string' | 'number' | 'boolean' | 'strings';
  readonly default?: string | number | boolean | readonly string[];
  /** The only values allowed (a `string` setting). */
  readonly choices?: readonly string[];
  /** What the value is called in `--help` (FILE, DIR, N, X…). */
  readonly arg?: string;
  readonly help: string;
}

type ValueOf<S> = S extends { type: 'number' }
  ? number
  : S extends { type: 'boolean' }
    ? boolean
    : S extends { type: 'strings' }
      ? readonly string[]
      : S extends { choices: readonly (infer C)[] }
        ? C
        : string;

/** The options a settings table declares: those with a default are always set, the others optional. */
export type SettingsValues<T extends Record<string, TrainSetting>> = {
  readonly [K in keyof T as T[K] extends { default: unknown } ? K : never]: ValueOf<T[K]>;
} & {
  readonly [K in keyof T as T[K] extends { default: unknown } ? never : K]?: ValueOf<T[K]>;
};

/**
 * The options with the table's defaults filled in; a value outside a setting's choices is a ConfigError.
 * @example
 * resolveSettings(DEPENDENCY_PARSER_SETTINGS, { epochs: 4 }).batchTokens; // 2048
 * resolveSettings(DEPENDENCY_PARSER_SETTINGS, { precision: 'fp8' as 'fp16' });
 * // throws ConfigError: precision must be one of fp32, fp16, int8; got 'fp8'
 */
export function resolveSettings<T extends Record<string, TrainSetting>>(
  table: T,
  options: Partial<SettingsValues<T>> = {},
): SettingsValues<T> {
  const resolved: Record<string, unknown> = {};
  for (const [key, setting] of Object.entries(table) as [string, TrainSetting][]) {
    const value = (options as Record<string, unknown>)[key] ?? setting.default;
    if (value === undefined) continue;
    if (setting.choices && !setting.choices.includes(String(value)))
      throw new ConfigError(`${key} must be one of ${setting.choices.join(', ')}; got '${String(value)}'`);
    resolved[key] = value;
  }
  return resolved as SettingsValues<T>;
}

/** Where a recipe's progress goes (default: the framework logger at info level). */
export interface TrainHooks {
  readonly log?: (message: string) => void;
}

/**
 * The recipe's log: each line prefixed with the seconds since `started`, written to `hooks.log` or the framework
 * logger.
 * @example const log = elapsedLog({}, Date.now()); log('dev UAS 42.5'); // [fewprompt] [0s] dev UAS 42.5
 */
export function elapsedLog(hooks: TrainHooks, started: number): (message: string) => void {
  const write = hooks.log ?? logger.info;
  return (message) => write(`[${((Date.now() - started) / 1000).toFixed(0)}s] ${message}`);
}
