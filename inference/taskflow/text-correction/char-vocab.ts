/**
 * Character-level ids for spelling correction: one token per code point, so token t is character t
 * of the text and a correction maps straight back to a position. (BERT's tokenizer would merge Latin
 * letters and digits into WordPieces and shift the positions.) Characters outside the vocabulary
 * are `[UNK]` and never corrected.
 */
import { readFileSync } from 'node:fs';
import { TokenizerError } from '../../../framework/errors.js';

/**
 * A `vocab.txt` token list used one character at a time.
 * @example
 * const v = new CharVocab(['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', '我', 'a']);
 * v.encode('我A你').ids; // → Int32Array [5, 6, 1] (ASCII lower-cased, unknown → [UNK])
 */
export class CharVocab {
  readonly pad: number;
  readonly unk: number;
  readonly cls: number;
  readonly sep: number;
  private readonly ids = new Map<string, number>();

  constructor(readonly tokens: readonly string[]) {
    tokens.forEach((t, i) => {
      if (!this.ids.has(t)) this.ids.set(t, i);
    });
    const need = (t: string): number => {
      const id = this.ids.get(t);
      if (id === undefined)
        throw new TokenizerError(`character vocabulary has no ${t} token (${tokens.length} entries)`);
      return id;
    };
    this.pad = need('[PAD]');
    this.unk = need('[UNK]');
    this.cls = need('[CLS]');
    this.sep = need('[SEP]');
  }

  /** Reads a `vocab.txt` (one token per line). */
  static read(file: string): CharVocab {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      throw new TokenizerError(`vocabulary file ${file} not found`);
    }
    const tokens = text.split(/\r?\n/);
    if (tokens[tokens.length - 1] === '') tokens.pop();
    return new CharVocab(tokens);
  }

  get size(): number {
    return this.tokens.length;
  }

  /** Id of one character (ASCII letters lower-cased as BERT's uncased vocabulary wants); `[UNK]` when absent. */
  id(ch: string): number {
    return this.ids.get(ch) ?? this.ids.get(ch.toLowerCase()) ?? this.unk;
  }

  /** Whether `ch` has its own id. */
  has(ch: string): boolean {
    return this.id(ch) !== this.unk;
  }

  /** The characters of `text` (code points) and their ids. */
  encode(text: string): { chars: string[]; ids: Int32Array } {
    const chars = Array.from(text);
    return { chars, ids: Int32Array.from(chars, (c) => this.id(c)) };
  }
}
