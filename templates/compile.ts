/**
 * The tokenizer half of template compilation (the contract at the top of `render.ts`): rendered
 * segments → `input_ids`, `token_type_ids`, `position_ids`, `attention_mask`, mask and soft
 * positions, with longest-first truncation of `truncate` segments only — PaddleNLP's
 * `MLMPromptTokenizer.__call__` plus `add_special_tokens`.
 */
import { ConfigError, TemplateSyntaxError } from '../framework/errors.js';
import type { BertTokenizer } from '../framework/tokenizer/index.js';
import type { CompiledBatch, CompiledExample } from './base.js';
import { OMASK_TOKEN } from './blocks.js';
import type { Segment } from './render.js';

/** One segment's tokens; `runs` are the token counts of its options (an options segment) or one run. */
interface Part {
  readonly seg: Segment;
  ids: number[];
  runs: number[];
}

/** Options of {@link compileSegments}. */
export interface CompileSegmentsOptions {
  readonly maxSeqLen: number;
  /** The template source, for error messages. */
  readonly source: string;
}

/**
 * Tokenize rendered segments, wrap them in `[CLS] … [SEP]`, truncate and assign ids.
 *
 * - `text`/`hard` → WordPiece tokens; `mask` → `[MASK]` ids; `soft` → `[UNK]` placeholders (P-Tuning
 *   replaces their embeddings) with `softIds` = the segment's soft ids − 1; `sep`/`cls` → their ids;
 *   `options` → per option `[O-MASK]` (when `add_omask`) then its tokens.
 * - Too long: one token at a time is cut from the end of the currently longest `truncate` segment
 *   (ties: the earlier one) until it fits. Masks, soft tokens, specials and prompt text are never cut;
 *   if the sequence cannot fit even with every truncatable segment empty, a `TemplateSyntaxError`
 *   names the template and the lengths.
 * - Token types: the segment's (sticky) `tokenType`; `[CLS]` 0, the final `[SEP]` that of the last segment.
 * - Positions: `[CLS]` 0, then +1 per token; a segment with `position` restarts there; each option of an
 *   `add_omask` options segment restarts at the segment's start and the next segment continues after the longest.
 *
 * @example
 * const tok = BertTokenizer.fromVocabFile('models/vocab/bert-base-chinese/vocab.txt');
 * const c = compileSegments(renderTemplate("{'text': 'a'}很{'mask'}", { a: '好' }), tok, { maxSeqLen: 16, source: '' });
 * c.inputIds;      // => [101, 1962, 2523, 103, 102]
 * c.maskPositions; // => [3]
 */
export function compileSegments(
  segments: readonly Segment[],
  tokenizer: BertTokenizer,
  options: CompileSegmentsOptions,
): CompiledExample {
  const { maxSeqLen, source } = options;
  if (!Number.isInteger(maxSeqLen) || maxSeqLen < 2) {
    throw new ConfigError(`maxSeqLen must be an integer >= 2 (room for [CLS] and [SEP]), got ${maxSeqLen}`);
  }
  const parts = segments.map((seg) => tokenizePart(seg, tokenizer, source));
  const truncated = truncate(parts, maxSeqLen, source);

  const out: CompiledExample = {
    inputIds: [tokenizer.clsId],
    tokenTypeIds: [0],
    positionIds: [0],
    attentionMask: [1],
    maskPositions: [],
    softPositions: [],
    softIds: [],
    truncated,
  };
  let position = 1;
  let tokenType: 0 | 1 = 0;
  for (const { seg, ids, runs } of parts) {
    if (seg.position !== null) position = seg.position;
    tokenType = seg.tokenType;
    const start = out.inputIds.length;
    out.inputIds.push(...ids);
    for (let i = 0; i < ids.length; i++) {
      out.tokenTypeIds.push(tokenType);
      out.attentionMask.push(1);
    }
    if (seg.kind === 'options' && seg.omask) {
      for (const run of runs) for (let i = 0; i < run; i++) out.positionIds.push(position + i);
      position += Math.max(0, ...runs);
    } else {
      for (let i = 0; i < ids.length; i++) out.positionIds.push(position++);
    }
    if (seg.kind === 'mask') for (let i = 0; i < ids.length; i++) out.maskPositions.push(start + i);
    if (seg.kind === 'soft') {
      seg.ids.forEach((id, i) => {
        out.softPositions.push(start + i);
        out.softIds.push(id - 1);
      });
    }
  }
  out.inputIds.push(tokenizer.sepId);
  out.tokenTypeIds.push(tokenType);
  out.positionIds.push(position);
  out.attentionMask.push(1);
  return out;
}

