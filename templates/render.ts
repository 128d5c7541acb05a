/**
 * Template + example → typed segments: the tokenizer-independent half of prompt compilation
 * (PaddleNLP's `Template.build_inputs_with_prompt` plus the per-part `do_truncate`, `token_types`,
 * `positions` and soft-token sequences it computes alongside).
 *
 * The tokenizer-dependent half (not here) turns segments into ids, and must:
 * 1. Map each segment to tokens: `text`/`hard` → `tokenize((addSpace ? ' ' : '') + text)`;
 *    `options` → for each option `[O-MASK]` (when `omask`) then its tokens; `mask` → `count` × maskId;
 *    `soft` → `ids.length` placeholder tokens (unkId) with `soft_token_ids` = `ids` (the first
 *    `initCount` rows are initialised from the word embeddings of `tokenize(init)`); `sep`/`cls` → sepId/clsId.
 * 2. Wrap in `[CLS] … [SEP]`. If longer than `max_seq_len`, shorten only segments with
 *    `truncate: true`, one token at a time from the end of the currently longest one (longest-first),
 *    never a mask, soft, sep/cls or prompt segment; if that is not enough, fail naming the budget.
 * 3. `token_type_ids` from each segment's `tokenType` (already made sticky here); position ids
 *    continue by one per token and restart at `position` where a segment has one; mask positions
 *    come from `mask` segments.
 * Segment boundaries survive all of this, so truncation and id assignment stay per segment.
 */
import { TemplateSyntaxError } from '../framework/errors.js';
import type { ParsedTemplate, SoftEncoder, TemplateBlock } from './blocks.js';
import { OMASK_TOKEN, OPT_TOKEN } from './blocks.js';
import { parseTemplate } from './parser.js';

/** Fields every segment has; `truncate` is true only where the compiler may cut tokens. */
export interface SegmentBase {
  /** Index of the source block in `template.blocks`. */
  readonly block: number;
  /** The block's character offset in the template source. */
  readonly offset: number;
  readonly addSpace: boolean;
  /** Token type id, resolved: a block's `token_type` holds for every later block until the next one. */
  readonly tokenType: 0 | 1;
  /** Position id this segment restarts from, or null to continue. */
  readonly position: number | null;
  readonly truncate: boolean;
}
/** An example field's text. */
export interface TextSegment extends SegmentBase {
  readonly kind: 'text';
  readonly field: string;
  readonly text: string;
}
/** Fixed prompt text. */
export interface HardSegment extends SegmentBase {
  readonly kind: 'hard';
  readonly text: string;
}
/** `count` mask slots. */
export interface MaskSegment extends SegmentBase {
  readonly kind: 'mask';
  readonly count: number;
  readonly truncate: false;
}
/** Soft tokens: `ids` index the soft-embedding table (0 is reserved for "not soft"). */
export interface SoftSegment extends SegmentBase {
  readonly kind: 'soft';
  readonly ids: readonly number[];
  readonly init: string | null;
  /** How many leading `ids` are initialised from `init`'s tokens; the rest are random. */
  readonly initCount: number;
  readonly encoder: SoftEncoder;
  readonly hiddenSize?: number;
  readonly softId?: number;
  readonly truncate: false;
}
/** `[SEP]` or `[CLS]`. */
export interface SpecialSegment extends SegmentBase {
  readonly kind: 'sep' | 'cls';
  readonly truncate: false;
}
/** Candidate options, after `add_prompt` substitution; `omask` puts `[O-MASK]` before each. */
export interface OptionsSegment extends SegmentBase {
  readonly kind: 'options';
  readonly options: readonly string[];
  readonly omask: boolean;
  /** The example field the options came from, if any. */
  readonly field?: string;
}
/** One rendered piece of a prompt. */
export type Segment = TextSegment | HardSegment | MaskSegment | SoftSegment | SpecialSegment | OptionsSegment;

/** Soft-token id assignment for a template: per block its ids (null if not soft), and the table size. */
export interface SoftLayout {
  readonly ids: readonly (readonly number[] | null)[];
  readonly initCounts: readonly number[];
  /** Rows of the soft-embedding table: 1 + the number of distinct soft tokens (PaddleNLP's `num_soft_token`). */
  readonly tableSize: number;
}

/**
 * Counts tokens of soft init text; the default counts characters,
 * which is what Chinese BERT tokenizers do for CJK text.
 */
export type TokenCounter = (text: string) => number;

const countChars: TokenCounter = (t) => Array.from(t.replace(/\s+/g, '')).length;

/**
 * Assign soft-token ids as PaddleNLP's `SoftTemplate.parse_soft_prompt` does: consecutive from 1
 * in block order; init text gets one id per token (more if `length` is larger); a block reusing a
 * `soft_id` gets the same ids as the block that defined it.
 *
 * @example
 * softTokenLayout(parseTemplate("{'soft': '请判断'}{'text': 'a'}{'soft': None, 'length': 2}"));
 * // => { ids: [[1, 2, 3], null, [4, 5]], initCounts: [3, 0, 0], tableSize: 6 }
 */
export function softTokenLayout(template: ParsedTemplate, countTokens: TokenCounter = countChars): SoftLayout {
  let next = 1;
  const shared = new Map<number, number[]>();
  const initCounts: number[] = [];
  const ids = template.blocks.map((b) => {
    initCounts.push(0);
    if (b.kind !== 'soft') return null;
    const reused = b.softId === undefined ? undefined : shared.get(b.softId);
    if (reused !== undefined) return reused;
    const n = b.init === null ? 0 : countTokens(b.init);
    if (b.init !== null && n === 0) {
      throw new TemplateSyntaxError(`soft init text '${b.init}' has no tokens`, b.offset, template.source);
    }
    initCounts[initCounts.length - 1] = n;
    const count = Math.max(n, b.length ?? 0);
    const mine = Array.from({ length: count }, (_, i) => next + i);
    next += count;
    if (b.softId !== undefined) shared.set(b.softId, mine);
    return mine;
  });
  return { ids, initCounts, tableSize: next };
}

