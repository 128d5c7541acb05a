/**
 * Types of compiled prompts: what a template plus a tokenizer turn one example (or a batch) into,
 * the soft-token table P-Tuning trains, and the JSON config a template saves as.
 */
import type { SoftEncoder } from './blocks.js';

/**
 * The prompt-learning method family a template belongs to; the registry keys of `TEMPLATE_KINDS`.
 * `manual`: hard prompts only (PET, EFL); `soft`: at least one trainable soft token (P-Tuning).
 *
 * @example
 * const k: TemplateKind = 'soft';
 */
export type TemplateKind = 'manual' | 'soft';

/**
 * A template's saved form: the kind, the template string and the default `max_seq_len`.
 *
 * @example
 * const c: TemplateConfig = { type: 'manual', template: "{'text': 'text_a'}很{'mask'}。", maxSeqLen: 128 };
 */
export interface TemplateConfig {
  readonly type: TemplateKind;
  readonly template: string;
  readonly maxSeqLen?: number;
}

/**
 * One example after template compilation, unpadded. Index `i` of every per-token array is token `i`.
 *
 * @example
 * // "{'text': 'a'}很{'mask'}" on { a: '好' } with bert-base-chinese:
 * // inputIds [101, 1962, 2523, 103, 102], tokenTypeIds [0,0,0,0,0], positionIds [0,1,2,3,4],
 * // attentionMask [1,1,1,1,1], maskPositions [3], softPositions [], softIds [], truncated []
 */
export interface CompiledExample {
  readonly inputIds: number[];
  readonly tokenTypeIds: number[];
  /**
   * Position ids, 0-based (`[CLS]` is 0); a block's `position` attribute restarts the count. Add the model's
   * `positionOffset` yourself.
   */
  readonly positionIds: number[];
  readonly attentionMask: number[];
  /** Token index of every mask slot, in template order. */
  readonly maskPositions: number[];
  /** Token index of every soft slot, in template order. */
  readonly softPositions: number[];
  /** Row of the template's soft table for each soft slot (aligned with `softPositions`), 0-based. */
  readonly softIds: number[];
  /**
   * Text that truncation removed: one entry per cut segment (`field`
   * is the example field, or `hard@offset` / `options@offset`).
   */
  readonly truncated: { readonly field: string; readonly block: number; readonly removedTokens: number }[];
}

/**
 * A batch of compiled examples padded to its longest: `inputIds` with the pad id, the rest with 0.
 * Mask and soft arrays are per example (every example of one template has the same counts).
 *
 * @example
 * // collate([a, b], tok.padId).inputIds[1] => [101, 1962, 103, 102, 0]  (b padded to a's length 5)
 */
export interface CompiledBatch {
  readonly inputIds: number[][];
  readonly tokenTypeIds: number[][];
  readonly positionIds: number[][];
  readonly attentionMask: number[][];
  readonly maskPositions: number[][];
  readonly softPositions: number[][];
  readonly softIds: number[][];
}

/**
 * The trainable soft-token table of a template, as P-Tuning builds it: one row per distinct soft token.
 *
 * @example
 * // "{'soft': '请判断'}{'text': 'a'}{'soft': None, 'length': 2, 'encoder': 'lstm'}{'mask'}" with bert-base-chinese:
 * // { initTokenIds: [6435, 1161, 3171, -1, -1], encoder: 'lstm' }
 */
export interface SoftTable {
  /** Per soft id: the vocabulary id whose word embedding initialises that row, or -1 for random init. */
  readonly initTokenIds: number[];
  /** Reparameterisation of the soft embeddings; one per template (all soft blocks must agree). */
  readonly encoder: SoftEncoder;
  /** Encoder hidden size; absent = the PLM's hidden size. */
  readonly hiddenSize?: number;
}

/**
 * Options of `PromptTemplate.compile`.
 *
 * @example
 * template.compile({ text_a: '很好' }, tok, { maxSeqLen: 128 });
 */
export interface CompileOptions {
  /** Maximum tokens including `[CLS]` and the final `[SEP]`. */
  readonly maxSeqLen: number;
}
