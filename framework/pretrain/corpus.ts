/**
 * Streaming corpus readers for masked-LM pretraining: plain text (a line or a blank-line-separated
 * paragraph per document), JSONL (text fields), CSV/TSV (one column), SQuAD-style JSON (contexts).
 * Files are named by paths or globs and read in sorted order, so a corpus always streams the same way.
 */
import { createReadStream, existsSync, openSync, readSync, closeSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { glob } from 'tinyglobby';
import { ConfigError, DataError, UnknownKindError } from '../errors.js';

export const CORPUS_FORMATS = [
  'lines',
  'paragraphs',
  'jsonl',
  'json-records',
  'csv',
  'tsv',
  'squad',
  'conllu',
  'conll-chars',
] as const;
export type CorpusFormat = (typeof CORPUS_FORMATS)[number];

/** JSONL fields read when a source names none (FewCLUE, CLUE and common corpus spellings). */
export const DEFAULT_TEXT_FIELDS: readonly string[] = [
  'text',
  'sentence',
  'sentence1',
  'sentence2',
  'content',
  'abst',
  'context',
  'review',
  'title',
];
/** CSV column names tried, in order, when a source names none; the last column otherwise. */
export const DEFAULT_CSV_COLUMNS: readonly string[] = ['review', 'text', 'content', 'sentence', 'text_a'];

/** One group of corpus files and how to read them. */
export interface CorpusSource {
  /** A file path or a glob (`fewclue/*\/unlabeled.json`). */
  path: string;
  /** Detected from the extension (and the first line for `.json`) when omitted. */
  format?: CorpusFormat;
  /** JSONL: the string fields to read, each a document. Default {@link DEFAULT_TEXT_FIELDS}. */
  fields?: string[];
  /** CSV/TSV: column name or 0-based index. Default: a known text column (CSV) or column 0 (TSV). */
  column?: string | number;
  /** CSV/TSV: whether the first row is a header. Default true for CSV, false for TSV. */
  header?: boolean;
  /** Globs of files to leave out (e.g. `**\/test*.json`). */
  exclude?: string[];
  /**
   * Sampling weight of the source's training documents (default 1): 0.2 keeps a fixed fifth of them (chosen by
   * content hash), 3 repeats each three times, 1.5 repeats half of them. Rebalances a mix without editing files;
   * held-out documents are never weighted, so the held-out set does not depend on the mix.
   */
  weight?: number;
}

/** One document, the file it came from, and its source's sampling weight. */
export interface CorpusDocument {
  text: string;
  source: string;
  weight: number;
}

/**
 * The files of `sources`, each with its resolved format, in a fixed order (sources in order, files sorted).
 * @example
 * await resolveCorpusFiles([{ path: 'corpora/*.csv' }]);
 * // → [{ file: 'corpora/waimai_10k.csv', format: 'csv', source: {...} }, …]
 */
export async function resolveCorpusFiles(
  sources: readonly CorpusSource[],
): Promise<{ file: string; format: CorpusFormat; source: CorpusSource }[]> {
  const out: { file: string; format: CorpusFormat; source: CorpusSource }[] = [];
  const seen = new Set<string>();
  for (const source of sources) {
    const isGlob = /[*?[\]{}]/.test(source.path);
    const files = isGlob
      ? (await glob(source.path, { ignore: source.exclude ?? [], absolute: true, onlyFiles: true })).sort()
      : [source.path];
    if (files.length === 0) throw new DataError(`corpus glob '${source.path}' matched no files`);
    for (const file of files) {
      if (!existsSync(file)) throw new DataError(`corpus file '${file}' not found`);
      // Globs give absolute paths, plain paths may be relative: compare resolved ones, so a file named by a plain
      // path and again by a later glob is read once (by the first source, whose weight and fields apply).
      if (seen.has(resolve(file))) continue;
      seen.add(resolve(file));
      out.push({ file, format: source.format ?? detectFormat(file), source });
    }
  }
  return out;
}

/**
 * The format of a file from its extension; `.json` is JSONL when its first line is a whole object, records (an
 * array, or pretty-printed objects one after another) when it starts with `[` or a lone `{`, SQuAD otherwise; `.conllu`
 * is Universal Dependencies (`# text =` lines); `.conll` / `.bio` are one character a line with its tag (sentences
 * joined).
 * @example detectFormat('thucnews_train.txt') // → 'lines'
 */
export function detectFormat(file: string): CorpusFormat {
  const ext = file.toLowerCase().split('.').pop() ?? '';
  switch (ext) {
    case 'txt':
      return 'lines';
    case 'jsonl':
      return 'jsonl';
    case 'csv':
      return 'csv';
    case 'tsv':
      return 'tsv';
    case 'conllu':
      return 'conllu';
    case 'conll':
    case 'bio':
      return 'conll-chars';
    case 'json': {
      const fd = openSync(file, 'r');
      const head = Buffer.alloc(65536);
      const n = readSync(fd, head, 0, head.length, 0);
      closeSync(fd);
      const text = head.subarray(0, n).toString('utf8');
      if (text.trimStart().startsWith('[')) return 'json-records';
      const firstLine = text.split('\n')[0]?.trim() ?? '';
      // A lone '{': SQuAD (one object with "data") or pretty-printed records one after another (CLUENER).
      if (firstLine === '{') return /"data"\s*:\s*\[/.test(text) ? 'squad' : 'json-records';
      try {
        const v: unknown = JSON.parse(firstLine);
        return typeof v === 'object' && v !== null && !Array.isArray(v) ? 'jsonl' : 'squad';
      } catch {
        return 'squad';
      }
    }
    default:
      throw new UnknownKindError(`corpus format for extension '.${ext}' of ${file}`, ext, [
        'txt',
        'jsonl',
        'json',
        'csv',
        'tsv',
        'conllu',
        'conll',
        'bio',
      ]);
  }
}

/** The top-level JSON values of `text`, one after another (a single value, or objects written back to back). */
function* jsonValues(text: string, file: string): Generator<unknown> {
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{' || c === '[') {
      if (depth++ === 0) start = i;
    } else if (c === '}' || c === ']') {
      if (--depth === 0) {
        try {
          yield JSON.parse(text.slice(start, i + 1));
        } catch (e) {
          throw new DataError(`${file}: invalid JSON at character ${start} (${(e as Error).message})`);
        }
      }
    }
  }
  if (depth !== 0) throw new DataError(`${file}: JSON ends inside a value`);
}

/** Text fields of each record of a JSON file of records: an array (SIGHAN-15) or objects back to back (CLUENER). */
async function* jsonRecordTexts(file: string, fields: readonly string[]): AsyncGenerator<string> {
  for (const value of jsonValues(readFileSync(file, 'utf8'), file)) {
    for (const record of Array.isArray(value) ? value : [value]) {
      if (typeof record !== 'object' || record === null)
        throw new DataError(`${file}: expected JSON objects, found ${JSON.stringify(record).slice(0, 40)}`);
      for (const f of fields) {
        const v = (record as Record<string, unknown>)[f];
        if (typeof v === 'string' && v.trim() !== '') yield v;
      }
    }
  }
}

/** Sentences of a one-character-a-line file (`字 TAG`, blank line between sentences): the characters joined. */
async function* conllSentences(file: string): AsyncGenerator<string> {
  let chars: string[] = [];
  for await (const line of lines(file)) {
    const token = line.trim().split(/\s+/)[0] ?? '';
    if (token === '') {
      if (chars.length) yield chars.join('');
      chars = [];
    } else chars.push(token);
  }
  if (chars.length) yield chars.join('');
}

async function* lines(file: string): AsyncGenerator<string> {
  const rl = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
  for await (const line of rl) yield line;
}

/**
 * Documents of one file, streamed (SQuAD JSON is parsed whole: it is one JSON value).
 * @example
 * for await (const text of readFileDocuments('waimai_10k.csv', 'csv')) console.log(text); // '很快，好吃，味道足，量大', …
 */
export async function* readFileDocuments(
  file: string,
  format: CorpusFormat,
  source: Partial<CorpusSource> = {},
): AsyncGenerator<string> {
  switch (format) {
    case 'lines':
      for await (const line of lines(file)) if (line.trim() !== '') yield line;
      return;
    case 'paragraphs': {
      let para: string[] = [];
      for await (const line of lines(file)) {
        if (line.trim() === '') {
          if (para.length) yield para.join('\n');
          para = [];
        } else para.push(line);
      }
      if (para.length) yield para.join('\n');
      return;
    }
    case 'jsonl': {
      const fields = source.fields ?? DEFAULT_TEXT_FIELDS;
      let n = 0;
      for await (const line of lines(file)) {
        n++;
        if (line.trim() === '') continue;
        let obj: unknown;
        try {
          obj = JSON.parse(line);
        } catch (e) {
          throw new DataError(`${file}:${n}: invalid JSON (${(e as Error).message})`);
        }
        if (typeof obj !== 'object' || obj === null) throw new DataError(`${file}:${n}: expected a JSON object`);
        const record = obj as Record<string, unknown>;
        for (const f of fields) {
          const v = record[f];
          if (typeof v === 'string' && v.trim() !== '') yield v;
        }
      }
      return;
    }
    case 'csv':
    case 'tsv':
      yield* readDelimited(file, format === 'csv' ? ',' : '\t', source.column, source.header ?? format === 'csv');
      return;
    case 'squad':
      yield* squadContexts(file);
      return;
    case 'json-records':
      yield* jsonRecordTexts(file, source.fields ?? DEFAULT_TEXT_FIELDS);
      return;
    case 'conllu':
      for await (const line of lines(file)) if (line.startsWith('# text = ')) yield line.slice('# text = '.length);
      return;
    case 'conll-chars':
      yield* conllSentences(file);
      return;
    default:
      throw new UnknownKindError('corpus format', String(format), CORPUS_FORMATS);
  }
}

async function* readDelimited(
  file: string,
  delimiter: string,
  column: string | number | undefined,
  header: boolean,
): AsyncGenerator<string> {
  let index = typeof column === 'number' ? column : -1;
  let first = true;
  for await (const row of delimitedRows(file, delimiter)) {
    if (first) {
      first = false;
      if (header) {
        const names = row.map((h) => h.replace(/^\ufeff/, '').trim());
        if (typeof column === 'string') {
          index = names.indexOf(column);
          if (index < 0) throw new DataError(`${file}: no column '${column}'; columns: ${names.join(', ')}`);
        } else if (column === undefined) {
          const known = DEFAULT_CSV_COLUMNS.find((c) => names.includes(c));
          index = known !== undefined ? names.indexOf(known) : names.length - 1;
        }
        continue;
      }
      if (typeof column === 'string')
        throw new ConfigError(`${file}: column '${column}' given by name but the file has no header row`);
      if (index < 0) index = 0;
    }
    const v = row[index];
    if (v !== undefined && v.trim() !== '') yield v;
  }
}

/** Rows of a CSV/TSV file with RFC 4180 quoting (quoted fields may hold delimiters, `""` and newlines). */
async function* delimitedRows(file: string, delimiter: string): AsyncGenerator<string[]> {
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  for await (const line of lines(file)) {
    let i = 0;
    if (quoted) field += '\n';
    while (i < line.length) {
      const ch = line[i]!;
      if (quoted) {
        if (ch === '"') {
          if (line[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          quoted = false;
        } else field += ch;
      } else if (ch === '"' && field === '') quoted = true;
      else if (ch === delimiter) {
        fields.push(field);
        field = '';
      } else field += ch;
      i++;
    }
    if (!quoted) {
      fields.push(field);
      yield fields;
      fields = [];
      field = '';
    }
  }
  if (quoted || fields.length) {
    fields.push(field);
    yield fields;
  }
}

function* squadContexts(file: string): Generator<string> {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new DataError(`${file}: invalid JSON (${(e as Error).message})`);
  }
  const data = (json as { data?: unknown }).data;
  if (!Array.isArray(data)) throw new DataError(`${file}: SQuAD JSON needs a top-level 'data' array`);
  for (const article of data as { paragraphs?: { context?: unknown }[] }[]) {
    for (const p of article.paragraphs ?? [])
      if (typeof p.context === 'string' && p.context.trim() !== '') yield p.context;
  }
}

/**
 * Every document of every source, in order.
 * @example
 * for await (const doc of readCorpus([{ path: 'corpora/*.txt' }])) doc.source; // → '/…/corpora/thucnews_dev.txt'
 */
export async function* readCorpus(sources: readonly CorpusSource[]): AsyncGenerator<CorpusDocument> {
  for (const { file, format, source } of await resolveCorpusFiles(sources)) {
    const weight = source.weight ?? 1;
    for await (const text of readFileDocuments(file, format, source)) yield { text, source: file, weight };
  }
}
