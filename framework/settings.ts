/**
 * Settings declared once: a table maps each setting's key to its type, default, allowed values and one line of help,
 * and everything else derives from that entry — the defaults and the checks ({@link resolveSettings}), the `parseArgs`
 * flags ({@link settingsArgOptions}), the flags → options mapping ({@link settingsFromArgs}) and the `--help` lines
 * ({@link settingsHelp}). A key may be a dotted path (`model.layers`): its value lives in a nested object, and its
 * flag is named after the last part (`--layers`). Pretraining (`framework/pretrain/config.ts`) and the Taskflow
 * recipes (`inference/taskflow/<family>/train-options.ts`) declare their settings this way.
 */
import type { ParseArgsOptionsConfig } from 'node:util';
import { ConfigError } from './errors.js';

/** A setting's value: what a flag or a JSON config file gives. */
export type SettingValue = string | number | boolean | readonly string[];

/** One setting: how it is read, its default (absent: unset unless given), what is allowed, one line of help. */
export interface Setting {
  /** `integer` is a number that must be whole; `strings` is a repeatable flag (a JSON array in a config file). */
  readonly type: 'string' | 'number' | 'integer' | 'boolean' | 'strings';
  readonly default?: SettingValue;
  /** The only values allowed (a `string` setting). */
  readonly choices?: readonly string[];
  /** What the value is called in `--help` (default: the choices, N for integers, X for numbers, VALUE). */
  readonly arg?: string;
  readonly help: string;
  /**
   * The flag without dashes (default: the key's last part in kebab case, `maxSeqLen` → `max-seq-len`); `false`:
   * config files only. A boolean defaulting to true also gets `--no-…`.
   */
  readonly flag?: string | false;
  /** Smallest value allowed (numbers). */
  readonly min?: number;
  /** Largest value allowed (numbers). */
  readonly max?: number;
  /** Values must be greater than this (numbers: a learning rate above 0). */
  readonly above?: number;
}

/** A settings table: key (or dotted path) → setting. */
export type SettingsTable = Readonly<Record<string, Setting>>;

type ValueOf<S> = S extends { type: 'number' | 'integer' }
  ? number
  : S extends { type: 'boolean' }
    ? boolean
    : S extends { type: 'strings' }
      ? readonly string[]
      : S extends { choices: readonly (infer C)[] }
        ? C
        : string;

/** The options a flat settings table declares: those with a default are always set, the others optional. */
export type SettingsValues<T extends SettingsTable> = {
  readonly [K in keyof T as T[K] extends { default: unknown } ? K : never]: ValueOf<T[K]>;
} & {
  readonly [K in keyof T as T[K] extends { default: unknown } ? never : K]?: ValueOf<T[K]>;
};

/**
 * A camelCase key as a flag name.
 * @example kebabCase('maxSeqLen'); // → 'max-seq-len'
 */
export const kebabCase = (name: string): string => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/**
 * The setting's flag without dashes, or undefined for a config-file-only setting.
 * @example settingFlag('model.maxSeqLen', { type: 'integer', help: '' }); // → 'max-seq-len'
 */
export function settingFlag(key: string, setting: Setting): string | undefined {
  if (setting.flag === false) return undefined;
  return setting.flag ?? kebabCase(key.slice(key.lastIndexOf('.') + 1));
}

