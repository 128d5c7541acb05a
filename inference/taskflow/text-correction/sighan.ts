/**
 * SIGHAN Chinese spelling-correction data (SIGHAN 2013–15) in its two public layouts:
 * - SpellGCN's merged training files: `(id)\tsentence` lines (`*_input.txt`) and truth lines
 *   `id, pos, char[, pos, char…]` (`*_truth.txt`, 1-based positions, `id, 0` for a correct sentence);
 * - pycorrector's JSON: `[{id, original_text, wrong_ids, correct_text}]`.
 * Both become {@link CscPair}s: a source and a target of the same length in code points. The errors are
 * where the two differ (a truth entry whose character equals the source's is a script-conversion
 * artefact of the original data, not an error).
 */
import { readFileSync } from 'node:fs';
import { DataError } from '../../../framework/errors.js';

/** One sentence: `source` with spelling errors, `target` corrected; same length in code points. */
export interface CscPair {
  readonly id: string;
  readonly source: string;
  readonly target: string;
}

/**
 * Code-point positions where `source` and `target` differ.
 * @example errorPositions({ id: 'x', source: '我跟我朋唷去', target: '我跟我朋友去' }) // → [4]
 */
export function errorPositions(pair: CscPair): number[] {
  const s = Array.from(pair.source);
  const t = Array.from(pair.target);
  return s.flatMap((c, i) => (c === t[i] ? [] : [i]));
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new DataError(`cannot read ${file}: ${(error as Error).message}`);
  }
}

function lines(text: string): string[] {
  const out = text.split(/\r?\n/);
  if (out[out.length - 1] === '') out.pop();
  return out;
}

/**
 * Parses SpellGCN's input and truth files (contents given, names for messages).
 * @example
 * parseSighanTruth('(a)\t我看过不怕措折。\n', '(a), 6, 挫\n');
 * // → [{ id: '(a)', source: '我看过不怕措折。', target: '我看过不怕挫折。' }]
 */
export function parseSighanTruth(input: string, truth: string, inputName = 'input', truthName = 'truth'): CscPair[] {
  const sentences = new Map<string, { text: string; line: number }>();
  lines(input).forEach((line, i) => {
    const tab = line.indexOf('\t');
    if (tab < 1) throw new DataError(`${inputName}:${i + 1}: expected '(id)<TAB>sentence', got '${line.slice(0, 40)}'`);
    sentences.set(line.slice(0, tab), { text: line.slice(tab + 1), line: i + 1 });
  });
  const pairs: CscPair[] = [];
  lines(truth).forEach((line, i) => {
    const where = `${truthName}:${i + 1}`;
    const fields = line.split(',').map((f) => f.trim());
    const id = fields[0]!;
    const sentence = sentences.get(id);
    if (sentence === undefined) throw new DataError(`${where}: id '${id}' is not in ${inputName}`);
    const chars = Array.from(sentence.text);
    const rest = fields.slice(1);
    if (!(rest.length === 1 && rest[0] === '0') && (rest.length === 0 || rest.length % 2 !== 0)) {
      throw new DataError(`${where}: expected 'id, pos, char[, pos, char…]' or 'id, 0', got '${line}'`);
    }
    for (let k = 0; rest.length > 1 && k < rest.length; k += 2) {
      const pos = Number(rest[k]);
      const ch = rest[k + 1]!;
      if (!Number.isInteger(pos) || pos < 1 || pos > chars.length)
        throw new DataError(`${where}: position '${rest[k]}' is outside the sentence (1..${chars.length})`);
      if (Array.from(ch).length !== 1)
        throw new DataError(`${where}: correction '${ch}' at ${pos} is not one character`);
      chars[pos - 1] = ch;
    }
    pairs.push({ id, source: sentence.text, target: chars.join('') });
  });
  return pairs;
}

/**
 * SpellGCN's merged training files (`sighan13-15_train_input.txt`, `…_truth.txt`).
 * @example
 * readSighanTruthFiles('../shared/csc/sighan13-15_train_input.txt',
 * '../shared/csc/sighan13-15_train_truth.txt').length // → 10052
 */
export function readSighanTruthFiles(inputFile: string, truthFile: string): CscPair[] {
  return parseSighanTruth(readText(inputFile), readText(truthFile), inputFile, truthFile);
}

/**
 * Parses pycorrector's JSON list; `wrong_ids` is checked only for range (the data has a few that
 * disagree with the text difference, which is what counts).
 * @example parseSighanJson('[{"id":"a","original_text":"朋唷","wrong_ids":[1],"correct_text":"朋友"}]')
 * // → [{ id: 'a', source: '朋唷', target: '朋友' }]
 */
export function parseSighanJson(text: string, name = 'json'): CscPair[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new DataError(`${name}: not valid JSON (${(error as Error).message})`);
  }
  if (!Array.isArray(data)) throw new DataError(`${name}: expected a JSON array of {id, original_text, correct_text}`);
  return data.map((item: unknown, i) => {
    const rec = (item ?? {}) as Record<string, unknown>;
    const where = `${name}[${i}]`;
    const source = rec['original_text'];
    const target = rec['correct_text'];
    if (typeof source !== 'string')
      throw new DataError(`${where}.original_text: expected a string, got ${typeof source}`);
    if (typeof target !== 'string')
      throw new DataError(`${where}.correct_text: expected a string, got ${typeof target}`);
    if (Array.from(source).length !== Array.from(target).length) {
      throw new DataError(
        `${where}: original_text has ${Array.from(source).length} characters ` +
          `but correct_text ${Array.from(target).length}`,
      );
    }
    return { id: String(rec['id'] ?? i), source, target };
  });
}

/**
 * pycorrector's SIGHAN JSON (`sighan15_test.json`, 1,100 sentences, 550 with errors).
 * @example readSighanJson('../shared/csc/sighan15_test.json').length // → 1100
 */
export function readSighanJson(file: string): CscPair[] {
  return parseSighanJson(readText(file), file);
}
