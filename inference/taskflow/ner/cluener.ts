/**
 * CLUENER2020 (fine-grained Chinese NER, 10 types): a file of JSON objects `{"text", "label": {type:
 * {entity: [[start, end], …]}}}` with inclusive character offsets, one after another (one per line
 * or pretty-printed). 10,748 train / 1,343 dev sentences of at most 50 characters.
 */
import { readFileSync } from 'node:fs';
import { DataError } from '../../../framework/errors.js';

/** CLUENER's ten entity types, in a fixed order (the tag order of models trained on it). */
export const CLUENER_TYPES = [
  'address',
  'book',
  'company',
  'game',
  'government',
  'movie',
  'name',
  'organization',
  'position',
  'scene',
] as const;

/** One entity: characters `[start, end)` of the text. */
export interface EntitySpan {
  readonly start: number;
  readonly end: number;
  readonly type: string;
}

/** One sentence and its entities (sorted by start). */
export interface NerExample {
  readonly id: number;
  readonly text: string;
  readonly entities: readonly EntitySpan[];
}

/**
 * Reads a CLUENER file. A malformed object, an unknown type, an offset outside the text or an entity
 * whose text does not match its offsets is a `DataError` naming the file and line.
 * @example
 * const dev = loadCluener('../shared/ner/cluener_dev.json');
 * dev.length;        // => 1343
 * dev[0].entities;   // => [{ start: 0, end: 3, type: 'organization' }, { start: 3, end: 6, type: 'name' }, …]
 */
export function loadCluener(path: string): NerExample[] {
  let source: string;
  try {
    source = readFileSync(path, 'utf8');
  } catch (e) {
    throw new DataError(`cannot read ${path}: ${e instanceof Error ? e.message : String(e)}`);
  }
  return splitObjects(source, path).map(({ json, line }, id) => parseExample(json, `${path}:${line}`, id));
}

/** Top-level `{…}` objects of a file and the line each starts on. */
function splitObjects(source: string, path: string): { json: string; line: number }[] {
  const out: { json: string; line: number }[] = [];
  let line = 1;
  let depth = 0;
  let start = -1;
  let startLine = 0;
  let inString = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!;
    if (c === '\n') line++;
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === '{') {
      if (depth === 0) {
        start = i;
        startLine = line;
      }
      depth++;
    } else if (c === '}') {
      depth--;
      if (depth < 0) throw new DataError(`${path}:${line}: unbalanced '}'`);
      if (depth === 0) out.push({ json: source.slice(start, i + 1), line: startLine });
    } else if (depth === 0 && c.trim() !== '' && c !== '\ufeff') {
      throw new DataError(`${path}:${line}: expected '{' between records, found '${c}'`);
    }
  }
  if (depth !== 0 || inString) throw new DataError(`${path}:${startLine}: record is not closed at the end of the file`);
  return out;
}

function parseExample(json: string, where: string, id: number): NerExample {
  let record: unknown;
  try {
    record = JSON.parse(json);
  } catch (e) {
    throw new DataError(`${where}: invalid JSON (${(e as Error).message})`);
  }
  if (typeof record !== 'object' || record === null) throw new DataError(`${where}: expected an object`);
  const { text, label } = record as { text?: unknown; label?: unknown };
  if (typeof text !== 'string') throw new DataError(`${where}: field 'text' must be a string`);
  const entities: EntitySpan[] = [];
  if (label !== undefined) {
    if (typeof label !== 'object' || label === null)
      throw new DataError(`${where}: field 'label' must be an object of types`);
    for (const [type, byEntity] of Object.entries(label as Record<string, unknown>)) {
      if (!(CLUENER_TYPES as readonly string[]).includes(type))
        throw new DataError(`${where}: field 'label': unknown type '${type}'; valid: ${CLUENER_TYPES.join(', ')}`);
      for (const [entity, offsets] of Object.entries(byEntity as Record<string, unknown>)) {
        if (!Array.isArray(offsets))
          throw new DataError(`${where}: field 'label.${type}.${entity}' must be a list of [start, end] pairs`);
        for (const pair of offsets as unknown[]) {
          const [s, e] = Array.isArray(pair) ? (pair as unknown[]) : [];
          if (
            !Number.isInteger(s) ||
            !Number.isInteger(e) ||
            (s as number) < 0 ||
            (e as number) < (s as number) ||
            (e as number) >= text.length
          ) {
            throw new DataError(
              `${where}: field 'label.${type}.${entity}': offsets ${JSON.stringify(pair)} ` +
                `are not inside the text (length ${text.length})`,
            );
          }
          const span = { start: s as number, end: (e as number) + 1, type };
          if (text.slice(span.start, span.end) !== entity)
            throw new DataError(
              `${where}: field 'label.${type}.${entity}': offsets ${JSON.stringify(pair)} ` +
                `cover '${text.slice(span.start, span.end)}'`,
            );
          entities.push(span);
        }
      }
    }
  }
  entities.sort((a, b) => a.start - b.start || a.end - b.end);
  return { id, text, entities };
}