/** Options for {@link renderTemplate}. */
export interface RenderOptions {
  /** Token counter for soft init text (pass the real tokenizer's); ignored when `layout` is given. */
  readonly countTokens?: TokenCounter;
  /** A precomputed {@link softTokenLayout}, to skip recomputing it per example. */
  readonly layout?: SoftLayout;
}

/**
 * Render one example through a template into typed segments.
 *
 * @example
 * renderTemplate("{'text': 'text_a'}这句话是{'mask'}面的", { text_a: '很好' }).map((s) => s.kind);
 * // => ['text', 'hard', 'mask', 'hard']   (the text segment: { text: '很好', field: 'text_a', truncate: true, … })
 * renderTemplate("{'text': 'text_b'}", { text_a: '很好' });
 * // throws TemplateSyntaxError: field 'text_b' is missing from the example (it has: text_a) at offset 0
 */
export function renderTemplate(
  template: ParsedTemplate | string,
  example: Readonly<Record<string, unknown>>,
  options: RenderOptions = {},
): Segment[] {
  const t = typeof template === 'string' ? parseTemplate(template) : template;
  const layout = options.layout ?? softTokenLayout(t, options.countTokens);
  let tokenType: 0 | 1 = 0;
  return t.blocks.map((b, i): Segment => {
    tokenType = b.tokenType ?? tokenType;
    const base = { block: i, offset: b.offset, addSpace: b.addSpace, tokenType, position: b.position ?? null };
    switch (b.kind) {
      case 'text':
        return { kind: 'text', field: b.field, text: fieldText(t, b, b.field, example), truncate: b.truncate, ...base };
      case 'hard':
        return { kind: 'hard', text: b.text, truncate: b.truncate, ...base };
      case 'mask':
        return { kind: 'mask', count: b.length, truncate: false, ...base };
      case 'sep':
      case 'cls':
        return { kind: b.kind, truncate: false, ...base };
      case 'soft':
        return {
          kind: 'soft',
          ids: layout.ids[i] ?? [],
          init: b.init,
          initCount: layout.initCounts[i] ?? 0,
          encoder: b.encoder,
          ...(b.hiddenSize === undefined ? {} : { hiddenSize: b.hiddenSize }),
          ...(b.softId === undefined ? {} : { softId: b.softId }),
          truncate: false,
          ...base,
        };
      case 'options': {
        const raw = b.source.from === 'list' ? b.source.values : optionValues(t, b, b.source.field, example);
        const prompt = b.addPrompt;
        const values = prompt === undefined ? raw : raw.map((x) => prompt.split(OPT_TOKEN).join(x));
        return {
          kind: 'options',
          options: values,
          omask: b.addOmask,
          truncate: b.truncate,
          ...(b.source.from === 'field' ? { field: b.source.field } : {}),
          ...base,
        };
      }
    }
  });
}

/**
 * Segments as one string, the way PaddleNLP's `build_inputs_with_prompt` joins them; for previews,
 * logs and tests. Soft slots print as `[SOFT]`.
 *
 * @example
 * segmentsToText(renderTemplate("{'text': 'a'}{'soft'}是{'mask': None, 'length': 2}", { a: '好' }));
 * // => '好[SOFT]是[MASK][MASK]'
 */
export function segmentsToText(segments: readonly Segment[]): string {
  return segments
    .map((s) => {
      const body = (() => {
        switch (s.kind) {
          case 'text':
          case 'hard':
            return s.text;
          case 'mask':
            return '[MASK]'.repeat(s.count);
          case 'soft':
            return '[SOFT]'.repeat(s.ids.length);
          case 'sep':
            return '[SEP]';
          case 'cls':
            return '[CLS]';
          case 'options':
            return s.options.map((o) => (s.omask ? OMASK_TOKEN + o : o)).join('');
        }
      })();
      return s.addSpace ? ` ${body}` : body;
    })
    .join('');
}

function lookup(
  t: ParsedTemplate,
  b: TemplateBlock,
  field: string,
  example: Readonly<Record<string, unknown>>,
): unknown {
  if (!Object.hasOwn(example, field) || example[field] === undefined) {
    const has = Object.keys(example);
    throw new TemplateSyntaxError(
      `field '${field}' is missing from the example (it has: ${has.length === 0 ? 'no fields' : has.join(', ')})`,
      b.offset,
      t.source,
    );
  }
  return example[field];
}

function fieldText(
  t: ParsedTemplate,
  b: TemplateBlock,
  field: string,
  example: Readonly<Record<string, unknown>>,
): string {
  const v = lookup(t, b, field, example);
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  throw new TemplateSyntaxError(`field '${field}' must be a string or number, got ${describe(v)}`, b.offset, t.source);
}

function optionValues(
  t: ParsedTemplate,
  b: TemplateBlock,
  field: string,
  example: Readonly<Record<string, unknown>>,
): readonly string[] {
  const v = lookup(t, b, field, example);
  if (typeof v === 'string') return [v];
  if (Array.isArray(v) && v.every((x): x is string => typeof x === 'string')) return v;
  throw new TemplateSyntaxError(
    `field '${field}' must hold the options (a string or string[]), got ${describe(v)}`,
    b.offset,
    t.source,
  );
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return `an array [${v.map((x) => typeof x).join(', ')}]`;
  return typeof v;
}
