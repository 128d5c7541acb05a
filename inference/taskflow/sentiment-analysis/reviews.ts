/**
 * Labelled review files, as the sentiment recipe reads them: ChnSentiCorp's TSV (`label<TAB>text_a`) and
 * SophonPlus/ChineseNlpCorpus's CSVs (`label,review`; online_shopping_10_cats adds a leading `cat`). Labels are
 * `0` (negative) and `1` (positive) in all of them; the format is told by the header.
 */
import { readFileSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { DataError } from '../../../framework/errors.js';

/** A polarity as the review files write it: 0 negative, 1 positive. */
export type Polarity = 0 | 1;

/** One labelled review. */
export interface Review {
  readonly text: string;
  readonly label: Polarity;
  /** The file it came from, by name (`chnsenticorp_train`, `waimai_10k`, …). */
  readonly source: string;
  /** online_shopping_10_cats's product category. */
  readonly category?: string;
}

/**
 * A review's identity for deduplication and decontamination: NFKC (full-width → half-width), then no white space,
 * punctuation or symbols (a byte-order mark included), lower case. Two reviews with the same key are the same text,
 * however they were punctuated.
 * @example reviewKey(' 房间 很干净！\uFEFF OK。'); // → '房间很干净ok'
 */
export function reviewKey(text: string): string {
  return text
    .normalize('NFKC')
    .replace(/[\s\p{P}\p{S}\p{Cf}]+/gu, '')
    .toLowerCase();
}

/**
 * The source name of a file: its base name without extension.
 * @example sourceName('../shared/corpora/waimai_10k.csv'); // → 'waimai_10k'
 */
export function sourceName(file: string): string {
  return basename(file, extname(file));
}

/**
 * Fields of one CSV line (RFC 4180 quoting: `"a,b"` and `""` inside quotes); these files keep every record on one
 * line.
 * @example csvFields('1,"距离近,但是""蔡陆线""不对"'); // → ['1', '距离近,但是"蔡陆线"不对']
 */
export function csvFields(line: string): string[] {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"' && field === '') quoted = true;
    else if (c === ',') {
      fields.push(field);
      field = '';
    } else field += c;
  }
  fields.push(field);
  return fields;
}

/** Column positions of a header: `label`, the text, and (shopping) the category. */
interface Layout {
  readonly split: (line: string) => string[];
  readonly label: number;
  readonly text: number;
  readonly category?: number;
}

function layoutOf(file: string, header: string): Layout {
  const tsv = header.includes('\t');
  const names = (tsv ? header.split('\t') : csvFields(header)).map((n) => n.replace(/^\uFEFF/u, '').trim());
  const label = names.indexOf('label');
  const text = names.findIndex((n) => n === 'review' || n === 'text_a' || n === 'text');
  const category = names.indexOf('cat');
  if (label < 0 || text < 0)
    throw new DataError(
      `${file}:1: header '${header.slice(0, 80)}' names no label and review/text_a column; ` +
        'expected label<TAB>text_a, label,review or cat,label,review',
    );
  return {
    split: tsv ? (line) => line.split('\t') : csvFields,
    label,
    text,
    ...(category >= 0 ? { category } : {}),
  };
}

/**
 * Reads one review file (ChnSentiCorp TSV or a ChineseNlpCorpus CSV, told by its header). A label other than 0/1 or
 * a short row is a `DataError` naming the file and line.
 * @example
 * readReviews('../shared/corpora/waimai_10k.csv').length; // → 11,987
 * readReviews('../shared/sentiment/chnsenticorp_test.tsv')[0];
 * // → { text: '这个宾馆比较陈旧了，特价的房间也很一般。总体来说一般', label: 1, source: 'chnsenticorp_test' }
 */
export function readReviews(file: string): Review[] {
  const lines = readFileSync(file, 'utf8').split(/\r?\n/u);
  const layout = layoutOf(file, lines[0] ?? '');
  const source = sourceName(file);
  const reviews: Review[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === '') continue;
    const fields = layout.split(line);
    const label = fields[layout.label]?.trim();
    const text = fields[layout.text];
    if (text === undefined || (label !== '0' && label !== '1'))
      throw new DataError(
        `${file}:${i + 1}: expected a 0/1 label and a text, got label '${String(label)}'` +
          (text === undefined ? ' and no text column' : ''),
      );
    const category = layout.category === undefined ? undefined : fields[layout.category];
    reviews.push({
      text: text.replace(/^\uFEFF/u, ''),
      label: label === '1' ? 1 : 0,
      source,
      ...(category ? { category } : {}),
    });
  }
  return reviews;
}
