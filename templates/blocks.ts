/**
 * The template DSL's data model: a template is a list of typed blocks, one per `{...}` part of a
 * PaddleNLP-style prompt string (bare text outside braces is a `hard` block). The parser
 * (`parser.ts`), the builder (`builder.ts`) and the renderer (`render.ts`) all speak these types.
 */

/** Attributes every block may carry (PaddleNLP's "通用属性": `position`, `token_type`, `add_space`). */
export interface BlockAttributes {
  /** `add_space`: prefix the rendered part with one space (set by whitespace before a part, as in PaddleNLP). */
  readonly addSpace: boolean;
  /** `position`: the position id this part starts from; absent = continue from the previous part. */
  readonly position?: number;
  /** `token_type`: the token type id of this part *and every later part* until the next `token_type`. */
  readonly tokenType?: 0 | 1;
}

/**
 * `{'text': 'text_a'}`: the example's field `field`; cut first when the input is too long (`truncate`, default true).
 */
export interface TextBlock extends BlockAttributes {
  readonly kind: 'text';
  readonly field: string;
  readonly truncate: boolean;
}

/** `{'hard': '这是'}` or bare text: fixed prompt words embedded with the PLM's own word embeddings. */
export interface HardBlock extends BlockAttributes {
  readonly kind: 'hard';
  readonly text: string;
  /** Hard text is never truncated unless `'truncate': True` says so. */
  readonly truncate: boolean;
}

/** `{'mask'}` (length 1) or `{'mask': None, 'length': n}`: `n` consecutive `[MASK]` tokens. */
export interface MaskBlock extends BlockAttributes {
  readonly kind: 'mask';
  readonly length: number;
}

/**
 * Encoder reparameterising soft-token embeddings (P-Tuning): none, a 2-layer BiLSTM + MLP, or an MLP.
 *
 * @example
 * // {'soft': None, 'length': 4, 'encoder': 'lstm'} => encoder: 'lstm';  {'soft'} => encoder: 'none'
 */
export type SoftEncoder = 'none' | 'lstm' | 'mlp';

/**
 * `{'soft'}`, `{'soft': '初始化文本'}`, `{'soft': None, 'length': 4, 'encoder': 'lstm', 'hidden_size': 128}`,
 * `{'soft_id': k}`: trainable continuous prompt tokens.
 *
 * - `init` text: one soft token per token of `init`, each initialised from that token's word embedding;
 *   a larger `length` appends randomly initialised tokens (a smaller one is ignored, as in PaddleNLP).
 * - `length: null` means "not fixed by this block": the token count of `init`, or the length of the
 *   earlier block that defined the same `softId` (a *reuse*, which shares that block's parameters).
 * - Without `init` and not a reuse, `length` defaults to 1.
 */
export interface SoftBlock extends BlockAttributes {
  readonly kind: 'soft';
  readonly init: string | null;
  readonly length: number | null;
  readonly encoder: SoftEncoder;
  /** Encoder hidden size; absent = the PLM's embedding size. */
  readonly hiddenSize?: number;
  /** Blocks with the same `softId` share soft tokens; the first one defines them. */
  readonly softId?: number;
}

/** `{'sep'}`: the tokenizer's `[SEP]`. */
export interface SepBlock extends BlockAttributes {
  readonly kind: 'sep';
}

/** `{'cls'}`: the tokenizer's `[CLS]` (PaddleNLP's UTC templates place it mid-sequence). */
export interface ClsBlock extends BlockAttributes {
  readonly kind: 'cls';
}

/**
 * Where an `options` block takes its candidates from: a literal list, or an example field.
 *
 * @example
 * // {'options': ['是', '否']} => { from: 'list', values: ['是', '否'] }
 * // {'options': 'choices'} => { from: 'field', field: 'choices' }
 */
export type OptionsSource =
  | { readonly from: 'list'; readonly values: readonly string[] }
  | { readonly from: 'field'; readonly field: string };

/**
 * `{'options': ['正确', '错误']}` or `{'options': 'choices'}`: candidate labels written into the input
 * (UniMC/UTC multiple choice, EFL). `add_prompt` wraps each with a prompt whose `[OPT]` marks the
 * label; `add_omask` prefixes each with `[O-MASK]`.
 */
export interface OptionsBlock extends BlockAttributes {
  readonly kind: 'options';
  readonly source: OptionsSource;
  readonly addPrompt?: string;
  readonly addOmask: boolean;
  readonly truncate: boolean;
  /** `length`: the maximum number of options the model was built for (PaddleNLP metadata). */
  readonly length?: number;
}

/**
 * A block without its position in a source string, as the builder creates it.
 *
 * @example
 * const b: BlockSpec = { kind: 'sep', addSpace: false, tokenType: 1 }; // prints as {'sep': None, 'token_type': 1}
 */
export type BlockSpec = TextBlock | HardBlock | MaskBlock | SoftBlock | SepBlock | ClsBlock | OptionsBlock;

/**
 * One parsed block; `offset` is the character offset of its `{` (or first character of bare text).
 *
 * @example
 * parseTemplate("好{'mask': None, 'length': 2}").blocks[1];
 * // => { kind: 'mask', length: 2, addSpace: false, offset: 1 }
 */
export type TemplateBlock = BlockSpec & { readonly offset: number };

/**
 * Every block kind, in the order the docs list them.
 *
 * @example
 * BLOCK_KINDS.includes('soft'); // => true
 */
export const BLOCK_KINDS = ['text', 'hard', 'mask', 'soft', 'sep', 'cls', 'options'] as const;

/**
 * A block kind name.
 *
 * @example
 * const k: BlockKind = 'mask';
 */
export type BlockKind = (typeof BLOCK_KINDS)[number];

/**
 * A parsed template: its blocks plus the source string their offsets point into (used by error
 * messages at render time). Built by `parseTemplate` or by `template()...build()`.
 *
 * @example
 * parseTemplate("{'text': 'a'}{'mask'}");
 * // => { source: "{'text': 'a'}{'mask'}", blocks: [ {kind: 'text', …, offset: 0}, {kind: 'mask', …, offset: 13} ] }
 */
export interface ParsedTemplate {
  readonly source: string;
  readonly blocks: readonly TemplateBlock[];
}

/**
 * The token PaddleNLP's `add_prompt` replaces with each option.
 *
 * @example
 * '这是[OPT]的'.split(OPT_TOKEN).join('好'); // => '这是好的'
 */
export const OPT_TOKEN = '[OPT]';

/**
 * The token PaddleNLP's `add_omask` puts before each option.
 *
 * @example
 * OMASK_TOKEN + '正向'; // => '[O-MASK]正向'
 */
export const OMASK_TOKEN = '[O-MASK]';
