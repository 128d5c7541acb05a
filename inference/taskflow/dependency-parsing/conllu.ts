/**
 * CoNLL-U reader (Universal Dependencies): sentences of words with their head and relation.
 * Multi-word token lines (`3-4`) and empty nodes (`5.1`) are skipped, as the basic dependency tree
 * has neither. Malformed lines throw a `DataError` naming the file, line and field.
 */
import { readFileSync } from 'node:fs';
import { DataError } from '../../../framework/errors.js';

/** One syntactic word. `head` is 1-based (0 = the root), as in the file. */
export interface ConlluWord {
  readonly form: string;
  readonly upos: string;
  readonly head: number;
  readonly deprel: string;
}

/** One sentence: its words and the `# sent_id` / `# text` comments when present. */
export interface ConlluSentence {
  readonly id: string;
  readonly text?: string;
  readonly words: readonly ConlluWord[];
}

/**
 * Parses CoNLL-U text.
 * @example
 * parseConllu('1\t百度\t_\tPROPN\tNNP\t_\t2\tnsubj\t_\t_\n2\t是\t_\tVERB\tVC\t_\t0\troot\t_\t_\n');
 * // [{ id: '1', words: [
 * //   { form: '百度', upos: 'PROPN', head: 2, deprel: 'nsubj' },
 * //   { form: '是', upos: 'VERB', head: 0, deprel: 'root' },
 * // ] }]
 */
export function parseConllu(text: string, source = 'CoNLL-U text'): ConlluSentence[] {
  const sentences: ConlluSentence[] = [];
  let words: ConlluWord[] = [];
  let id: string | undefined;
  let sentText: string | undefined;
  let firstLine = 0;
  const lines = text.split(/\r?\n/);
  const finish = (): void => {
    if (words.length === 0) return;
    words.forEach((w, i) => {
      if (w.head > words.length)
        throw new DataError(
          `${source}: sentence at line ${firstLine}: word ${i + 1} has HEAD ${w.head}, ` +
            `but the sentence has ${words.length} words`,
        );
    });
    if (!words.some((w) => w.head === 0))
      throw new DataError(`${source}: sentence at line ${firstLine}: no word has HEAD 0 (root)`);
    sentences.push({
      id: id ?? String(sentences.length + 1),
      ...(sentText === undefined ? {} : { text: sentText }),
      words,
    });
    words = [];
    id = undefined;
    sentText = undefined;
  };
  lines.forEach((raw, index) => {
    const lineNo = index + 1;
    const line = raw.trimEnd();
    if (line === '') {
      finish();
      return;
    }
    if (line.startsWith('#')) {
      const m = /^#\s*(sent_id|text)\s*=\s*(.*)$/.exec(line);
      if (m?.[1] === 'sent_id') id = m[2]!;
      else if (m?.[1] === 'text') sentText = m[2]!;
      return;
    }
    const cols = line.split('\t');
    if (cols.length !== 10)
      throw new DataError(`${source}:${lineNo}: expected 10 tab-separated fields, got ${cols.length}`);
    const [idField, form, , upos, , , head, deprel] = cols as [
      string,
      string,
      string,
      string,
      string,
      string,
      string,
      string,
    ];
    if (/^\d+-\d+$/.test(idField) || /^\d+\.\d+$/.test(idField)) return;
    if (!/^\d+$/.test(idField))
      throw new DataError(`${source}:${lineNo}: field ID is '${idField}', expected an integer, a range or a decimal`);
    if (words.length === 0) firstLine = lineNo;
    if (Number(idField) !== words.length + 1)
      throw new DataError(`${source}:${lineNo}: field ID is ${idField}, expected ${words.length + 1}`);
    if (!/^\d+$/.test(head)) throw new DataError(`${source}:${lineNo}: field HEAD is '${head}', expected an integer`);
    if (deprel === '' || deprel === '_') throw new DataError(`${source}:${lineNo}: field DEPREL is empty`);
    if (form === '') throw new DataError(`${source}:${lineNo}: field FORM is empty`);
    words.push({ form, upos, head: Number(head), deprel });
  });
  finish();
  return sentences;
}

/**
 * Reads a `.conllu` file.
 * @example
 * readConllu('../shared/ud/zh_gsdsimp-ud-dev.conllu').length; // 500
 */
export function readConllu(path: string): ConlluSentence[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new DataError(`${path}: cannot read (${(error as Error).message})`);
  }
  return parseConllu(text, path);
}
