/**
 * Record → {@link Example} with a field mapping, shared by the JSONL, CSV and TSV loaders. Every
 * error names `file:line` and the field, so a user can open the file at the bad record.
 */
import { DataError } from '../../framework/errors.js';
import type { Example, FieldValue } from '../base.js';

/** Where a record came from: file path and 1-based line. */
export interface Where {
  readonly file: string;
  readonly line: number;
}

/**
 * Example field → source key (a JSON key or CSV header) or column index (CSV without header).
 * `label` and `id` are special: they become {@link Example.label} and {@link Example.id}.
 *
 * @example
 * const m: FieldMapping = { text_a: 'sentence', label: 'label' };
 * const byColumn: FieldMapping = { label: 0, text_a: 1 };
 */
export type FieldMapping = Readonly<Record<string, string | number>>;

/** Options common to every generic loader. */
export interface RecordOptions {
  /** Which source key fills which example field. */
  readonly fields: FieldMapping;
  /** Allowed label keys; a label outside them is a `DataError`. */
  readonly labels?: readonly string[];
  /** Whether a missing `label` is an error (default: true when `fields.label` is mapped). */
  readonly requireLabel?: boolean;
}

/**
 * `file:line` prefix for messages.
 *
 * @example
 * at({ file: 'train.jsonl', line: 3 }); // => 'train.jsonl:3'
 */
export function at(where: Where): string {
  return `${where.file}:${where.line}`;
}

/**
 * Read a required string (or number, turned into a string) from a record.
 *
 * @example
 * requireString({ sentence: '好' }, 'sentence', { file: 'a.jsonl', line: 1 }); // => '好'
 * requireString({}, 'sentence', { file: 'a.jsonl', line: 1 });
 * // throws DataError: a.jsonl:1: missing field 'sentence' (the record has: no fields)
 */
export function requireString(record: Readonly<Record<string, unknown>>, key: string, where: Where): string {
  const v = record[key];
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (v === undefined || v === null) throw missing(record, key, where);
  throw new DataError(`${at(where)}: field '${key}' must be a string, got ${describe(v)}`);
}

/**
 * Read a required list of strings from a record.
 *
 * @example
 * requireStringList({ keyword: ['a', 'b'] }, 'keyword', { file: 'csl.json', line: 1 }); // => ['a', 'b']
 */
export function requireStringList(record: Readonly<Record<string, unknown>>, key: string, where: Where): string[] {
  const v = record[key];
  if (v === undefined || v === null) throw missing(record, key, where);
  if (Array.isArray(v) && v.every((x): x is string => typeof x === 'string')) return [...v];
  throw new DataError(`${at(where)}: field '${key}' must be a list of strings, got ${describe(v)}`);
}

/**
 * Read a record's id (`id`, else `idx`, else the line number).
 *
 * @example
 * readId({ idx: 4 }, { file: 'dev_0.json', line: 9 }); // => 4
 */
export function readId(
  record: Readonly<Record<string, unknown>>,
  where: Where,
  keys: readonly string[] = ['id', 'idx'],
): string | number {
  for (const k of keys) {
    const v = record[k];
    if (typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v))) return v;
  }
  return where.line;
}

/**
 * Check a label key against the label set.
 *
 * @example
 * checkLabel('Positive', ['Negative', 'Positive'], 'label', { file: 'a.jsonl', line: 2 }); // => 'Positive'
 * checkLabel('Neutral', ['Negative', 'Positive'], 'label', { file: 'a.jsonl', line: 2 });
 * // throws DataError: a.jsonl:2: field 'label' has label 'Neutral', expected one of: Negative, Positive
 */
export function checkLabel(label: string, labels: readonly string[] | undefined, key: string, where: Where): string {
  if (labels !== undefined && !labels.includes(label)) {
    throw new DataError(`${at(where)}: field '${key}' has label '${label}', expected one of: ${labels.join(', ')}`);
  }
  return label;
}

/**
 * Turn one record into an {@link Example} by a {@link FieldMapping}.
 *
 * @example
 * mapRecord(
 *   { sentence: '好', label: 'Positive', id: 7 },
 *   { fields: { text_a: 'sentence', label: 'label' } },
 *   { file: 'a.jsonl', line: 1 },
 * );
 * // => { id: 7, fields: { text_a: '好' }, label: 'Positive' }
 */
export function mapRecord(record: Readonly<Record<string, unknown>>, options: RecordOptions, where: Where): Example {
  const fields: Record<string, FieldValue> = {};
  let label: string | undefined;
  let id: string | number | undefined;
  for (const [target, source] of Object.entries(options.fields)) {
    const key = String(source);
    if (target === 'label') {
      const required = options.requireLabel ?? true;
      const absent = record[key] === undefined || record[key] === null || record[key] === '';
      if (absent && !required) continue;
      if (absent) throw new DataError(`${at(where)}: missing field '${key}' (the label) in a labelled file`);
      label = checkLabel(requireString(record, key, where), options.labels, key, where);
    } else if (target === 'id') {
      id = requireString(record, key, where);
    } else {
      fields[target] = Array.isArray(record[key])
        ? requireStringList(record, key, where)
        : requireString(record, key, where);
    }
  }
  return { id: id ?? readId(record, where), fields, ...(label === undefined ? {} : { label }) };
}

function missing(record: Readonly<Record<string, unknown>>, key: string, where: Where): DataError {
  const has = Object.keys(record);
  return new DataError(
    `${at(where)}: missing field '${key}' (the record has: ${has.length === 0 ? 'no fields' : has.join(', ')})`,
  );
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  return typeof v === 'object' ? 'an object' : `${typeof v} ${JSON.stringify(v)}`;
}
