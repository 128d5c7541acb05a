/**
 * `word_segmentation` mode `fast`: jieba's dictionary + HMM segmenter via `@node-rs/jieba` (its own
 * dictionary, same algorithm as Python jieba's default `cut(text, HMM=True)`).
 */
import { Jieba } from '@node-rs/jieba';
import { dict } from '@node-rs/jieba/dict.js';
import { UserDict } from './user-dict.js';

/** Frequency given to user-dictionary words so jieba prefers them (jieba's `suggest_freq` idea). */
const USER_WORD_FREQ = 1_000_000;

/**
 * A jieba segmenter with optional forced words (LAC user-dictionary format; each piece becomes a
 * jieba word, tags are ignored).
 * @example
 * new FastSegmenter().cut('三亚是一个美丽的城市'); // ['三亚', '是', '一个', '美丽', '的', '城市']
 */
export class FastSegmenter {
  private readonly jieba: Jieba;

  constructor(userDict?: string | readonly string[]) {
    this.jieba = Jieba.withDict(dict);
    if (userDict !== undefined) {
      const parsed = typeof userDict === 'string' ? UserDict.fromFile(userDict) : new UserDict(userDict);
      const words = parsed.items().flatMap((item) => {
        const chars = Array.from(item.phrase);
        return item.pieces.map((p, k) => chars.slice(k === 0 ? 0 : item.pieces[k - 1]!.end, p.end).join(''));
      });
      this.jieba.loadDict(Buffer.from(words.map((w) => `${w} ${USER_WORD_FREQ}`).join('\n') + '\n'));
    }
  }

  /** Words of `text`; whitespace is dropped, as in the LAC modes. */
  cut(text: string): string[] {
    return this.jieba.cut(text, true).flatMap((w) => (/^\s*$/u.test(w) ? [] : w.split(/\s+/u).filter((p) => p !== '')));
  }
}
