/**
 * A typed builder for template blocks, for users who prefer code to strings, and
 * `toTemplateString`, which prints blocks back as a canonical PaddleNLP-style string.
 * `build()` prints the blocks and parses the result, so a built template is validated exactly
 * like a parsed one and its block offsets point into `source`.
 */
import type {
  BlockAttributes,
  BlockSpec,
  ClsBlock,
  HardBlock,
  MaskBlock,
  OptionsBlock,
  ParsedTemplate,
  SepBlock,
  SoftBlock,
  SoftEncoder,
  TextBlock,
} from './blocks.js';
import { parseTemplate, type ParseOptions } from './parser.js';

/** Attributes any block accepts: `addSpace`, `position`, `tokenType` (see {@link BlockAttributes}). */
export interface CommonOptions {
  readonly addSpace?: boolean;
  readonly position?: number;
  readonly tokenType?: 0 | 1;
}

/** Options of a `soft` block; see {@link SoftBlock}. */
export interface SoftOptions extends CommonOptions {
  readonly init?: string | null;
  readonly length?: number;
  readonly encoder?: SoftEncoder;
  readonly hiddenSize?: number;
  readonly softId?: number;
}

/** Options of an `options` block; see {@link OptionsBlock}. */
export interface OptionsOptions extends CommonOptions {
  readonly addPrompt?: string;
  readonly addOmask?: boolean;
  readonly truncate?: boolean;
  readonly length?: number;
}

function attrs(o: CommonOptions): BlockAttributes {
  return {
    addSpace: o.addSpace ?? false,
    ...(o.position === undefined ? {} : { position: o.position }),
    ...(o.tokenType === undefined ? {} : { tokenType: o.tokenType }),
  };
}

/**
 * `{'text': field}`: an example field, truncatable by default.
 *
 * @example
 * text('text_a'); // => { kind: 'text', field: 'text_a', truncate: true, addSpace: false }
 */
export function text(field: string, o: CommonOptions & { readonly truncate?: boolean } = {}): TextBlock {
  return { kind: 'text', field, truncate: o.truncate ?? true, ...attrs(o) };
}

/**
 * Fixed prompt text (`{'hard': ...}` or bare text).
 *
 * @example
 * hard('这是'); // => { kind: 'hard', text: '这是', truncate: false, addSpace: false }
 */
export function hard(value: string, o: CommonOptions & { readonly truncate?: boolean } = {}): HardBlock {
  return { kind: 'hard', text: value, truncate: o.truncate ?? false, ...attrs(o) };
}

/**
 * `length` consecutive `[MASK]` tokens.
 *
 * @example
 * mask(2); // => { kind: 'mask', length: 2, addSpace: false }
 */
export function mask(length: number | (CommonOptions & { readonly length?: number }) = 1): MaskBlock {
  const o = typeof length === 'number' ? { length } : length;
  return { kind: 'mask', length: o.length ?? 1, ...attrs(o) };
}

/**
 * Trainable soft tokens: `soft()` one random token, `soft('请判断')` initialised from text,
 * `soft({ length: 4, encoder: 'lstm' })`, `soft({ softId: 1 })` shared tokens.
 *
 * @example
 * soft({ length: 4, encoder: 'lstm' }); // => { kind: 'soft', init: null, length: 4, encoder: 'lstm', addSpace: false }
 */
export function soft(o: string | SoftOptions = {}): SoftBlock {
  const opts: SoftOptions = typeof o === 'string' ? { init: o } : o;
  const init = opts.init ?? null;
  return {
    kind: 'soft',
    init,
    length: opts.length ?? (init === null && opts.softId === undefined ? 1 : null),
    encoder: opts.encoder ?? 'none',
    ...(opts.hiddenSize === undefined ? {} : { hiddenSize: opts.hiddenSize }),
    ...(opts.softId === undefined ? {} : { softId: opts.softId }),
    ...attrs(opts),
  };
}

