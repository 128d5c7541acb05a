/**
 * The tokenisation pretraining needs: BERT's uncased Chinese rules (every CJK character and every
 * punctuation mark is a token, other runs are WordPiece-split words), plus the start offset of each
 * token in the text so whole-word masking can map segmenter words onto tokens. Same ids as BERT's
 * tokenizer on Chinese text; kept small and offset-first because pretraining tokenises millions of characters.
 */
import { TokenizerError } from '../errors.js';

/** Ids of the special tokens. */
export interface SpecialIds {
  pad: number;
  unk: number;
  cls: number;
  sep: number;
  mask: number;
}

/** Token ids and, per token, the UTF-16 offset in the text where it starts. */
export interface TokenizedText {
  ids: number[];
  starts: number[];
}

/**
 * Is `cp` a CJK ideograph in BERT's sense (these are always split into single-character tokens)?
 * @example isCjk('中'.codePointAt(0)!) // → true
 */
export function isCjk(cp: number): boolean {
  return (
    (cp >= 0x4e00 && cp <= 0x9fff) ||
    (cp >= 0x3400 && cp <= 0x4dbf) ||
    (cp >= 0x20000 && cp <= 0x2a6df) ||
    (cp >= 0x2a700 && cp <= 0x2ceaf) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0x2f800 && cp <= 0x2fa1f)
  );
}

const PUNCT = /\p{P}/u;

function isPunct(cp: number, ch: string): boolean {
  if ((cp >= 33 && cp <= 47) || (cp >= 58 && cp <= 64) || (cp >= 91 && cp <= 96) || (cp >= 123 && cp <= 126))
    return true;
  return cp > 127 && PUNCT.test(ch);
}

/**
 * Char-level BERT tokenisation with offsets over a vocab.txt token list.
 * @example
 * const tok = new CharTokenizer(['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', '我', '爱', 'ip', '##hone', '！']);
 * tok.tokenize('我爱iPhone！'); // → { ids: [5, 6, 7, 8, 9], starts: [0, 1, 2, 4, 8] }
 */
export class CharTokenizer {
  readonly ids = new Map<string, number>();
  readonly special: SpecialIds;
  private readonly longest: number;

  constructor(readonly vocab: readonly string[]) {
    vocab.forEach((t, i) => {
      if (!this.ids.has(t)) this.ids.set(t, i);
    });
    const need = (t: string): number => {
      const id = this.ids.get(t);
      if (id === undefined) throw new TokenizerError(`vocabulary has no ${t} token (${vocab.length} entries)`);
      return id;
    };
    this.special = {
      pad: need('[PAD]'),
      unk: need('[UNK]'),
      cls: need('[CLS]'),
      sep: need('[SEP]'),
      mask: need('[MASK]'),
    };
    this.longest = Math.max(...vocab.map((t) => t.length));
  }

  /** Whether `id` is a bracketed special or unused token ([PAD], [unused1], …), never masked or sampled. */
  isSpecial(id: number): boolean {
    const t = this.vocab[id] ?? '';
    return t.length > 2 && t.startsWith('[') && t.endsWith(']');
  }

  /** Tokens of `text` with their start offsets. */
  tokenize(text: string): TokenizedText {
    const out: TokenizedText = { ids: [], starts: [] };
    let word = '';
    let wordStart = 0;
    const flush = (): void => {
      if (word !== '') this.wordPiece(word, wordStart, out);
      word = '';
    };
    for (let i = 0; i < text.length; ) {
      const cp = text.codePointAt(i)!;
      const ch = String.fromCodePoint(cp);
      if (/\s/.test(ch)) flush();
      else if (isCjk(cp) || isPunct(cp, ch)) {
        flush();
        out.ids.push(this.ids.get(ch) ?? this.special.unk);
        out.starts.push(i);
      } else {
        if (word === '') wordStart = i;
        word += ch;
      }
      i += ch.length;
    }
    flush();
    return out;
  }

  /** Greedy longest-match WordPiece over a lower-cased, accent-stripped word. */
  private wordPiece(raw: string, offset: number, out: TokenizedText): void {
    const word = raw
      .toLowerCase()
      .normalize('NFD')
      .replace(/\p{Mn}/gu, '');
    if (word.length > 100) {
      out.ids.push(this.special.unk);
      out.starts.push(offset);
      return;
    }
    const ids: number[] = [];
    const starts: number[] = [];
    for (let start = 0; start < word.length; ) {
      const prefix = start > 0 ? '##' : '';
      let end = Math.min(word.length, start + this.longest);
      let found = -1;
      for (; end > start; end--) {
        const id = this.ids.get(prefix + word.slice(start, end));
        if (id !== undefined) {
          found = id;
          break;
        }
      }
      if (found < 0) {
        out.ids.push(this.special.unk);
        out.starts.push(offset);
        return;
      }
      ids.push(found);
      starts.push(offset + Math.min(start, raw.length - 1));
      start = end;
    }
    out.ids.push(...ids);
    out.starts.push(...starts);
  }
}
