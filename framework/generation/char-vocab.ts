import { readFileSync } from 'node:fs';
import { TokenizerError } from '../errors.js';

/** Special tokens every character vocabulary starts with, in this order (ids 0–3). */
export const CHAR_SPECIALS = ['[PAD]', '[UNK]', '[BOS]', '[EOS]'] as const;

/**
 * A character vocabulary (one token per Unicode character) for small generative models: `[PAD]`,
 * `[UNK]`, `[BOS]`, `[EOS]`, then one character per line as in `vocab.txt`.
 * @example
 * const vocab = new CharVocab(['[PAD]', '[UNK]', '[BOS]', '[EOS]', '山', '人']);
 * vocab.encode('山人水'); // → [4, 5, 1]
 * vocab.decode([4, 5, 3]); // → '山人' (specials dropped)
 */
export class CharVocab {
  readonly ids = new Map<string, number>();
  readonly pad = 0;
  readonly unk = 1;
  readonly bos = 2;
  readonly eos = 3;

  constructor(
    readonly tokens: readonly string[],
    source = 'vocabulary',
  ) {
    CHAR_SPECIALS.forEach((s, i) => {
      if (tokens[i] !== s)
        throw new TokenizerError(`${source}: line ${i + 1} must be ${s}, got ${JSON.stringify(tokens[i])}`);
    });
    tokens.forEach((t, i) => {
      if (i >= CHAR_SPECIALS.length && [...t].length !== 1)
        throw new TokenizerError(`${source}: line ${i + 1} holds ${JSON.stringify(t)}, expected one character`);
      if (this.ids.has(t)) throw new TokenizerError(`${source}: line ${i + 1} repeats ${JSON.stringify(t)}`);
      this.ids.set(t, i);
    });
  }

  /** Reads a `vocab.txt` (one token per line). */
  static fromFile(path: string): CharVocab {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch {
      throw new TokenizerError(`${path}: not found`);
    }
    return new CharVocab(text.replace(/\n$/, '').split('\n'), path);
  }

  get size(): number {
    return this.tokens.length;
  }

  /** Ids of each character (unknown ones → `[UNK]`). */
  encode(text: string): number[] {
    return [...text].map((ch) => this.ids.get(ch) ?? this.unk);
  }

  /** The characters of `ids`, special tokens dropped. */
  decode(ids: readonly number[]): string {
    return ids
      .filter((id) => id >= CHAR_SPECIALS.length)
      .map((id) => this.tokens[id] ?? '')
      .join('');
  }

  /** The ids of `text` that are unknown, as characters (to report what a model cannot read). */
  unknown(text: string): string[] {
    return [...text].filter((ch) => !this.ids.has(ch));
  }
}