function getPath(object: unknown, key: string): unknown {
  let value = object;
  for (const part of key.split('.')) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

function setPath(object: Record<string, unknown>, key: string, value: unknown): void {
  const parts = key.split('.');
  let at = object;
  for (const part of parts.slice(0, -1)) {
    if (typeof at[part] !== 'object' || at[part] === null) at[part] = {};
    at = at[part] as Record<string, unknown>;
  }
  at[parts[parts.length - 1]!] = value;
}

/** Why `value` is not allowed for `setting` (type, choices, bounds), or undefined when it is. */
function problem(setting: Setting, value: unknown): string | undefined {
  const got = typeof value === 'string' ? `'${value}'` : JSON.stringify(value);
  const { type, choices, min, max, above } = setting;
  if (type === 'strings')
    return Array.isArray(value) && value.every((v) => typeof v === 'string') ? undefined : `a list of strings`;
  if (type === 'boolean' || type === 'string') {
    if (typeof value !== type) return `a ${type}, got ${got}`;
    return choices && !choices.includes(String(value)) ? `one of ${choices.join(', ')}; got ${got}` : undefined;
  }
  if (typeof value !== 'number' || !Number.isFinite(value)) return `a number, got ${got}`;
  const whole = type === 'integer';
  if (whole && !Number.isInteger(value)) return `an integer, got ${got}`;
  if (whole && min === 1 && max === undefined && value < 1) return `a positive integer, got ${got}`;
  if (min !== undefined && max !== undefined && !(value >= min && value <= max))
    return `in [${min}, ${max}], got ${got}`;
  if (min !== undefined && !(value >= min)) return `≥ ${min}, got ${got}`;
  if (max !== undefined && !(value <= max)) return `≤ ${max}, got ${got}`;
  if (above !== undefined && !(value > above)) return `> ${above}, got ${got}`;
  return undefined;
}

/**
 * The options with the table's defaults filled in, each value checked against its setting (type, choices, bounds):
 * a value that does not fit is a one-line ConfigError naming the key (after `source`, when given). Keys the table
 * does not declare are left out; dotted keys read and fill nested objects.
 * @example
 * resolveSettings(DEPENDENCY_PARSER_SETTINGS, { epochs: 4 }).batchTokens; // 2048
 * resolveSettings(DEPENDENCY_PARSER_SETTINGS, { precision: 'fp8' as 'fp16' });
 * // throws ConfigError: precision must be one of fp32, fp16, int8; got 'fp8'
 */
export function resolveSettings<T extends SettingsTable>(
  table: T,
  options: Partial<SettingsValues<T>> = {},
  source?: string,
): SettingsValues<T> {
  return resolveSettingsInput(table, options, source) as SettingsValues<T>;
}

/**
 * {@link resolveSettings} for a table with nested keys, whose caller types the result (a declared config interface).
 * @example
 * resolveSettingsInput({ 'model.layers': { type: 'integer', min: 1, default: 4, help: 'layers' } }, {});
 * // → { model: { layers: 4 } }
 */
export function resolveSettingsInput(table: SettingsTable, input: unknown, source?: string): Record<string, unknown> {
  const resolved: Record<string, unknown> = {};
  for (const [key, setting] of Object.entries(table)) {
    const value = getPath(input, key) ?? setting.default;
    if (value === undefined) continue;
    const wrong = problem(setting, value);
    if (wrong !== undefined) throw new ConfigError(`${source ? `${source}: ` : ''}${key} must be ${wrong}`);
    setPath(resolved, key, Array.isArray(value) ? [...value] : value);
  }
  return resolved;
}

/**
 * The table's flags as `node:util` parseArgs options: a string for every valued setting (repeatable for `strings`),
 * a switch for a boolean, and `no-…` beside it when the boolean defaults to true.
 * @example settingsArgOptions({ wwm: { type: 'boolean', default: true, help: '…' } });
 * // → { wwm: { type: 'boolean' }, 'no-wwm': { type: 'boolean' } }
 */
export function settingsArgOptions(table: SettingsTable): ParseArgsOptionsConfig {
  const options: ParseArgsOptionsConfig = {};
  for (const [key, setting] of Object.entries(table)) {
    const flag = settingFlag(key, setting);
    if (flag === undefined) continue;
    if (setting.type !== 'boolean') {
      options[flag] = { type: 'string', ...(setting.type === 'strings' ? { multiple: true } : {}) };
      continue;
    }
    options[flag] = { type: 'boolean' };
    if (setting.default === true) options[`no-${flag}`] = { type: 'boolean' };
  }
  return options;
}

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

/**
 * Parsed flags → the options they set (only the flags given, so a config file's values survive; dotted keys nest):
 * numbers read, choices checked, `--no-x` setting x false. Bounds are {@link resolveSettings}'s.
 * @example
 * settingsFromArgs(PRETRAIN_SETTINGS, { lr: '1e-4', layers: '2', 'no-wwm': true });
 * // → { lr: 0.0001, model: { layers: 2 }, wwm: false }
 */
export function settingsFromArgs(
  table: SettingsTable,
  values: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const options: Record<string, unknown> = {};
  for (const [key, setting] of Object.entries(table)) {
    const flag = settingFlag(key, setting);
    if (flag === undefined) continue;
    const value = setting.type === 'boolean' ? switchValue(values, flag) : values[flag];
    if (value === undefined) continue;
    if (setting.choices && !setting.choices.includes(String(value)))
      throw new ConfigError(`--${flag} must be one of ${setting.choices.join(', ')}; got '${String(value)}'`);
    const numeric = setting.type === 'number' || setting.type === 'integer';
    setPath(options, key, numeric ? optionalNumberFlag(values, flag) : value);
  }
  return options;
}

function switchValue(values: Readonly<Record<string, unknown>>, flag: string): boolean | undefined {
  const on = values[flag] === true;
  const off = values[`no-${flag}`] === true;
  if (on && off) throw new ConfigError(`give --${flag} or --no-${flag}, not both`);
  return on ? true : off ? false : undefined;
}

/** One `--help` row: the flag with its argument, and its help. */
export interface HelpRow {
  readonly head: string;
  readonly help: string;
}

function shownDefault(setting: Setting): string | undefined {
  const d = setting.default;
  if (d === undefined || d === false) return undefined;
  if (d === true) return 'on';
  if (Array.isArray(d)) return d.length === 0 ? 'none' : d.join(', ');
  return String(d);
}

/**
 * The table's `--help` rows, in declaration order: `--flag ARG` and the help with its default (`--x, --no-x` for a
 * boolean that is on by default). With `keys`, each row also names its config-file key, and config-file-only
 * settings get a row under their key.
 * @example
 * settingsHelp({ maxTokens: { type: 'number', arg: 'N', default: 128, help: 'longer ones are skipped' } });
 * // → [{ head: '--max-tokens N', help: 'longer ones are skipped (default 128)' }]
 */
export function settingsHelp(table: SettingsTable, options: { readonly keys?: boolean } = {}): HelpRow[] {
  return Object.entries(table).flatMap(([key, setting]): HelpRow[] => {
    const flag = settingFlag(key, setting);
    if (flag === undefined && !options.keys) return [];
    const shown = shownDefault(setting);
    const notes = [
      ...(shown === undefined ? [] : [`default ${shown}`]),
      ...(options.keys && flag !== undefined ? [`config ${key}`] : []),
      ...(flag === undefined ? ['config file only'] : []),
    ];
    const help = notes.length === 0 ? setting.help : `${setting.help} (${notes.join('; ')})`;
    if (flag === undefined) return [{ head: key, help }];
    if (setting.type === 'boolean')
      return [{ head: setting.default === true ? `--${flag}, --no-${flag}` : `--${flag}`, help }];
    const { type, choices } = setting;
    const arg = setting.arg ?? choices?.join('|') ?? (type === 'integer' ? 'N' : type === 'number' ? 'X' : 'VALUE');
    return [{ head: `--${flag} ${arg}`, help }];
  });
}

/**
 * `--help` lines: `  --flag ARG  help` with the help wrapped under one column.
 * @example
 * helpLines([{ head: '--out DIR', help: 'where to write' }]);
 * // → '  --out DIR                 where to write'
 */
export function helpLines(rows: readonly HelpRow[] = [], column = 28, width = 118): string {
  return rows.map(({ head, help }) => wrapHelp(`  ${head}`, help, column, width)).join('\n');
}

function wrapHelp(head: string, help: string, column: number, width: number): string {
  const lines: string[] = [];
  let line = head.length + 1 <= column ? head.padEnd(column) : `${head}\n${' '.repeat(column)}`;
  let used = column;
  for (const word of help.split(' ')) {
    if (used + word.length + 1 > width && used > column) {
      lines.push(line.trimEnd());
      line = ' '.repeat(column);
      used = column;
    }
    line += `${word} `;
    used += word.length + 1;
  }
  lines.push(line.trimEnd());
  return lines.join('\n');
}
