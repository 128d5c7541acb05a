/**
 * Question + passage → encoder windows, the same in training (tfjs) and at run time (ONNX):
 * `[CLS] question [SEP] piece of the passage [SEP]`, the question first (token type 0) and the passage piece second
 * (type 1). A passage longer than one window is covered by overlapping windows that start every `docStride` passage
 * tokens (BERT's SQuAD recipe), so an answer shorter than the overlap lies whole in at least one of them; the reader
 * takes the best span over all of a question's windows (decode.ts). With `tokenTypes: 'match'` a passage token that
 * also occurs in the question gets a third token type (DrQA's exact-match feature): it tells a weak encoder where the
 * question's words are in the passage, which pretrained attention would otherwise have to find.
 */
import { ConfigError, TaskInputError } from '../../../framework/errors.js';
import type { BertTokenizer } from '../../../framework/tokenizer/index.js';

/** How passages are cut into windows (stored in the bundle: training and serving use the same). */
export interface QaWindowOptions {
  /** Tokens per window, `[CLS]` and both `[SEP]`s included. */
  readonly maxSeqLen: number;
  /** Passage tokens between the starts of consecutive windows (at most the passage room of a window). */
  readonly docStride: number;
  /** Question tokens kept (the rest is cut): a long question must not leave the passage no room. */
  readonly maxQuestionTokens: number;
  /**
   * `segment` (absent: the same): BERT's types, question 0 and passage 1; `match`: a passage token that occurs in the
   * question is type 2 (the encoder needs three token types).
   */
  readonly tokenTypes?: TokenTypes;
}

/** How windows fill `token_type_ids`. */
export const TOKEN_TYPES = ['segment', 'match'] as const;
/** A value of {@link TOKEN_TYPES}. */
export type TokenTypes = (typeof TOKEN_TYPES)[number];

/** Token types an encoder needs for windows of `options`. */
export function typesNeeded(options: QaWindowOptions): number {
  return options.tokenTypes === 'match' ? 3 : 2;
}

/** One window of one question over its passage. */
export interface QaWindow {
  /** `[CLS] question [SEP] passage piece [SEP]`. */
  readonly ids: readonly number[];
  /** Index in `ids` of the window's first passage token (the question's length + 2). */
  readonly contextStart: number;
  /** Per passage token of the window, its characters `[start, end)` in the passage (UTF-16 indices). */
  readonly offsets: readonly (readonly [number, number])[];
}

/** A padded batch of windows: the encoder's four int32 feeds, [size, width]. */
export interface QaFeatureBatch {
  readonly size: number;
  readonly width: number;
  readonly feeds: Record<
    'input_ids' | 'token_type_ids' | 'position_ids' | 'attention_mask',
    { data: Int32Array; dims: number[] }
  >;
}

/**
 * Checks window options against the encoder's positions; a ConfigError names the value that does not fit.
 * @example checkWindowOptions({ maxSeqLen: 256, docStride: 128, maxQuestionTokens: 64 }, 512); // passes
 */
export function checkWindowOptions(o: QaWindowOptions, maxPositions: number): void {
  for (const key of ['maxSeqLen', 'docStride', 'maxQuestionTokens'] as const)
    if (!Number.isInteger(o[key]) || o[key] < 1)
      throw new ConfigError(`${key} must be a positive integer, got ${o[key]}`);
  if (o.maxSeqLen > maxPositions)
    throw new ConfigError(`maxSeqLen ${o.maxSeqLen} exceeds the encoder's ${maxPositions} positions`);
  if (o.tokenTypes !== undefined && !TOKEN_TYPES.includes(o.tokenTypes))
    throw new ConfigError(`tokenTypes must be one of ${TOKEN_TYPES.join(', ')}; got '${String(o.tokenTypes)}'`);
  if (o.maxQuestionTokens > o.maxSeqLen - 4)
    throw new ConfigError(
      `maxQuestionTokens ${o.maxQuestionTokens} leaves no passage room in ${o.maxSeqLen}-token windows ` +
        `(at most ${o.maxSeqLen - 4})`,
    );
}

