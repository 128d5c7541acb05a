/**
 * MSRA NER (SIGHAN 2006 bakeoff, three types: person, location, organisation) in the character-BIO layout
 * of `../shared/ner/msra_bio.zip`: one `character<TAB>tag` per line (`O`, `B-PER`, `I-LOC`, …), a blank
 * line between sentences; read from the text file or straight from a zip holding one. 2.3M characters in
 * 55k sentences, some of several hundred characters: {@link chunkExample} cuts those into model-sized pieces
 * without cutting an entity.
 */
import { readFileSync } from 'node:fs';
import { unzipSync } from 'fflate';
import { DataError } from '../../../framework/errors.js';
import type { EntitySpan, NerExample } from './cluener.js';

/** MSRA's three types, in a fixed order (the tag order of models trained on it). */
export const MSRA_TYPES = ['LOC', 'ORG', 'PER'] as const;

/**
 * Reads a character-BIO file (or the first `.txt` in a zip). A line that is not `char<TAB>tag` or an unknown
 * tag is a `DataError` naming the file and line; an `I-` that continues no entity of its type starts one.
 * @example
 * const msra = loadMsraBio('../shared/ner/msra_bio.zip');
 * msra.length;        // => 55289
 * msra[1].entities;   // e.g. [{ start: 8, end: 11, type: 'LOC' }]
 */
export function loadMsraBio(path: string): NerExample[] {
  let source: string;
  try {
    const bytes = readFileSync(path);
    if (path.endsWith('.zip')) {
      const entries = Object.entries(unzipSync(bytes)).filter(([name]) => name.endsWith('.txt'));
      if (entries.length === 0) throw new Error('the zip holds no .txt file');
      source = new TextDecoder().decode(entries[0]![1]);
      path = `${path}!${entries[0]![0]}`;
    } else {
      source = bytes.toString('utf8');
    }
  } catch (e) {
    throw new DataError(`cannot read ${path}: ${e instanceof Error ? e.message : String(e)}`);
  }
  const out: NerExample[] = [];
  let chars: string[] = [];
  let entities: EntitySpan[] = [];
  let open: { start: number; type: string } | undefined;
  const closeEntity = () => {
    if (open) entities.push({ start: open.start, end: chars.length, type: open.type });
    open = undefined;
  };
  const closeSentence = () => {
    closeEntity();
    if (chars.length > 0) out.push({ id: out.length, text: chars.join(''), entities });
    chars = [];
    entities = [];
  };
  const lines = source.split('\n');
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n]!.replace(/\r$/, '');
    if (line.trim() === '') {
      closeSentence();
      continue;
    }
    const tab = line.lastIndexOf('\t');
    const char = line.slice(0, tab);
    const tag = line.slice(tab + 1).trim();
    if (tab < 0 || [...char].length !== 1)
      throw new DataError(`${path}:${n + 1}: expected 'character<TAB>tag', got '${line}'`);
    if (tag === 'O') {
      closeEntity();
      chars.push(char);
      continue;
    }
    const [prefix, type] = [tag.slice(0, 2), tag.slice(2)];
    if ((prefix !== 'B-' && prefix !== 'I-') || !(MSRA_TYPES as readonly string[]).includes(type)) {
      throw new DataError(`${path}:${n + 1}: unknown tag '${tag}'; valid: O, B-/I- of ${MSRA_TYPES.join(', ')}`);
    }
    // An I- that continues no entity of its type starts one (17 times in MSRA, after a sentence break): the lenient
    // reading of BIO that tagIdsToSpans and seqeval use.
    if (prefix === 'B-' || open?.type !== type) {
      closeEntity();
      open = { start: chars.length, type };
    }
    chars.push(char);
  }
  closeSentence();
  return out;
}

/** Characters after which a piece may end (sentence and clause punctuation). */
const BREAK_AFTER = new Set(['。', '！', '？', '；', '，', '、', '：', '!', '?', ';', ',']);

/**
 * Cuts an example into pieces of at most `maxChars` characters, each ending after the last punctuation
 * mark that fits (else at the last position that cuts no entity, else at `maxChars`), with the entities
 * re-based; an entity longer than `maxChars` is dropped from its piece rather than cut.
 * @example
 * const entities = [{ start: 2, end: 4, type: 'LOC' }, { start: 7, end: 9, type: 'LOC' }];
 * chunkExample({ id: 0, text: '我在北京，你在上海。', entities }, 6);
 * // [{ text: '我在北京，', entities: [{ start: 2, end: 4, … }] },
 * //  { text: '你在上海。', entities: [{ start: 2, end: 4, … }] }]
 */
export function chunkExample(example: NerExample, maxChars: number): { text: string; entities: EntitySpan[] }[] {
  if (!Number.isInteger(maxChars) || maxChars < 1)
    throw new DataError(`chunkExample: maxChars must be a positive integer, got ${maxChars}`);
  const chars = [...example.text];
  const inside = (at: number) => example.entities.some((e) => e.start < at && at < e.end); // a cut at `at` splits e
  const pieces: { text: string; entities: EntitySpan[] }[] = [];
  let start = 0;
  while (start < chars.length) {
    let end = Math.min(chars.length, start + maxChars);
    if (end < chars.length) {
      let cut = -1;
      for (let at = end; at > start && cut < 0; at--) if (BREAK_AFTER.has(chars[at - 1]!) && !inside(at)) cut = at;
      for (let at = end; at > start && cut < 0; at--) if (!inside(at)) cut = at;
      if (cut > start) end = cut;
    }
    pieces.push({
      text: chars.slice(start, end).join(''),
      entities: example.entities
        .filter((e) => e.start >= start && e.end <= end)
        .map((e) => ({ ...e, start: e.start - start, end: e.end - start })),
    });
    start = end;
  }
  return pieces;
}
