/**
 * Texts → the int32 feeds of an exported graph, the same way training built them: PET compiles each
 * text through the bundle's template (mask positions included); fine-tuning encodes it with the
 * tokenizer as `[CLS] text [SEP]`. Batches are padded to their longest row.
 */
import { ConfigError } from '../../framework/errors.js';
import type { BertTokenizer } from '../../framework/tokenizer/index.js';
import type { PromptTemplate } from '../../templates/prompt-template.js';

/** A batch ready for `session.run`: name → [batch, width] int32 (mask_positions: [batch, masks]). */
export interface FeatureBatch {
  readonly size: number;
  readonly width: number;
  readonly feeds: Record<string, { data: Int32Array; dims: number[] }>;
}

/** An input example: one text, or a record of template fields. */
export type ClassifierInput = string | Readonly<Record<string, string>>;

/**
 * Builds feeds for one bundle.
 * @example
 * const f = new Featurizer(tokenizer, { maxSeqLen: 128, positionOffset: 0, textFields: ['sentence'], template });
 * f.batch(['很好用', '太差了']).feeds.input_ids.dims; // → [2, 16]
 */
export class Featurizer {
  constructor(
    readonly tokenizer: BertTokenizer,
    readonly options: {
      readonly maxSeqLen: number;
      readonly positionOffset: number;
      readonly textFields: readonly string[];
      readonly template?: PromptTemplate;
      /** P-Tuning bundles: soft slot k is fed as id `softTokenOffset + k` instead of its placeholder. */
      readonly softTokenOffset?: number;
      /** EFL bundles: each input becomes one row per text, put in `field` (the label descriptions). */
      readonly pairs?: { readonly field: string; readonly texts: readonly string[] };
    },
  ) {
    this.longestPair = options.pairs?.texts.reduce((a, b) => (b.length > a.length ? b : a), '');
  }

  /** EFL: the longest description, which decides whether an input fits (computed once, not per row). */
  private readonly longestPair: string | undefined;

  /** EFL: rows per input (1 otherwise). */
  get rowsPerInput(): number {
    return this.options.pairs?.texts.length ?? 1;
  }

  private fields(input: ClassifierInput): Record<string, string> {
    if (typeof input !== 'string') return { ...input };
    const field = this.options.textFields[0];
    if (field === undefined)
      throw new ConfigError('this bundle names no text field; pass records of its template fields');
    return { [field]: input };
  }

  /**
   * Token rows of one input, and how many tokens truncation removed (0 when it fits). EFL: the input paired
   * with its longest description, or with `pairText`.
   */
  row(
    input: ClassifierInput,
    pairText?: string,
  ): { ids: number[]; types: number[]; positions: number[]; masks: number[]; removed: number } {
    const { template, maxSeqLen, textFields, pairs } = this.options;
    if (template) {
      const fields = this.fields(input);
      if (pairs) fields[pairs.field] = pairText ?? this.longestPair ?? '';
      const c = template.compile(fields, this.tokenizer, { maxSeqLen });
      const offset = this.options.softTokenOffset;
      const ids = offset === undefined ? c.inputIds : [...c.inputIds];
      if (offset !== undefined)
        c.softPositions.forEach((p, k) => {
          ids[p] = offset + c.softIds[k]!;
        });
      return {
        ids,
        types: c.tokenTypeIds,
        positions: c.positionIds,
        masks: c.maskPositions,
        removed: c.truncated.reduce((n, t) => n + t.removedTokens, 0),
      };
    }
    const f = this.fields(input);
    const [a, b] = [
      f[textFields[0] ?? ''] ?? Object.values(f)[0] ?? '',
      textFields[1] === undefined ? undefined : f[textFields[1]],
    ];
    const full = this.tokenizer.encode(a, b === undefined ? {} : { pair: b });
    const enc =
      full.inputIds.length <= maxSeqLen
        ? full
        : this.tokenizer.encode(a, {
            maxLength: maxSeqLen,
            truncation: 'longest_first',
            ...(b === undefined ? {} : { pair: b }),
          });
    return {
      ids: enc.inputIds,
      types: enc.tokenTypeIds,
      positions: enc.inputIds.map((_, i) => i),
      masks: [],
      removed: full.inputIds.length - enc.inputIds.length,
    };
  }

  /** Whether an input fits the model without truncation. */
  fits(input: ClassifierInput): boolean {
    return this.row(input).removed === 0;
  }

  /** A padded batch. */
  batch(inputs: readonly ClassifierInput[]): FeatureBatch {
    const pairs = this.options.pairs;
    const rows = pairs ? inputs.flatMap((x) => pairs.texts.map((t) => this.row(x, t))) : inputs.map((x) => this.row(x));
    const width = Math.max(1, ...rows.map((r) => r.ids.length));
    const size = inputs.length;
    const grid = () => new Int32Array(rows.length * width);
    const [ids, types, positions, mask] = [grid(), grid(), grid(), grid()];
    ids.fill(this.tokenizer.padId);
    const off = this.options.positionOffset;
    rows.forEach((r, b) => {
      ids.set(r.ids, b * width);
      types.set(r.types, b * width);
      positions.set(
        r.positions.map((p) => p + off),
        b * width,
      );
      mask.fill(1, b * width, b * width + r.ids.length);
    });
    const dims = [rows.length, width];
    const feeds: FeatureBatch['feeds'] = {
      input_ids: { data: ids, dims },
      token_type_ids: { data: types, dims },
      position_ids: { data: positions, dims },
      attention_mask: { data: mask, dims },
    };
    if (this.options.template && this.options.template.numMasks > 0) {
      const m = rows[0]?.masks.length ?? 0;
      feeds['mask_positions'] = { data: Int32Array.from(rows.flatMap((r) => r.masks)), dims: [size, m] };
    }
    return { size, width, feeds };
  }
}
