/**
 * Sequence packing: documents are appended to one token stream separated by [SEP], and the stream is
 * cut into chunks of `maxSeqLen − 2` tokens, each framed as [CLS] … [SEP]. No padding is ever needed,
 * so every position of every batch trains; a trailing partial chunk is dropped.
 */
import { ConfigError } from '../errors.js';

/**
 * A growable token stream with a word-start flag per token (1 = starts a word, for whole-word masking).
 * @example
 * const s = new TokenStream(3); // [SEP] id
 * s.append([5, 6], [1, 0]);
 * s.append([7], [1]);
 * s.tokens(); // → Int32Array [5, 6, 3, 7]
 */
export class TokenStream {
  private ids = new Int32Array(1 << 16);
  private starts = new Uint8Array(1 << 16);
  private documents = 0;
  length = 0;

  constructor(readonly sepId: number) {}

  /** Appends one document (a [SEP] first unless it is the first document). */
  append(ids: ArrayLike<number>, wordStart?: ArrayLike<number>): void {
    if (ids.length === 0) return;
    if (this.documents > 0) this.push(this.sepId, 1);
    for (let i = 0; i < ids.length; i++) this.push(ids[i]!, wordStart ? wordStart[i]! : 1);
    this.documents++;
  }

  /** Appends every document of `other` after this stream's (the two joined by a [SEP]). */
  appendStream(other: TokenStream): void {
    const ids = other.tokens();
    const starts = other.wordStarts();
    if (ids.length === 0) return;
    if (this.documents > 0) this.push(this.sepId, 1);
    for (let i = 0; i < ids.length; i++) this.push(ids[i]!, starts[i]!);
    this.documents += other.documents;
  }

  private push(id: number, start: number): void {
    if (this.length === this.ids.length) {
      const ids = new Int32Array(this.ids.length * 2);
      ids.set(this.ids);
      this.ids = ids;
      const starts = new Uint8Array(this.starts.length * 2);
      starts.set(this.starts);
      this.starts = starts;
    }
    this.ids[this.length] = id;
    this.starts[this.length] = start;
    this.length++;
  }

  /** Documents appended. */
  get documentCount(): number {
    return this.documents;
  }
  /** The token ids (a view of the used part). */
  tokens(): Int32Array {
    return this.ids.subarray(0, this.length);
  }
  /** The word-start flags (a view of the used part). */
  wordStarts(): Uint8Array {
    return this.starts.subarray(0, this.length);
  }
}

/**
 * Fixed-length chunks over a packed stream.
 * @example
 * const packed = new PackedCorpus(Int32Array.of(5, 6, 3, 7, 8, 9), undefined, 5, { cls: 2, sep: 3 });
 * packed.size;          // → 2 (chunks of 3 tokens)
 * packed.chunk(1).ids;  // → Int32Array [2, 7, 8, 9, 3]
 */
export class PackedCorpus {
  readonly chunkTokens: number;
  readonly size: number;

  constructor(
    readonly tokens: Int32Array,
    readonly wordStarts: Uint8Array | undefined,
    readonly maxSeqLen: number,
    readonly special: { cls: number; sep: number },
  ) {
    if (!Number.isInteger(maxSeqLen) || maxSeqLen < 3)
      throw new ConfigError(`max_seq_len must be an integer ≥ 3, got ${maxSeqLen}`);
    if (wordStarts && wordStarts.length !== tokens.length)
      throw new ConfigError(`word-start flags (${wordStarts.length}) do not match tokens (${tokens.length})`);
    this.chunkTokens = maxSeqLen - 2;
    this.size = Math.floor(tokens.length / this.chunkTokens);
  }

  /** Chunk `i` framed as [CLS] … [SEP], with word-start flags (the frame tokens count as word starts). */
  chunk(i: number): { ids: Int32Array; wordStart: Uint8Array } {
    if (!(i >= 0 && i < this.size)) throw new ConfigError(`chunk ${i} out of range [0, ${this.size})`);
    const from = i * this.chunkTokens;
    const ids = new Int32Array(this.maxSeqLen);
    const wordStart = new Uint8Array(this.maxSeqLen).fill(1);
    ids[0] = this.special.cls;
    ids.set(this.tokens.subarray(from, from + this.chunkTokens), 1);
    ids[this.maxSeqLen - 1] = this.special.sep;
    if (this.wordStarts) wordStart.set(this.wordStarts.subarray(from, from + this.chunkTokens), 1);
    return { ids, wordStart };
  }

  /** A hash of the token stream: a resumed run checks it sees the same data. */
  fingerprint(): string {
    let h = 0x811c9dc5;
    for (let i = 0; i < this.tokens.length; i++) h = Math.imul(h ^ this.tokens[i]!, 0x01000193);
    return `${this.tokens.length}:${(h >>> 0).toString(16)}`;
  }
}
