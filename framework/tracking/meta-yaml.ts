/**
 * The flat YAML of MLflow's `meta.yaml` files: one `key: scalar` per line, keys sorted, written the way
 * PyYAML's `safe_dump(default_flow_style=False, allow_unicode=True)` does. Only what those files hold is
 * supported: strings, integers, booleans, `null` and the empty list `[]`.
 */
import { TrackingError } from '../errors.js';

/** A value in a `meta.yaml` mapping. */
export type MetaValue = string | number | boolean | null | readonly [];
/** A `meta.yaml` mapping. */
export type MetaRecord = Record<string, MetaValue>;

/** Strings YAML 1.1 would read as something other than a string, so PyYAML quotes them. */
const IMPLICIT = /^(?:~|null|Null|NULL|true|True|TRUE|false|False|FALSE|yes|Yes|YES|no|No|NO|on|On|ON|off|Off|OFF|y|Y|n|N|[-+]?[0-9][0-9_:.eE+-]*|[-+]?\.(?:inf|Inf|INF|nan|NaN|NAN)|<<|=)$/;
/** Characters that may appear in a plain (unquoted) scalar. */
const PLAIN_BODY = /^[\p{L}\p{N}_/.:\-+ ()@=~,]+$/u;

function scalar(value: MetaValue): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return '[]';
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new TrackingError(`meta.yaml holds integers only; got ${value}`);
    return String(value);
  }
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  return quote(String(value));
}

function quote(text: string): string {
  if (/[\u0000-\u001f\u007f\u2028\u2029]/.test(text)) return JSON.stringify(text);
  const plain = text !== '' && PLAIN_BODY.test(text) && !IMPLICIT.test(text) && !/^[-?:,@ ]/.test(text) &&
    !text.endsWith(' ') && !text.endsWith(':') && !text.includes(': ');
  return plain ? text : `'${text.replaceAll("'", "''")}'`;
}

/**
 * Serializes a flat mapping with sorted keys.
 * @example emitMetaYaml({ name: 'Default', experiment_id: '0', tags: [] })
 * // → "experiment_id: '0'\nname: Default\ntags: []\n"
 */
export function emitMetaYaml(record: MetaRecord): string {
  return Object.keys(record).sort().map((key) => `${key}: ${scalar(record[key] ?? null)}\n`).join('');
}

function parseScalar(raw: string, where: string): MetaValue {
  const text = raw.trim();
  if (text === '' || text === '~' || text === 'null' || text === 'Null' || text === 'NULL') return null;
  if (text === '[]') return [];
  if (text.startsWith("'")) {
    if (!text.endsWith("'") || text.length < 2) throw new TrackingError(`${where}: unterminated quoted string`);
    return text.slice(1, -1).replaceAll("''", "'");
  }
  if (text.startsWith('"')) {
    try {
      const parsed: unknown = JSON.parse(text);
      if (typeof parsed === 'string') return parsed;
    } catch { /* fall through to the error below */ }
    throw new TrackingError(`${where}: unsupported double-quoted string ${text}`);
  }
  if (/^[-+]?[0-9]+$/.test(text)) return Number(text);
  if (/^(?:true|True|TRUE)$/.test(text)) return true;
  if (/^(?:false|False|FALSE)$/.test(text)) return false;
  return text;
}

/**
 * Parses a flat `meta.yaml`, including PyYAML's folded continuation lines for long scalars. Block
 * sequences (legacy `tags:` lists) are skipped.
 * @example parseMetaYaml("experiment_id: '0'\nname: Default\n") // → { experiment_id: '0', name: 'Default' }
 */
export function parseMetaYaml(text: string, file = 'meta.yaml'): MetaRecord {
  const entries: [string, string][] = [];
  let inSequence = false;
  for (const [index, line] of text.split(/\r?\n/).entries()) {
    if (line.trim() === '' || line.trimStart().startsWith('#')) continue;
    const last = entries[entries.length - 1];
    if (/^\s/.test(line) || line.startsWith('- ')) {
      if (!inSequence && last && !line.trimStart().startsWith('- ')) last[1] += ` ${line.trim()}`;
      continue;
    }
    const match = /^([^:\s][^:]*):(?:\s(.*)|)$/.exec(line);
    if (!match || match[1] === undefined) throw new TrackingError(`${file}:${index + 1}: expected 'key: value', got '${line}'`);
    const value = match[2] ?? '';
    inSequence = value.trim() === '';
    entries.push([match[1], value]);
  }
  const record: MetaRecord = {};
  for (const [key, value] of entries) record[key] = parseScalar(value, `${file} '${key}'`);
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