function tokenizePart(seg: Segment, tok: BertTokenizer, source: string): Part {
  const words = (text: string): number[] => tok.convertTokensToIds(tok.tokenize(text));
  const one = (ids: number[]): Part => ({ seg, ids, runs: [ids.length] });
  switch (seg.kind) {
    case 'text':
    case 'hard':
      return one(words((seg.addSpace ? ' ' : '') + seg.text));
    case 'mask':
      return one(new Array<number>(seg.count).fill(tok.maskId));
    case 'soft':
      return one(new Array<number>(seg.ids.length).fill(tok.unkId));
    case 'sep':
      return one([tok.sepId]);
    case 'cls':
      return one([tok.clsId]);
    case 'options': {
      const omaskId = seg.omask ? tok.tokenToId(OMASK_TOKEN) : undefined;
      if (seg.omask && omaskId === undefined) {
        throw new TemplateSyntaxError(
          `'add_omask' needs the token ${OMASK_TOKEN} in the vocabulary, which this tokenizer lacks`,
          seg.offset,
          source,
        );
      }
      const pieces = seg.options.map((o) => [...(omaskId === undefined ? [] : [omaskId]), ...words(o)]);
      return { seg, ids: pieces.flat(), runs: pieces.map((p) => p.length) };
    }
  }
}

/** Cut `truncate` parts longest-first until `[CLS] + parts + [SEP]` fits; returns what was cut. */
function truncate(parts: Part[], maxSeqLen: number, source: string): CompiledExample['truncated'] {
  const total = 2 + parts.reduce((n, p) => n + p.ids.length, 0);
  if (total <= maxSeqLen) return [];
  const cuttable = parts.filter((p) => p.seg.truncate);
  const fixed = total - cuttable.reduce((n, p) => n + p.ids.length, 0);
  if (fixed > maxSeqLen) {
    const kinds = parts
      .filter((p) => !p.seg.truncate && p.ids.length > 0)
      .map((p) => `${p.seg.kind}@${p.seg.offset}: ${p.ids.length}`);
    throw new TemplateSyntaxError(
      `template "${source}" does not fit maxSeqLen ${maxSeqLen}: it needs ${total} tokens, ` +
        'and even with every truncatable text ' +
        `segment emptied ${fixed} remain ([CLS] + [SEP] + ${kinds.join(', ')})`,
      0,
      source,
    );
  }
  const before = parts.map((p) => p.ids.length);
  let excess = total - maxSeqLen;
  while (excess > 0) {
    let longest = cuttable[0]!;
    for (const p of cuttable) if (p.ids.length > longest.ids.length) longest = p;
    // Cut the whole gap to the runner-up at once (same result as one token at a time, without the loop cost).
    const runnerUp = Math.max(0, ...cuttable.filter((p) => p !== longest).map((p) => p.ids.length));
    const cut = Math.min(excess, Math.max(1, longest.ids.length - runnerUp));
    cutEnd(longest, cut);
    excess -= cut;
  }
  return parts.flatMap((p, i) => {
    const removed = before[i]! - p.ids.length;
    if (removed === 0) return [];
    const field =
      p.seg.kind === 'text'
        ? p.seg.field
        : p.seg.kind === 'options' && p.seg.field !== undefined
          ? p.seg.field
          : `${p.seg.kind}@${p.seg.offset}`;
    return [{ field, block: p.seg.block, removedTokens: removed }];
  });
}

function cutEnd(part: Part, n: number): void {
  part.ids = part.ids.slice(0, part.ids.length - n);
  let left = n;
  for (let r = part.runs.length - 1; r >= 0 && left > 0; r--) {
    const take = Math.min(left, part.runs[r]!);
    part.runs[r] = part.runs[r]! - take;
    left -= take;
  }
}

/**
 * Pad compiled examples to the batch's longest: `inputIds` with `padId`, the other per-token arrays with 0.
 *
 * @example
 * collateCompiled([a, b], tok.padId).attentionMask; // => [[1, 1, 1, 1, 1], [1, 1, 1, 1, 0]]
 */
export function collateCompiled(examples: readonly CompiledExample[], padId: number): CompiledBatch {
  const width = Math.max(0, ...examples.map((e) => e.inputIds.length));
  const pad = (row: readonly number[], value: number): number[] => [
    ...row,
    ...new Array<number>(width - row.length).fill(value),
  ];
  return {
    inputIds: examples.map((e) => pad(e.inputIds, padId)),
    tokenTypeIds: examples.map((e) => pad(e.tokenTypeIds, 0)),
    positionIds: examples.map((e) => pad(e.positionIds, 0)),
    attentionMask: examples.map((e) => pad(e.attentionMask, 0)),
    maskPositions: examples.map((e) => [...e.maskPositions]),
    softPositions: examples.map((e) => [...e.softPositions]),
    softIds: examples.map((e) => [...e.softIds]),
  };
}
