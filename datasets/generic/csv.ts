/**
 * CSV and TSV loaders on `csv-parse`: quoted fields may hold the delimiter, quotes (`""`) and
 * newlines. A wrong column count, a broken quote, a missing mapped column or a label outside the
 * label set is a `DataError` naming `file:line` (the line where the record starts) and the field.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { DataError } from '../../framework/errors.js';
import type { Example } from '../base.js';
import { mapRecord, type RecordOptions, type Where } from './record.js';

/**
 * Options for {@link loadCsv}; `fields` maps example fields to
 * header names, or to column indices when `header` is false.
 */
export interface CsvOptions extends RecordOptions {
  /** Column delimiter; default `,`. */
  readonly delimiter?: string;
  /** Whether the first row names the columns; default true. */
  readonly header?: boolean;
  /** Quote character, or `null` to read quotes as plain text; default `"`. */
  readonly quote?: string | null;
}

/** One CSV row as an object (header names, or column indices `'0'`, `'1'`, … without a header) and where it starts. */
export interface CsvRecord {
  readonly record: Record<string, string>;
  readonly where: Where;
}

interface ParsedRow {
  readonly record: string[];
  readonly info: { readonly lines: number; readonly empty_lines: number };
}

/**
 * Read a delimited file into records keyed by header (or column index).
 *
 * @example
 * // reviews.csv:  label,review\n1,"好,很好"\n
 * readCsvRecords('reviews.csv')[0];
 * // => { record: { label: '1', review: '好,很好' }, where: { file: 'reviews.csv', line: 2 } }
 */
export function readCsvRecords(path: string, options: Omit<CsvOptions, 'fields' | 'labels'> = {}): CsvRecord[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new DataError(`cannot read ${path}: ${e instanceof Error ? e.message : String(e)}`);
  }
  let rows: unknown[];
  try {
    rows = parse(text, {
      delimiter: options.delimiter ?? ',',
      quote: options.quote === undefined ? '"' : options.quote,
      bom: true,
      skip_empty_lines: true,
      info: true,
      relax_column_count: false,
    });
  } catch (e) {
    const line = typeof e === 'object' && e !== null && 'lines' in e && typeof e.lines === 'number' ? e.lines : 0;
    const msg = e instanceof Error ? e.message.replace(/ on line \d+$/, '').replace(/ at line \d+/, '') : String(e);
    throw new DataError(`${path}:${line}: ${msg}`);
  }
  const header = options.header ?? true;
  let names: string[] | undefined;
  const out: CsvRecord[] = [];
  let prevLines = 0;
  let prevEmpty = 0;
  for (const row of rows) {
    if (!isParsedRow(row)) throw new DataError(`${path}: csv-parse returned an unexpected row shape`);
    const where = { file: path, line: prevLines + 1 + (row.info.empty_lines - prevEmpty) };
    prevLines = row.info.lines;
    prevEmpty = row.info.empty_lines;
    if (header && names === undefined) {
      names = row.record.map((n) => n.trim());
      continue;
    }
    const record: Record<string, string> = {};
    row.record.forEach((v, i) => {
      record[names?.[i] ?? String(i)] = v;
    });
    out.push({ record, where });
  }
  return out;
}

function isParsedRow(row: unknown): row is ParsedRow {
  if (typeof row !== 'object' || row === null || !('record' in row) || !('info' in row)) return false;
  const { record, info } = row;
  return (
    Array.isArray(record) &&
    typeof info === 'object' &&
    info !== null &&
    'lines' in info &&
    'empty_lines' in info &&
    typeof info.lines === 'number' &&
    typeof info.empty_lines === 'number'
  );
}

/**
 * Load a CSV file with a field mapping.
 *
 * @example
 * loadCsv('hotel.csv', { fields: { label: 'label', text_a: 'review' }, labels: ['0', '1'] });
 * // => [{ id: 2, fields: { text_a: '…' }, label: '1' }, …]   (id: the line, unless `fields.id` maps one)
 * loadCsv('bad.csv', { fields: { text_a: 'review' } });
 * // throws DataError: bad.csv:4: Invalid Record Length: expect 2, got 3
 */
export function loadCsv(path: string, options: CsvOptions): Example[] {
  const fields =
    options.header === false
      ? Object.fromEntries(Object.entries(options.fields).map(([k, v]) => [k, String(v)]))
      : options.fields;
  return readCsvRecords(path, options).map(({ record, where }) => mapRecord(record, { ...options, fields }, where));
}

/**
 * Load a tab-separated file: {@link loadCsv} with `delimiter: '\t'` and, unless set, quotes read as
 * plain text (TSV files such as ChnSentiCorp carry bare `"` inside the text).
 *
 * @example
 * loadTsv('chnsenticorp/train.tsv', { fields: { label: 'label', text_a: 'text_a' }, labels: ['0', '1'] });
 */
export function loadTsv(path: string, options: CsvOptions): Example[] {
  return loadCsv(path, {
    ...options,
    delimiter: options.delimiter ?? '\t',
    quote: options.quote === undefined ? null : options.quote,
  });
}
