/**
 * `PromptTemplate`: a parsed template plus its method family (`manual` hard prompts for PET/EFL,
 * `soft` for P-Tuning), compiled per example with a tokenizer. One class serves both kinds — they
 * differ only in which blocks they accept — so the kind is a checked field, not a subclass.
 */
import { ConfigError, TemplateSyntaxError, UnknownKindError } from '../framework/errors.js';
import type { BertTokenizer } from '../framework/tokenizer/index.js';
import type {
  CompileOptions,
  CompiledBatch,
  CompiledExample,
  SoftTable,
  TemplateConfig,
  TemplateKind,
} from './base.js';
import type { ParsedTemplate, SoftEncoder } from './blocks.js';
import { collateCompiled, compileSegments } from './compile.js';
import { parseTemplate, type ParseOptions } from './parser.js';
import { renderTemplate, softTokenLayout, type Segment, type SoftLayout } from './render.js';

/**
 * Every template kind (the registry of method families); a config's `type` must be one of these.
 *
 * @example
 * TEMPLATE_KINDS; // => ['manual', 'soft']
 */
export const TEMPLATE_KINDS: readonly TemplateKind[] = ['manual', 'soft'];

/** Options of {@link PromptTemplate.fromString}. */
export interface PromptTemplateOptions extends ParseOptions {
  /** Method family; default `soft` when the template has a soft block, else `manual`. */
  readonly kind?: string;
  /** Default `maxSeqLen` for `compile`, saved in the config. */
  readonly maxSeqLen?: number;
  /** Tokenizer that resolves `softTable` (soft init text → token ids); `softTableFor(tok)` works without it. */
  readonly tokenizer?: BertTokenizer;
}

/**
 * A compiled-on-demand prompt template.
 *
 * @example
 * const tok = BertTokenizer.fromVocabFile('models/vocab/bert-base-chinese/vocab.txt');
 * const t = PromptTemplate.fromString("{'text': 'text_a'}这是一条{'mask': None, 'length': 2}评价。", { requireMask: true });
 * t.kind;     // => 'manual'
 * t.numMasks; // => 2
 * t.compile({ text_a: '很好' }, tok, { maxSeqLen: 32 }).maskPositions; // => [7, 8]
 */
export class PromptTemplate {
  readonly parsed: ParsedTemplate;
  readonly kind: TemplateKind;
  readonly maxSeqLen: number | undefined;
  private readonly tokenizer: BertTokenizer | undefined;
  private readonly layouts = new WeakMap<BertTokenizer, SoftLayout>();

  private constructor(
    parsed: ParsedTemplate,
    kind: TemplateKind,
    maxSeqLen: number | undefined,
    tokenizer: BertTokenizer | undefined,
  ) {
    this.parsed = parsed;
    this.kind = kind;
    this.maxSeqLen = maxSeqLen;
    this.tokenizer = tokenizer;
  }

  /**
   * Parse a PaddleNLP-style template string; throws `TemplateSyntaxError` with the offset on bad input,
   * `UnknownKindError` for an unknown `kind`, and `TemplateSyntaxError` when the blocks don't suit the kind.
   *
   * @example
   * PromptTemplate.fromString("{'mask'}{'soft'}{'text': 'sentence'}").kind; // => 'soft'
   * PromptTemplate.fromString("{'soft'}{'text': 'a'}", { kind: 'manual' });
   * // throws TemplateSyntaxError: a 'manual' template cannot have soft tokens …
   */
  static fromString(source: string, options: PromptTemplateOptions = {}): PromptTemplate {
    const parsed = parseTemplate(source, options);
    const softAt = parsed.blocks.find((b) => b.kind === 'soft')?.offset;
    const kind = options.kind ?? (softAt === undefined ? 'manual' : 'soft');
    if (!isKind(kind)) throw new UnknownKindError('template kind', kind, TEMPLATE_KINDS);
    if (kind === 'manual' && softAt !== undefined) {
      throw new TemplateSyntaxError(
        "a 'manual' template cannot have soft tokens; use kind 'soft' (P-Tuning)",
        softAt,
        source,
      );
    }
    if (kind === 'soft' && softAt === undefined) {
      throw new TemplateSyntaxError("a 'soft' template needs at least one {'soft'} block", 0, source);
    }
    const max = options.maxSeqLen;
    if (max !== undefined && (!Number.isInteger(max) || max < 2))
      throw new ConfigError(`maxSeqLen must be an integer >= 2, got ${max}`);
    return new PromptTemplate(parsed, kind, max, options.tokenizer);
  }

  /** The template string. */
  get source(): string {
    return this.parsed.source;
  }

  /**
   * Number of `[MASK]` tokens every compiled example has.
   *
   * @example
   * PromptTemplate.fromString("{'mask'}{'text': 'a'}{'mask': None, 'length': 2}").numMasks; // => 3
   */
  get numMasks(): number {
    return this.parsed.blocks.reduce((n, b) => n + (b.kind === 'mask' ? b.length : 0), 0);
  }

  /**
   * The soft table, resolved with the tokenizer given to `fromString` (use `softTableFor` otherwise).
   *
   * @example
   * PromptTemplate.fromString("{'soft': '请判断'}{'text': 'a'}{'mask'}", { tokenizer: tok }).softTable;
   * // => { initTokenIds: [6435, 1161, 3171], encoder: 'none' }
   */
  get softTable(): SoftTable {
    if (this.tokenizer === undefined) {
      throw new ConfigError(
        'softTable needs a tokenizer: pass { tokenizer } to PromptTemplate.fromString, or call softTableFor(tokenizer)',
      );
    }
    return this.softTableFor(this.tokenizer);
  }

