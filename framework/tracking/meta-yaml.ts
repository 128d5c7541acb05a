/**
 * The flat YAML of MLflow's `meta.yaml` files: one `key: scalar` per line, keys sorted, written the way
 * PyYAML's `safe_dump(default_flow_style=False, allow_unicode=True)` does. Only what those files hold is
 * supported: strings, integers, booleans, `null` and the empty list `[]`.
 */
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

/** `^(?:a|b|…)$` from its alternatives (written out separately where one line would not hold the pattern). */
const anchoredAlternatives = (alternatives: readonly string[]) => new RegExp(`^(?:${alternatives.join('|')})$`);

/** PyYAML's implicit resolvers (YAML 1.1): a string matching one of these must be quoted to stay a string. */
const RESOLVERS = [
  /^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/,
  anchoredAlternatives([
    String.raw`[-+]?[0-9][0-9_]*\.[0-9_]*(?:[eE][-+][0-9]+)?`,
    String.raw`\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?`,
    String.raw`[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*`,
    String.raw`[-+]?\.(?:inf|Inf|INF)`,
    String.raw`\.(?:nan|NaN|NAN)`,
  ]),
  /^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$/,
  /^(?:~|null|Null|NULL|<<|=)$/,
  anchoredAlternatives([
    '[0-9]{4}-[0-9]{2}-[0-9]{2}',
    String.raw`[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]*)?` +
      String.raw`(?:[ \t]*(?:Z|[-+][0-9]{1,2}(?::[0-9]{2})?))?`,
  ]),
];
/**
 * Characters PyYAML (allow_unicode) cannot write unescaped, including line breaks — U+2028 and U+2029 among them:
 * PyYAML reads them as line breaks, so written plain they broke the file (and MLflow's whole run list with it).
 */
const SPECIAL = /[^\t\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\u{10000}-\u{10ffff}]/u;

/** PyYAML's `analyze_scalar` for one-line strings in block context: may `text` be written unquoted? */
function allowsPlain(text: string): boolean {
  if (text === '' || text.startsWith(' ') || text.endsWith(' ') || /^(?:---|\.\.\.)/.test(text)) return false;
  const chars = [...text];
  for (const [i, ch] of chars.entries()) {
    const followedBySpace = i + 1 >= chars.length || chars[i + 1] === ' ' || chars[i + 1] === '\t';
    if (i === 0 && '#,[]{}&*!|>\'"%@`'.includes(ch)) return false;
    if ((ch === ':' || (i === 0 && (ch === '?' || ch === '-'))) && followedBySpace) return false;
    if (ch === '#' && i > 0 && (chars[i - 1] === ' ' || chars[i - 1] === '\t')) return false;
  }
  return !RESOLVERS.some((re) => re.test(text));
}

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

const YAML_BREAK_ESCAPES: Readonly<Record<string, string>> = { '\u0085': '\\N', '\u2028': '\\L', '\u2029': '\\P' };

function quote(text: string): string {
  // JSON's escapes are YAML double-quoted escapes too; JSON leaves U+0085, U+2028 and U+2029 raw, which YAML reads as
  // line breaks: PyYAML escapes them as \N, \L and \P.
  if (SPECIAL.test(text)) return JSON.stringify(text).replace(/[\u0085\u2028\u2029]/g, (c) => YAML_BREAK_ESCAPES[c]!);
  return allowsPlain(text) ? text : `'${text.replaceAll("'", "''")}'`;
}

/**
 * Serializes a flat mapping with sorted keys.
 * @example emitMetaYaml({ name: 'Default', experiment_id: '0', tags: [] })
 * // → "experiment_id: '0'\nname: Default\ntags: []\n"
 */
export function emitMetaYaml(record: MetaRecord): string {
  return Object.keys(record)
    .sort()
    .map((key) => `${key}: ${scalar(record[key] ?? null)}\n`)
    .join('');
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
      // YAML's \N \L \P escapes (line breaks PyYAML writes escaped) have no JSON form: turn them back first.
      const json = text.replace(
        /\\(.)/gs,
        (sequence, c: string) => ({ N: '\u0085', L: '\u2028', P: '\u2029' })[c] ?? sequence,
      );
      const parsed: unknown = JSON.parse(json);
      if (typeof parsed === 'string') return parsed;
    } catch {
      /* fall through to the error below */
    }
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
  let blanks = 0;
  for (const [index, line] of text.split(/\r?\n/).entries()) {
    if (line.trim() === '') {
      blanks++;
      continue;
    }
    const last = entries[entries.length - 1];
    if (/^\s/.test(line) || line.startsWith('- ')) {
      // Folded continuation: a line break is a space, each blank line a newline.
      if (!inSequence && last && !line.trimStart().startsWith('- '))
        last[1] += (blanks > 0 ? '\n'.repeat(blanks) : ' ') + line.trim();
      blanks = 0;
      continue;
    }
    blanks = 0;
    if (line.startsWith('#')) continue;
    const match = /^([^:\s][^:]*):(?:\s(.*)|)$/.exec(line);
    if (!match || match[1] === undefined)
      throw new TrackingError(`${file}:${index + 1}: expected 'key: value', got '${line}'`);
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
