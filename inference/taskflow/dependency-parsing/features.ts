/**
 * Words → encoder feeds for the biaffine parser, the same in training (tfjs) and at run time (ONNX):
 * `[CLS] pieces of word 1 … pieces of word n [SEP]`; a word is represented by its first piece and the
 * root by `[CLS]`. `word_index` holds flat positions (row · width + token) into the encoder output.
 */
import { TaskInputError } from '../../../framework/errors.js';
import type { BertTokenizer } from '../../../framework/tokenizer/index.js';

/** One sentence as token ids and the token position of each node (0 = `[CLS]` = the root). */
export interface ParseRow {
  readonly ids: readonly number[];
  /** Length words + 1: `starts[0] = 0`, `starts[i]` = first piece of word i. */
  readonly starts: readonly number[];
  /** Tag id per node (root first; see word-tags.ts) when the parser reads tags. */
  readonly tagIds?: readonly number[];
}

/** A padded batch: encoder feeds [batch, width] and `word_index` [batch, nodes]. */
export interface ParseFeatureBatch {
  readonly size: number;
  readonly width: number;
  /** Nodes per row including the root (the longest sentence's words + 1). */
  readonly nodes: number;
  readonly feeds: Record<
    'input_ids' | 'token_type_ids' | 'position_ids' | 'attention_mask' | 'word_index',
    { data: Int32Array; dims: number[] }
  > & { tag_ids?: { data: Int32Array; dims: number[] } };
}

/**
 * Builds parser feeds.
 * @example
 * const f = new ParseFeaturizer(tokenizer, 128);
 * f.row(['百度', '是']).starts; // [0, 1, 3]
 * f.batch([f.row(['百度', '是'])]).feeds.word_index.dims; // [1, 3]
 */
export class ParseFeaturizer {
  constructor(
    readonly tokenizer: BertTokenizer,
    readonly maxTokens: number,
    readonly positionOffset = 0,
  ) {}

  /** Token ids of one word (at least one: `[UNK]` when the tokenizer keeps nothing). */
  pieces(word: string): number[] {
    const ids = this.tokenizer.encode(word).inputIds.slice(1, -1);
    return ids.length === 0 ? [this.tokenizer.unkId] : ids;
  }

  /** Tokens of a sentence, or undefined when it needs more than `maxTokens`. */
  tryRow(words: readonly string[], tagIds?: readonly number[]): ParseRow | undefined {
    if (tagIds && tagIds.length !== words.length + 1)
      throw new TaskInputError(
        `${tagIds.length} tag ids for ${words.length} words; expected ${words.length + 1} (the root first)`,
      );
    const ids = [this.tokenizer.clsId];
    const starts = [0];
    for (const w of words) {
      starts.push(ids.length);
      ids.push(...this.pieces(w));
      if (ids.length + 1 > this.maxTokens) return undefined;
    }
    ids.push(this.tokenizer.sepId);
    return tagIds ? { ids, starts, tagIds } : { ids, starts };
  }

  /** Tokens of a sentence; a `TaskInputError` when it is over the limit. */
  row(words: readonly string[], tagIds?: readonly number[]): ParseRow {
    const row = this.tryRow(words, tagIds);
    if (!row)
      throw new TaskInputError(
        `a sentence of ${words.length} words needs more than ${this.maxTokens} tokens, ` +
          "the parser's limit; split it first",
      );
    return row;
  }

  /** A padded batch of rows. */
  batch(rows: readonly ParseRow[]): ParseFeatureBatch {
    const size = rows.length;
    const width = Math.max(1, ...rows.map((r) => r.ids.length));
    const nodes = Math.max(1, ...rows.map((r) => r.starts.length));
    const grid = () => new Int32Array(size * width);
    const [ids, types, positions, mask] = [grid(), grid(), grid(), grid()];
    const index = new Int32Array(size * nodes);
    const tagged = rows.some((r) => r.tagIds);
    if (tagged && !rows.every((r) => r.tagIds)) throw new TaskInputError('a batch mixes rows with and without tag ids');
    const tags = new Int32Array(tagged ? size * nodes : 0); // padding nodes: the root's id 0
    ids.fill(this.tokenizer.padId);
    rows.forEach((r, b) => {
      ids.set(r.ids, b * width);
      for (let t = 0; t < width; t++) positions[b * width + t] = t + this.positionOffset;
      mask.fill(1, b * width, b * width + r.ids.length);
      r.starts.forEach((s, i) => {
        index[b * nodes + i] = b * width + s;
      });
      if (r.tagIds) tags.set(r.tagIds, b * nodes);
      for (let i = r.starts.length; i < nodes; i++) index[b * nodes + i] = b * width; // padding nodes read [CLS]
    });
    const dims = [size, width];
    return {
      size,
      width,
      nodes,
      feeds: {
        input_ids: { data: ids, dims },
        token_type_ids: { data: types, dims },
        position_ids: { data: positions, dims },
        attention_mask: { data: mask, dims },
        word_index: { data: index, dims: [size, nodes] },
        ...(tagged ? { tag_ids: { data: tags, dims: [size, nodes] } } : {}),
      },
    };
  }
}
