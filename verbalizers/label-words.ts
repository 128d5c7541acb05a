/**
 * Label words → token ids, validated at build time: every label needs a word, no word may be
 * `[UNK]`-tokenized, and (for mask verbalizers) each word must tokenize to exactly `numMasks` tokens,
 * because its k-th token is read at the k-th mask.
 */
import { VerbalizerError } from '../framework/errors.js';
import type { BertTokenizer } from '../framework/tokenizer/index.js';

/** Label → one word or several. */
export type LabelWords = Readonly<Record<string, string | readonly string[]>>;

/** One tokenized label word. */
export interface LabelWord {
  readonly label: number;
  readonly word: string;
  readonly ids: readonly number[];
}

/** Result of {@link tokenizeLabelWords}. */
export interface TokenizedLabelWords {
  readonly labels: string[];
  /** Every word of every label, label by label. */
  readonly words: LabelWord[];
  /** Unique token ids over all words, in first-appearance order. */
  readonly tokenIds: number[];
}

/**
 * Tokenize and check label words. `numMasks` undefined: any positive length (e.g. soft-head init).
 *
 * @example
 * tokenizeLabelWords({ 正面: ['好评'], 负面: '差评' }, tok, 2);
 * // => { labels: ['正面', '负面'], words: [{ label: 0, word: '好评', ids: [1962, 6397] }, …], tokenIds: [1962, 6397, 2345] }
 * tokenizeLabelWords({ 正面: ['好'] , 负面: ['差评'] }, tok, 1);
 * // throws VerbalizerError: label '负面': word '差评' tokenizes to 2 tokens (差 评), expected 1 (the template's mask count)
 */
export function tokenizeLabelWords(
  labelWords: LabelWords,
  tokenizer: BertTokenizer,
  numMasks?: number,
): TokenizedLabelWords {
  if (typeof labelWords !== 'object' || labelWords === null || Array.isArray(labelWords)) {
    throw new VerbalizerError(
      'labelWords must be an object mapping each label to its words, ' +
        `got ${Array.isArray(labelWords) ? 'an array' : typeof labelWords}`,
    );
  }
  if (numMasks !== undefined && (!Number.isInteger(numMasks) || numMasks < 1)) {
    throw new VerbalizerError(`numMasks must be a positive integer, got ${numMasks}`);
  }
  const labels = Object.keys(labelWords);
  if (labels.length < 2)
    throw new VerbalizerError(`a verbalizer needs at least 2 labels, got ${labels.length} (${labels.join(', ')})`);
  const seen = new Map<string, string>();
  const words: LabelWord[] = [];
  labels.forEach((label, l) => {
    const given = labelWords[label];
    const list = typeof given === 'string' ? [given] : given;
    if (!Array.isArray(list) || list.length === 0) throw new VerbalizerError(`label '${label}' has no words`);
    for (const word of list as readonly unknown[]) {
      if (typeof word !== 'string' || word.trim() === '')
        throw new VerbalizerError(
          `label '${label}': every word must be a non-empty string, got ${JSON.stringify(word)}`,
        );
      const other = seen.get(word);
      if (other !== undefined)
        throw new VerbalizerError(`duplicate label word '${word}': under label '${other}' and label '${label}'`);
      seen.set(word, label);
      const tokens = tokenizer.tokenize(word);
      const ids = tokenizer.convertTokensToIds(tokens);
      if (ids.includes(tokenizer.unkId)) {
        throw new VerbalizerError(
          `label '${label}': word '${word}' tokenizes to [UNK] (${tokens.join(' ')}); pick a word in the vocabulary`,
        );
      }
      if (numMasks !== undefined && ids.length !== numMasks) {
        throw new VerbalizerError(
          `label '${label}': word '${word}' tokenizes to ${ids.length} tokens (${tokens.join(' ')}), ` +
            `expected ${numMasks} (the template's mask count)`,
        );
      }
      words.push({ label: l, word, ids });
    }
  });
  const tokenIds = [...new Set(words.flatMap((w) => w.ids))];
  return { labels, words, tokenIds };
}