/**
 * The tokenizer's `[SEP]`.
 *
 * @example
 * sep({ tokenType: 1 }); // => { kind: 'sep', addSpace: false, tokenType: 1 }
 */
export function sep(o: CommonOptions = {}): SepBlock {
  return { kind: 'sep', ...attrs(o) };
}

/**
 * The tokenizer's `[CLS]`.
 *
 * @example
 * cls({ position: 0 }); // => { kind: 'cls', addSpace: false, position: 0 }
 */
export function cls(o: CommonOptions = {}): ClsBlock {
  return { kind: 'cls', ...attrs(o) };
}

/**
 * Candidate labels written into the input: a literal list or the name of an example field.
 *
 * @example
 * options('choices', { addOmask: true });
 * // => { kind: 'options', source: { from: 'field', field: 'choices' }, addOmask: true, truncate: false,
 * //      addSpace: false }
 */
export function options(source: string | readonly string[], o: OptionsOptions = {}): OptionsBlock {
  return {
    kind: 'options',
    source: typeof source === 'string' ? { from: 'field', field: source } : { from: 'list', values: [...source] },
    addOmask: o.addOmask ?? false,
    truncate: o.truncate ?? false,
    ...(o.addPrompt === undefined ? {} : { addPrompt: o.addPrompt }),
    ...(o.length === undefined ? {} : { length: o.length }),
    ...attrs(o),
  };
}

/**
 * Chainable builder; each method appends one block. Finish with `build()` (validated) or `toString()`.
 *
 * @example
 * template().text('text_a').hard('这是').mask(2).hard('的评论').toString();
 * // => "{'text': 'text_a'}这是{'mask': None, 'length': 2}的评论"
 */
export class TemplateBuilder {
  private readonly blocks: BlockSpec[];
  constructor(blocks: readonly BlockSpec[] = []) {
    this.blocks = [...blocks];
  }
  /** Append any blocks made by the block functions. */
  add(...blocks: readonly BlockSpec[]): this {
    this.blocks.push(...blocks);
    return this;
  }
  /** Append `{'text': field}`; see the `text()` function. */
  text(field: string, o?: CommonOptions & { readonly truncate?: boolean }): this {
    return this.add(text(field, o));
  }
  /** Append fixed prompt text; see the `hard()` function. */
  hard(value: string, o?: CommonOptions & { readonly truncate?: boolean }): this {
    return this.add(hard(value, o));
  }
  /** Append `[MASK]` slots; see the `mask()` function. */
  mask(length?: number | (CommonOptions & { readonly length?: number })): this {
    return this.add(mask(length));
  }
  /** Append soft tokens; see the `soft()` function. */
  soft(o?: string | SoftOptions): this {
    return this.add(soft(o));
  }
  /** Append `[SEP]`; see the `sep()` function. */
  sep(o?: CommonOptions): this {
    return this.add(sep(o));
  }
  /** Append `[CLS]`; see the `cls()` function. */
  cls(o?: CommonOptions): this {
    return this.add(cls(o));
  }
  /** Append candidate options; see the `options()` function. */
  options(source: string | readonly string[], o?: OptionsOptions): this {
    return this.add(options(source, o));
  }
  /** Print, re-parse and validate; the result's offsets point into its canonical `source`. */
  build(parseOptions?: ParseOptions): ParsedTemplate {
    return parseTemplate(this.toString(), parseOptions);
  }
  /** The canonical template string. */
  toString(): string {
    return toTemplateString(this.blocks);
  }
}

/**
 * Start a template; optionally seed it with blocks.
 *
 * @example
 * template(text('text_a'), hard('，'), mask()).build().source; // => "{'text': 'text_a'}，{'mask'}"
 */
export function template(...blocks: readonly BlockSpec[]): TemplateBuilder {
  return new TemplateBuilder(blocks);
}

