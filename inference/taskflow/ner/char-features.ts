/**
 * Character-level encoding for token-classification (NER) models: one token per character, so tag
 * `i` belongs to character `i` whatever the text holds (Latin words, digits, emoji). A character maps
 * to its vocabulary entry (lower-cased as the uncased BERT Chinese vocabulary expects), whitespace and
 * characters outside the vocabulary to `[UNK]`. Training and inference share this code.
 */
import type { BertTokenizer } from '../../../framework/tokenizer/index.js';

/**
 * The characters of a text (Unicode code points: offsets count them, as Python's do).
 * @example
 * textChars('CSOL生化'); // ['C', 'S', 'O', 'L', '生', '化']
 */
export function textChars(text: string): string[] {
  return Array.from(text);
}

/**
 * Vocabulary id of each character.
 * @example
 * charTokenIds(tokenizer, ['浙', 'A', ' ']); // [3851, 143, 100]
 */
export function charTokenIds(tokenizer: BertTokenizer, chars: readonly string[]): number[] {
  return chars.map((c) =>
    c.trim() === ''
      ? tokenizer.unkId
      : (tokenizer.tokenToId(c.toLowerCase()) ?? tokenizer.tokenToId(c) ?? tokenizer.unkId),
  );
}

/**
 * Character windows of at most `size` characters covering a text; long texts are cut after a
 * sentence end (。！？；!?;) where one falls in the window's second half, else at `size`.
 * @example
 * charWindows(['一', '。', '二', '三'], 3); // [{ start: 0, end: 2 }, { start: 2, end: 4 }]
 */
export function charWindows(chars: readonly string[], size: number): { start: number; end: number }[] {
  const out: { start: number; end: number }[] = [];
  let start = 0;
  while (start < chars.length || out.length === 0) {
    let end = Math.min(chars.length, start + size);
    if (end < chars.length) {
      for (let i = end - 1; i >= start + Math.floor(size / 2); i--) {
        if ('。！？；!?;'.includes(chars[i]!)) {
          end = i + 1;
          break;
        }
      }
    }
    out.push({ start, end });
    if (end >= chars.length) break;
    start = end;
  }
  return out;
}
