/**
 * The flat YAML of MLflow's `meta.yaml` files, through the `yaml` package with PyYAML's YAML 1.1 rules: keys sorted,
 * one `key: scalar` per line, strings quoted where PyYAML would read them as something else. MLflow reads these files
 * with PyYAML (`safe_load`), so what we write must mean the same there; PyYAML's own output reads back here too.
 */
import { parse, type ScalarTag, stringify, type Tags } from 'yaml';
import { TrackingError } from '../errors.js';

/**
 * A value in a `meta.yaml` mapping.
 * @example const v: MetaValue = null; // also 'active', 1718000000000, []
 */
export type MetaValue = string | number | boolean | null | readonly [];
/**
 * A `meta.yaml` mapping.
 * @example { experiment_id: '0', name: 'Default', lifecycle_stage: 'active' }
 */
export type MetaRecord = Record<string, MetaValue>;

const TAG = 'tag:yaml.org,2002:';
/** PyYAML's implicit booleans (the `yaml` package's YAML 1.1 schema also takes `y`/`n`; PyYAML reads them as text). */
const PYYAML_TRUE = /^(?:yes|Yes|YES|true|True|TRUE|on|On|ON)$/;
const PYYAML_FALSE = /^(?:no|No|NO|false|False|FALSE|off|Off|OFF)$/;
/** PyYAML's implicit floats other than .inf/.nan and sexagesimals: a dot is required (`1e5` is text to PyYAML). */
const PYYAML_FLOAT = /^(?:[-+]?[0-9][0-9_]*\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?)$/;
/**
 * Characters PyYAML reads as line breaks (U+0085, U+2028, U+2029), refuses raw (C1 controls, U+FFFE/U+FFFF) or
 * escapes itself (the byte-order mark).
 */
const UNWRITABLE_RAW = /[\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]/g;
/** What only a double-quoted scalar holds for PyYAML: the above, and tabs (PyYAML's scanner refuses a plain one). */
const NEEDS_DOUBLE_QUOTES = /[\t\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]/;
const ESCAPES: Readonly<Record<string, string>> = { '\u0085': '\\N', '\u2028': '\\L', '\u2029': '\\P' };

/**
 * A double-quoted scalar with every character of {@link UNWRITABLE_RAW} escaped. The `yaml` package starts its
 * double-quoted form from `JSON.stringify`, which leaves them raw: written so, U+2028 in a run name made PyYAML — and
 * so MLflow's whole run list — fail. JSON's escapes are YAML double-quoted escapes too.
 */
function escapedDoubleQuoted(text: string): string {
  return JSON.stringify(text).replace(UNWRITABLE_RAW, (c) => {
    const code = c.charCodeAt(0);
    const hex = code.toString(16).toUpperCase();
    return ESCAPES[c] ?? (code < 0x100 ? `\\x${hex}` : `\\u${hex}`);
  });
}

/** The `yaml` package's YAML 1.1 tags, resolving plain scalars as PyYAML's SafeLoader does. */
function pyyamlTags(tags: Tags): Tags {
  const pyFloat: ScalarTag = {
    identify: (value) => typeof value === 'number',
    default: true,
    tag: `${TAG}float`,
    test: PYYAML_FLOAT,
    resolve: (text) => Number.parseFloat(text.replace(/_/g, '')),
  };
  // `=` and `<<` are PyYAML's value and merge keys: written plain, safe_load refuses them.
  const reserved: ScalarTag = { default: true, tag: `${TAG}value`, test: /^(?:=|<<)$/, resolve: (text) => text };
  const adapted = tags.flatMap((t): Tags => {
    if (typeof t === 'string' || t.tag === `${TAG}merge`) return [];
    if (t.tag === `${TAG}float` && t.format === 'EXP') return []; // pyFloat covers the exponent form
    if (t.tag === `${TAG}float` && t.format === undefined && !t.test?.source.includes('inf')) return [pyFloat];
    if (t.tag === `${TAG}bool`) return [{ ...t, test: t.identify?.(true) ? PYYAML_TRUE : PYYAML_FALSE } as ScalarTag];
    if (t.tag !== `${TAG}str` || t.collection !== undefined) return [t];
    const str: ScalarTag = t;
    return [
      {
        ...str,
        stringify: (item, ctx, onComment, onChompKeep) =>
          NEEDS_DOUBLE_QUOTES.test(String(item.value))
            ? escapedDoubleQuoted(String(item.value))
            : str.stringify!(item, ctx, onComment, onChompKeep),
      },
    ];
  });
  return [...adapted, reserved];
}

/** The options PyYAML's `safe_dump(default_flow_style=False, allow_unicode=True)` output corresponds to. */
const YAML_OPTIONS = {
  version: '1.1',
  customTags: pyyamlTags,
  sortMapEntries: true,
  singleQuote: true,
  lineWidth: 0,
  nullStr: 'null',
  flowCollectionPadding: false,
} as const;

/**
 * Serializes a flat mapping with sorted keys, as PyYAML writes it (strings quoted where PyYAML would read them as
 * another type; long lines are not folded).
 * @example emitMetaYaml({ name: 'Default', experiment_id: '0', tags: [] })
 * // → "experiment_id: '0'\nname: Default\ntags: []\n"
 */
export function emitMetaYaml(record: MetaRecord): string {
  for (const [key, value] of Object.entries(record)) {
    if (typeof value === 'number' && !Number.isSafeInteger(value))
      throw new TrackingError(`meta.yaml holds integers only; got ${key}: ${value}`);
  }
  return stringify(record, YAML_OPTIONS);
}

/**
 * Parses a `meta.yaml` (PyYAML's folded long lines included). Sequences (legacy `tags:` lists) read as `[]`.
 * @example parseMetaYaml("experiment_id: '0'\nname: Default\n") // → { experiment_id: '0', name: 'Default' }
 */
export function parseMetaYaml(text: string, file = 'meta.yaml'): MetaRecord {
  let parsed: unknown;
  try {
    parsed = parse(text, YAML_OPTIONS);
  } catch (error) {
    throw new TrackingError(`${file}: ${(error as Error).message.split('\n')[0]}`);
  }
  if (parsed === null || parsed === undefined) return {};
  if (typeof parsed !== 'object' || Array.isArray(parsed))
    throw new TrackingError(`${file}: expected a mapping of 'key: value' lines`);
  const record: MetaRecord = {};
  for (const [key, value] of Object.entries(parsed)) {
    if (Array.isArray(value)) record[key] = [];
    else if (value === null || ['string', 'number', 'boolean'].includes(typeof value)) record[key] = value as MetaValue;
    else throw new TrackingError(`${file}: '${key}' holds ${String(value)}, not a scalar`);
  }
  return record;
}

/**
 * Reads a string field, failing with the file and key when it is missing.
 * @example metaString({ name: 'Default' }, 'name', 'mlruns/0/meta.yaml') // → 'Default'
 */
export function metaString(record: MetaRecord, key: string, file: string): string {
  const value = record[key];
  if (value === undefined || value === null || Array.isArray(value)) {
    throw new TrackingError(`${file}: missing field '${key}'`);
  }
  return String(value);
}

/**
 * Reads an optional integer field (`null` when absent).
 * @example metaInt({ end_time: null }, 'end_time') // → null
 */
export function metaInt(record: MetaRecord, key: string): number | null {
  const value = record[key];
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && /^[0-9]+$/.test(value)) return Number(value);
  return null;
}
