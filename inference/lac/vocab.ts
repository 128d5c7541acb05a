/**
 * LAC's character vocabulary (`word.dic`: `id<TAB>char`) and tag set (`tag.dic`: `id<TAB>tag`),
 * with LAC's input normalisation: full-width → half-width, then unknown characters → `OOV`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CheckpointError } from '../../framework/errors.js';

/**
 * Full-width → half-width as LAC's `q2b` step: U+FF01–U+FF5E → U+0021–U+007E and the ideographic
 * space U+3000 → U+0020. Other characters are returned unchanged.
 * @example
 * q2b('２'); // '2'
 */
export function q2b(char: string): string {
  const code = char.charCodeAt(0);
  if (code === 0x3000) return ' ';
  if (code >= 0xff01 && code <= 0xff5e) return String.fromCharCode(code - 0xfee0);
  return char;
}

function readDic(path: string): Map<number, string> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new CheckpointError(`cannot read ${path}: ${(error as Error).message}`);
  }
  const out = new Map<number, string>();
  text.split('\n').forEach((line, i) => {
    const parts = line.replace(/\r$/, '').split('\t');
    if (parts.length !== 2) return; // LAC's reader skips malformed lines the same way
    const id = Number(parts[0]);
    if (!Number.isInteger(id) || id < 0) throw new CheckpointError(`${path}:${i + 1}: id '${parts[0]}' is not a non-negative integer`);
    out.set(id, parts[1]!);
  });
  return out;
}

/** Character → id mapping and tag names of one LAC model directory. */
export class LacVocab {
  private readonly ids: Map<string, number>;
  /** Id of the `OOV` entry, used for every character not in `word.dic`. */
  readonly oovId: number;

  private constructor(words: Map<number, string>, readonly tags: readonly string[]) {
    this.ids = new Map([...words].map(([id, w]) => [w, id]));
    const oov = this.ids.get('OOV');
    if (oov === undefined) throw new CheckpointError("word.dic has no 'OOV' entry");
    this.oovId = oov;
  }

  /**
   * Reads `word.dic` and `tag.dic` from `dir`.
   * @example
   * const vocab = LacVocab.fromDir('inference/lac/model');
   * vocab.tags.length; // 57
   */
  static fromDir(dir: string): LacVocab {
    const tagMap = readDic(join(dir, 'tag.dic'));
    const tags: string[] = [];
    for (let i = 0; i < tagMap.size; i++) {
      const tag = tagMap.get(i);
      if (tag === undefined) throw new CheckpointError(`${join(dir, 'tag.dic')}: tag ids must be 0..${tagMap.size - 1}; ${i} is missing`);
      tags.push(tag);
    }
    return new LacVocab(readDic(join(dir, 'word.dic')), tags);
  }

  /**
   * Ids of the characters of `chars` after q2b normalisation.
   * @example
   * vocab.encode(['三', '亚']); // Int32Array [ 170, 1402 ] (ids from word.dic)
   */
  encode(chars: readonly string[]): Int32Array {
    const out = new Int32Array(chars.length);
    for (let i = 0; i < chars.length; i++) out[i] = this.ids.get(q2b(chars[i]!)) ?? this.oovId;
    return out;
  }
}
