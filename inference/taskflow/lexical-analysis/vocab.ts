/**
 * LAC's character vocabulary (`word.dic`: `id<TAB>char`) and tag set (`tag.dic`: `id<TAB>tag`),
 * with LAC's input normalisation (full-width → ASCII, capitals → lower case, CJK punctuation → the ASCII marks LAC
 * learnt), then unknown characters → `OOV`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CheckpointError } from '../../../framework/errors.js';

/**
 * LAC's character replacements beyond the full-width block, as its training applied them (its `q2b` table): CJK and
 * typographic punctuation → the ASCII mark LAC learnt (。→. 、→, 【】→[] 「」→' 『』→" …), CJK compatibility small
 * forms (U+FE50–FE6B) likewise. LAC's vocabulary also holds the unreplaced marks, but their rows were never trained:
 * passed through, 。 came out as a verb or a name.
 */
const LAC_REPLACEMENTS: Readonly<Record<string, string>> = {
  '\u3000': ' ',
  '、': ',',
  '。': '.',
  '—': '-',
  '‖': '|',
  '…': '.',
  '‘': "'",
  '’': "'",
  '“': '"',
  '”': '"',
  '〔': '(',
  '〕': ')',
  '〈': '<',
  '〉': '>',
  '「': "'",
  '」': "'",
  '『': '"',
  '』': '"',
  '〖': '[',
  '〗': ']',
  '【': '[',
  '】': ']',
  '∶': ':',
  '￣': '~',
  '〝': '"',
  '〞': '"',
  '﹐': ',',
  '﹑': ',',
  '﹒': '.',
  '﹔': ';',
  '﹕': ':',
  '﹖': '?',
  '﹗': '!',
  '﹙': '(',
  '﹚': ')',
  '﹛': '{',
  // LAC's table maps ﹜ to '{' as well (sic); the model learnt it so.
  '﹜': '{',
  '﹝': '[',
  '﹞': ']',
  '﹟': '#',
  '﹠': '&',
  '﹡': '*',
  '﹢': '+',
  '﹣': '-',
  '﹤': '<',
  '﹥': '>',
  '﹦': '=',
  '﹨': '\\',
  '﹩': '$',
  '﹪': '%',
  '﹫': '@',
};

/**
 * LAC's input normalisation of one character: full-width U+FF01–FF5E → ASCII, Latin capitals → lower case (LAC lower-
 * cases both widths), and the punctuation of {@link LAC_REPLACEMENTS}. Other characters are returned unchanged.
 * @example
 * lacNormalize('２'); // '2'
 * lacNormalize('。'); // '.'
 * lacNormalize('Ａ'); // 'a'
 */
export function lacNormalize(char: string): string {
  const code = char.charCodeAt(0);
  if (char.length === 1) {
    if (code >= 0x41 && code <= 0x5a) return String.fromCharCode(code + 0x20);
    if (code >= 0xff01 && code <= 0xff5e) return lacNormalize(String.fromCharCode(code - 0xfee0));
  }
  return LAC_REPLACEMENTS[char] ?? char;
}

/**
 * How characters reach LAC's vocabulary: `lac` (its training normalisation, the default), `width` (full-width
 * U+FF01–FF5E and U+3000 → ASCII only: the numpy reference's, and fewprompt's before it matched LAC), or `none`.
 */
export type LacNormalization = 'lac' | 'width' | 'none';

/** Full-width → ASCII only (the `width` normalisation). */
function widthOnly(char: string): string {
  const code = char.charCodeAt(0);
  if (code === 0x3000) return ' ';
  return code >= 0xff01 && code <= 0xff5e ? String.fromCharCode(code - 0xfee0) : char;
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
    if (!Number.isInteger(id) || id < 0)
      throw new CheckpointError(`${path}:${i + 1}: id '${parts[0]}' is not a non-negative integer`);
    out.set(id, parts[1]!);
  });
  return out;
}

/** Character → id mapping and tag names of one LAC model directory. */
export class LacVocab {
  private readonly ids: Map<string, number>;
  /** Id of the `OOV` entry, used for every character not in `word.dic`. */
  readonly oovId: number;

  private constructor(
    words: Map<number, string>,
    readonly tags: readonly string[],
  ) {
    this.ids = new Map([...words].map(([id, w]) => [w, id]));
    const oov = this.ids.get('OOV');
    if (oov === undefined) throw new CheckpointError("word.dic has no 'OOV' entry");
    this.oovId = oov;
  }

  /**
   * Reads `word.dic` and `tag.dic` from `dir`.
   * @example
   * const vocab = LacVocab.fromDir('inference/taskflow/lexical-analysis/model');
   * vocab.tags.length; // 57
   */
  static fromDir(dir: string): LacVocab {
    const tagMap = readDic(join(dir, 'tag.dic'));
    const tags: string[] = [];
    for (let i = 0; i < tagMap.size; i++) {
      const tag = tagMap.get(i);
      if (tag === undefined)
        throw new CheckpointError(`${join(dir, 'tag.dic')}: tag ids must be 0..${tagMap.size - 1}; ${i} is missing`);
      tags.push(tag);
    }
    return new LacVocab(readDic(join(dir, 'word.dic')), tags);
  }

  /**
   * Ids of the characters of `chars` after `normalization` ({@link lacNormalize} by default).
   * @example
   * vocab.encode(['三', '亚']); // Int32Array [ 170, 1402 ] (ids from word.dic)
   */
  encode(chars: readonly string[], normalization: LacNormalization = 'lac'): Int32Array {
    const out = new Int32Array(chars.length);
    for (let i = 0; i < chars.length; i++) {
      const char =
        normalization === 'lac'
          ? lacNormalize(chars[i]!)
          : normalization === 'width'
            ? widthOnly(chars[i]!)
            : chars[i]!;
      out[i] = this.ids.get(char) ?? this.oovId;
    }
    return out;
  }
}
