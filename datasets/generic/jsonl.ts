/**
 * JSON Lines: one JSON object per line (FewCLUE's `.json` files are JSONL too). Blank lines are
 * skipped; anything else that is not a JSON object is a `DataError` naming `file:line`.
 */
import { readFileSync } from 'node:fs';
import { DataError } from '../../framework/errors.js';
import type { Example } from '../base.js';
import { at, mapRecord, type RecordOptions, type Where } from './record.js';

/** One parsed line and where it was. */
export interface JsonlRecord {
  readonly record: Record<string, unknown>;
  readonly where: Where;
}

/**
 * Read a JSONL file into objects, keeping each one's line number.
 *
 * @example
 * readJsonlRecords('datasets/fewclue/eprstmt/data/train_0.json')[0].record.label; // => 'Negative'
 * // a line `{"id": 1,` gives: DataError: <file>:2: invalid JSON (…)
 */
export function readJsonlRecords(path: string): JsonlRecord[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new DataError(`cannot read ${path}: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const out: JsonlRecord[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    const where = { file: path, line: i + 1 };
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (e) {
      throw new DataError(
        `${at(where)}: invalid JSON (${e instanceof Error ? e.message : String(e)}): ${snippet(line)}`,
      );
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new DataError(
        `${at(where)}: expected a JSON object per line, got ${Array.isArray(value) ? 'an array' : typeof value}`,
      );
    }
    out.push({ record: { ...value }, where });
  }
  return out;
}

/**
 * Load a JSONL file with a field mapping.
 *
 * @example
 * loadJsonl('reviews.jsonl', { fields: { text_a: 'sentence', label: 'label' }, labels: ['Negative', 'Positive'] });
 * // => [{ id: 0, fields: { text_a: '…' }, label: 'Negative' }, …]
 */
export function loadJsonl(path: string, options: RecordOptions): Example[] {
  return readJsonlRecords(path).map(({ record, where }) => mapRecord(record, options, where));
}

function snippet(line: string): string {
  return line.length > 60 ? `${line.slice(0, 60)}…` : line;
}