/**
 * Print blocks as a canonical PaddleNLP-style string: single quotes, one `{...}` per block, hard
 * text bare where that parses back identically, defaults left out, attributes in a fixed order.
 * `parseTemplate(toTemplateString(blocks))` gives the same blocks (offsets aside).
 *
 * @example
 * toTemplateString([text('text_a'), sep({ tokenType: 1 }), text('text_b', { truncate: false })]);
 * // => "{'text': 'text_a'}{'sep': None, 'token_type': 1}{'text': 'text_b', 'truncate': False}"
 */
export function toTemplateString(blocks: readonly BlockSpec[]): string {
  let out = '';
  let previousBare = false;
  for (const b of blocks) {
    if (b.kind === 'hard' && !previousBare && canBeBare(b)) {
      out += b.text;
      previousBare = true;
    } else {
      out += printBlock(b);
      previousBare = false;
    }
  }
  return out;
}

/** Whether a hard block printed without braces parses back to the same block. */
function canBeBare(b: HardBlock): boolean {
  return (
    !b.addSpace &&
    !b.truncate &&
    b.position === undefined &&
    b.tokenType === undefined &&
    b.text !== '' &&
    !/[{}]/.test(b.text) &&
    !b.text.startsWith(' ') &&
    !b.text.endsWith(' ')
  );
}

function printBlock(b: BlockSpec): string {
  const e: [string, string][] = [];
  switch (b.kind) {
    case 'text':
      e.push(['text', quote(b.field)]);
      if (!b.truncate) e.push(['truncate', 'False']);
      break;
    case 'hard':
      e.push(['hard', quote(b.text)]);
      if (b.truncate) e.push(['truncate', 'True']);
      break;
    case 'mask':
      e.push(['mask', 'None']);
      if (b.length !== 1) e.push(['length', String(b.length)]);
      break;
    case 'sep':
    case 'cls':
      e.push([b.kind, 'None']);
      break;
    case 'soft':
      if (b.init !== null || b.softId === undefined) e.push(['soft', b.init === null ? 'None' : quote(b.init)]);
      if (b.softId !== undefined) e.push(['soft_id', String(b.softId)]);
      if (b.length !== null && !(b.init === null && b.length === 1)) e.push(['length', String(b.length)]);
      if (b.encoder !== 'none') e.push(['encoder', quote(b.encoder)]);
      if (b.hiddenSize !== undefined) e.push(['hidden_size', String(b.hiddenSize)]);
      break;
    case 'options':
      e.push([
        'options',
        b.source.from === 'field' ? quote(b.source.field) : `[${b.source.values.map(quote).join(', ')}]`,
      ]);
      if (b.addPrompt !== undefined) e.push(['add_prompt', quote(b.addPrompt)]);
      if (b.addOmask) e.push(['add_omask', 'True']);
      if (b.truncate) e.push(['truncate', 'True']);
      if (b.length !== undefined) e.push(['length', String(b.length)]);
      break;
  }
  if (b.position !== undefined) e.push(['position', String(b.position)]);
  if (b.tokenType !== undefined) e.push(['token_type', String(b.tokenType)]);
  if (b.addSpace) e.push(['add_space', 'True']);
  if (e.length === 1 && e[0]?.[1] === 'None') return `{'${e[0][0]}'}`;
  return `{${e.map(([k, v]) => `'${k}': ${v}`).join(', ')}}`;
}

/** Single-quoted Python string literal with the escapes `lexer.ts` reads back. */
function quote(s: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what gets escaped here
  const escaped = s.replace(/[\\'\n\r\t]|[\x00-\x1f\x7f]/g, (ch) => {
    switch (ch) {
      case '\\':
        return '\\\\';
      case "'":
        return "\\'";
      case '\n':
        return '\\n';
      case '\r':
        return '\\r';
      case '\t':
        return '\\t';
      default:
        return `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`;
    }
  });
  return `'${escaped}'`;
}