/**
 * Builds windows and feeds.
 * @example
 * const f = new QaFeaturizer(tokenizer, { maxSeqLen: 16, docStride: 4, maxQuestionTokens: 4 });
 * f.windows('谁？', '甲乙丙丁戊己庚辛壬癸子丑').map((w) => w.offsets[0]![0]); // → [0, 4] (11 passage tokens a window)
 */
export class QaFeaturizer {
  constructor(
    readonly tokenizer: BertTokenizer,
    readonly options: QaWindowOptions,
    readonly positionOffset = 0,
  ) {
    checkWindowOptions(options, Number.MAX_SAFE_INTEGER);
  }

  /** The windows of one question over one passage (one window, without passage tokens, for an empty passage). */
  windows(question: string, context: string): QaWindow[] {
    const { maxSeqLen, docStride, maxQuestionTokens } = this.options;
    const tok = this.tokenizer;
    const q = tok.encode(question, { addSpecialTokens: false }).inputIds.slice(0, maxQuestionTokens);
    const c = tok.encode(context, { addSpecialTokens: false });
    const room = maxSeqLen - q.length - 3;
    const step = Math.min(docStride, room);
    const head = [tok.clsId, ...q, tok.sepId];
    const out: QaWindow[] = [];
    for (let from = 0; ; from += step) {
      const to = Math.min(c.inputIds.length, from + room);
      out.push({
        ids: [...head, ...c.inputIds.slice(from, to), tok.sepId],
        contextStart: head.length,
        offsets: c.offsets.slice(from, to),
      });
      if (to >= c.inputIds.length) return out;
    }
  }

  /**
   * The answer's first and last token in a window (indices into `ids`), or undefined when the window does not hold
   * the whole answer (characters `[start, end)` of the passage).
   * @example f.answerTokens(window, 2, 4); // → [5, 6] with a two-token question
   */
  answerTokens(window: QaWindow, start: number, end: number): [number, number] | undefined {
    const o = window.offsets;
    if (o.length === 0 || end <= start || o[0]![0] > start || o[o.length - 1]![1] < end) return undefined;
    let first = 0;
    while (first < o.length && o[first]![1] <= start) first++;
    let last = o.length - 1;
    while (last >= 0 && o[last]![0] >= end) last--;
    if (first > last) return undefined; // the answer is only characters the tokenizer drops (spaces)
    return [window.contextStart + first, window.contextStart + last];
  }

  /**
   * A padded batch: types 0 up to the passage, 1 from it (2 on passage tokens found in the question with `match`);
   * positions from `positionOffset`.
   */
  batch(windows: readonly QaWindow[]): QaFeatureBatch {
    if (windows.length === 0) throw new TaskInputError('a batch needs at least one window');
    const size = windows.length;
    const width = Math.max(...windows.map((w) => w.ids.length));
    const grid = () => new Int32Array(size * width);
    const [ids, types, positions, mask] = [grid(), grid(), grid(), grid()];
    ids.fill(this.tokenizer.padId);
    windows.forEach((w, b) => {
      const row = b * width;
      ids.set(w.ids, row);
      types.fill(1, row + w.contextStart, row + w.ids.length);
      if (this.options.tokenTypes === 'match') {
        const asked = new Set(w.ids.slice(1, w.contextStart - 1));
        asked.delete(this.tokenizer.unkId);
        for (let t = w.contextStart; t < w.ids.length - 1; t++) if (asked.has(w.ids[t]!)) types[row + t] = 2;
      }
      mask.fill(1, row, row + w.ids.length);
      for (let t = 0; t < width; t++) positions[row + t] = t + this.positionOffset;
    });
    const dims = [size, width];
    return {
      size,
      width,
      feeds: {
        input_ids: { data: ids, dims },
        token_type_ids: { data: types, dims },
        position_ids: { data: positions, dims },
        attention_mask: { data: mask, dims },
      },
    };
  }
}