  /**
   * The soft table for a tokenizer: per soft id the token id initialising it (-1: random), and the encoder.
   * One encoder serves all soft tokens: blocks may leave `encoder` unset, but two different encoders are an error.
   *
   * @example
   * PromptTemplate.fromString("{'soft': None, 'length': 2, 'encoder': 'lstm'}{'text': 'a'}{'mask'}").softTableFor(tok);
   * // => { initTokenIds: [-1, -1], encoder: 'lstm' }
   */
  softTableFor(tokenizer: BertTokenizer): SoftTable {
    const layout = this.layout(tokenizer);
    const initTokenIds = new Array<number>(layout.tableSize - 1).fill(-1);
    let encoder: SoftEncoder = 'none';
    let hiddenSize: number | undefined;
    let encoderAt = 0;
    this.parsed.blocks.forEach((b, i) => {
      if (b.kind !== 'soft') return;
      const ids = layout.ids[i] ?? [];
      const count = layout.initCounts[i] ?? 0;
      if (count > 0 && b.init !== null) {
        tokenizer.convertTokensToIds(tokenizer.tokenize(b.init)).forEach((tokenId, k) => {
          initTokenIds[ids[k]! - 1] = tokenId;
        });
      }
      if (b.encoder !== 'none') {
        if (encoder !== 'none' && encoder !== b.encoder) {
          throw new TemplateSyntaxError(
            `soft blocks use different encoders ('${encoder}' at offset ${encoderAt}, '${b.encoder}' here); ` +
              'one template has one encoder',
            b.offset,
            this.source,
          );
        }
        encoder = b.encoder;
        encoderAt = b.offset;
      }
      if (b.hiddenSize !== undefined) {
        if (hiddenSize !== undefined && hiddenSize !== b.hiddenSize) {
          throw new TemplateSyntaxError(
            `soft blocks set different hidden sizes (${hiddenSize} and ${b.hiddenSize})`,
            b.offset,
            this.source,
          );
        }
        hiddenSize = b.hiddenSize;
      }
    });
    return { initTokenIds, encoder, ...(hiddenSize === undefined ? {} : { hiddenSize }) };
  }

  /**
   * Render an example into typed segments (soft ids counted with this tokenizer).
   *
   * @example
   * PromptTemplate.fromString("{'text': 'a'}很{'mask'}").segments({ a: '好' }, tok).map((s) => s.kind);
   * // => ['text', 'hard', 'mask']
   */
  segments(example: Readonly<Record<string, unknown>>, tokenizer: BertTokenizer): Segment[] {
    return renderTemplate(this.parsed, example, { layout: this.layout(tokenizer) });
  }

  /**
   * Compile one example to ids (see `compileSegments` for the rules); `maxSeqLen` defaults to the template's.
   *
   * @example
   * PromptTemplate.fromString("{'text': 'a'}很{'mask'}").compile({ a: '好' }, tok, { maxSeqLen: 16 }).inputIds;
   * // => [101, 1962, 2523, 103, 102]
   */
  compile(
    example: Readonly<Record<string, unknown>>,
    tokenizer: BertTokenizer,
    options: Partial<CompileOptions> = {},
  ): CompiledExample {
    const maxSeqLen = options.maxSeqLen ?? this.maxSeqLen;
    if (maxSeqLen === undefined)
      throw new ConfigError('compile needs maxSeqLen: pass { maxSeqLen } or set it in the template config');
    return compileSegments(this.segments(example, tokenizer), tokenizer, { maxSeqLen, source: this.source });
  }

  /**
   * Pad compiled examples into a batch (see `collateCompiled`).
   *
   * @example
   * t.collate([t.compile(a, tok), t.compile(b, tok)], tok.padId).inputIds.length; // => 2
   */
  collate(examples: readonly CompiledExample[], padId: number): CompiledBatch {
    return collateCompiled(examples, padId);
  }

  /**
   * JSON-safe config; `PromptTemplate.fromConfig` inverts it.
   *
   * @example
   * PromptTemplate.fromString("{'text': 'a'}{'mask'}", { maxSeqLen: 64 }).getConfig();
   * // => { type: 'manual', template: "{'text': 'a'}{'mask'}", maxSeqLen: 64 }
   */
  getConfig(): TemplateConfig {
    return {
      type: this.kind,
      template: this.source,
      ...(this.maxSeqLen === undefined ? {} : { maxSeqLen: this.maxSeqLen }),
    };
  }

  /**
   * Rebuild from `getConfig()` output (optionally binding a tokenizer for `softTable`).
   *
   * @example
   * PromptTemplate.fromConfig({ type: 'soft', template: "{'soft'}{'text': 'a'}{'mask'}" }).kind; // => 'soft'
   */
  static fromConfig(
    config: { readonly type: string; readonly template: string; readonly maxSeqLen?: number },
    tokenizer?: BertTokenizer,
  ): PromptTemplate {
    if (typeof config.template !== 'string')
      throw new ConfigError(`template config needs a 'template' string, got ${typeof config.template}`);
    return PromptTemplate.fromString(config.template, {
      kind: config.type,
      ...(config.maxSeqLen === undefined ? {} : { maxSeqLen: config.maxSeqLen }),
      ...(tokenizer === undefined ? {} : { tokenizer }),
    });
  }

  private layout(tokenizer: BertTokenizer): SoftLayout {
    let layout = this.layouts.get(tokenizer);
    if (layout === undefined) {
      layout = softTokenLayout(this.parsed, (text) => tokenizer.tokenize(text).length);
      this.layouts.set(tokenizer, layout);
    }
    return layout;
  }
}

function isKind(kind: string): kind is TemplateKind {
  return (TEMPLATE_KINDS as readonly string[]).includes(kind);
}
