/**
 * Semantic half of the template parser: turns one block's key/value entries into a typed
 * `TemplateBlock`, checking keys, value types and conflicts the way PaddleNLP's `Template`
 * does (`template_special_tokens`, `template_attributes`, `_check_template_special_tokens`),
 * but with an error that names the key, the expected and actual value, and the offset.
 */
import type { BlockKind, SoftEncoder, TemplateBlock } from './blocks.js';
import { OPT_TOKEN } from './blocks.js';
import { describeLiteral, type Lexer, type Literal } from './lexer.js';

/** One `key: value` of a block; a set-style `{'mask'}` entry has the value `None`. */
export interface Entry {
  readonly key: string;
  readonly keyOffset: number;
  readonly value: Literal;
}

/** Keys that decide a block's kind (`soft_id` alone means `soft`). */
export const KIND_KEYS = ['text', 'hard', 'mask', 'soft', 'soft_id', 'sep', 'cls', 'options'] as const;
/** Keys that modify a block. */
export const ATTRIBUTE_KEYS = [
  'length',
  'encoder',
  'hidden_size',
  'position',
  'token_type',
  'truncate',
  'add_space',
  'add_prompt',
  'add_omask',
] as const;
/** Every key a block may contain. */
export const VALID_KEYS: readonly string[] = [...KIND_KEYS, ...ATTRIBUTE_KEYS];

const COMMON = ['position', 'token_type', 'add_space'];
const ALLOWED: Readonly<Record<BlockKind, readonly string[]>> = {
  text: ['text', 'truncate', ...COMMON],
  hard: ['hard', 'truncate', ...COMMON],
  mask: ['mask', 'length', ...COMMON],
  soft: ['soft', 'soft_id', 'length', 'encoder', 'hidden_size', ...COMMON],
  sep: ['sep', ...COMMON],
  cls: ['cls', ...COMMON],
  options: ['options', 'length', 'add_prompt', 'add_omask', 'truncate', ...COMMON],
};

/** Parser state a block needs: where it is, and which `soft_id`s earlier blocks defined (id → offset). */
export interface BlockContext {
  readonly offset: number;
  readonly addSpace: boolean;
  readonly softIds: Map<number, number>;
  readonly lexer: Lexer;
}

/**
 * Build and validate one block from its entries (the parser has already read `{...}`).
 *
 * @example
 * // for "{'mask': None, 'length': 2}":
 * buildBlock(entries, ctx); // => { kind: 'mask', length: 2, addSpace: false, offset: 0 }
 */
export function buildBlock(entries: readonly Entry[], ctx: BlockContext): TemplateBlock {
  const lx = ctx.lexer;
  for (const e of entries) {
    if (!VALID_KEYS.includes(e.key)) lx.fail(unknownKeyMessage(e.key), e.keyOffset);
  }
  const kindEntries = entries.filter((e) => (KIND_KEYS as readonly string[]).includes(e.key));
  if (kindEntries.length === 0) {
    lx.fail(`block has no kind key; expected one of ${KIND_KEYS.join(', ')}`, ctx.offset);
  }
  const kinds = kindEntries.map((e) => (e.key === 'soft_id' ? 'soft' : e.key));
  const kind = kinds[0] as BlockKind;
  const clash = kindEntries.find((_, i) => kinds[i] !== kind);
  if (clash !== undefined) {
    lx.fail(
      `conflicting keys '${kindEntries[0]?.key}' and '${clash.key}': a block is exactly one of ${KIND_KEYS.join(', ')}`,
      clash.keyOffset,
    );
  }
  for (const e of entries) {
    if (!ALLOWED[kind].includes(e.key)) {
      lx.fail(
        `key '${e.key}' does not apply to a '${kind}' block; valid keys there: ${ALLOWED[kind].join(', ')}`,
        e.keyOffset,
      );
    }
  }
  const get = (key: string): Entry | undefined => entries.find((e) => e.key === key);
  const v = new Values(lx, get);
  const position = v.int('position', 0, Infinity);
  const tokenType = v.int('token_type', 0, 1);
  const addSpaceEntry = get('add_space');
  const common = {
    addSpace: addSpaceEntry === undefined ? ctx.addSpace : v.flagOrText('add_space'),
    ...(position === undefined ? {} : { position }),
    ...(tokenType === undefined ? {} : { tokenType: tokenType === 1 ? (1 as const) : (0 as const) }),
    offset: ctx.offset,
  };
  switch (kind) {
    case 'text':
      return { kind, field: v.str('text', true), truncate: v.bool('truncate') ?? true, ...common };
    case 'hard':
      return { kind, text: v.str('hard', false), truncate: v.bool('truncate') ?? false, ...common };
    case 'mask':
      v.none('mask');
      return { kind, length: v.int('length', 1, Infinity) ?? 1, ...common };
    case 'sep':
    case 'cls':
      v.none(kind);
      return { kind, ...common };
    case 'options': {
      const opt = v.required('options');
      let source: { from: 'list'; values: string[] } | { from: 'field'; field: string };
      if (opt.value.type === 'str' && opt.value.value !== '') {
        source = { from: 'field', field: opt.value.value };
      } else if (
        opt.value.type === 'list' &&
        opt.value.value.length > 0 &&
        opt.value.value.every((x) => x.type === 'str')
      ) {
        source = { from: 'list', values: opt.value.value.map((x) => String(x.value)) };
      } else {
        return v.bad(opt, 'a field name or a non-empty list of strings');
      }
      const addPrompt = v.optStr('add_prompt');
      if (addPrompt !== undefined && !addPrompt.includes(OPT_TOKEN)) {
        lx.fail(
          `'add_prompt' must contain ${OPT_TOKEN} where each option goes, got '${addPrompt}'`,
          get('add_prompt')?.value.offset,
        );
      }
      const length = v.int('length', 1, Infinity);
      return {
        kind,
        source,
        addOmask: v.bool('add_omask') ?? false,
        truncate: v.bool('truncate') ?? false,
        ...(addPrompt === undefined ? {} : { addPrompt }),
        ...(length === undefined ? {} : { length }),
        ...common,
      };
    }
    case 'soft':
      return buildSoft(v, get, ctx, common);
  }
}

function buildSoft(
  v: Values,
  get: (key: string) => Entry | undefined,
  ctx: BlockContext,
  common: { addSpace: boolean; position?: number; tokenType?: 0 | 1; offset: number },
): TemplateBlock {
  const softEntry = get('soft');
  const init = softEntry === undefined ? null : v.strOrNone('soft');
  const softId = v.int('soft_id', 0, Infinity);
  const given = v.int('length', 1, Infinity);
  const enc = get('encoder');
  let encoder: SoftEncoder = 'none';
  if (enc !== undefined && enc.value.type !== 'None') {
    if (enc.value.type !== 'str' || (enc.value.value !== 'lstm' && enc.value.value !== 'mlp')) {
      return v.bad(enc, "'lstm', 'mlp' or None");
    }
    encoder = enc.value.value;
  }
  const hiddenSize = v.int('hidden_size', 1, Infinity);
  let length: number | null = given ?? (init === null ? 1 : null);
  if (softId !== undefined) {
    const definedAt = ctx.softIds.get(softId);
    if (definedAt === undefined) {
      ctx.softIds.set(softId, ctx.offset);
    } else {
      const idEntry = get('soft_id');
      const offset = idEntry === undefined ? ctx.offset : idEntry.keyOffset;
      if (init !== null) {
        ctx.lexer.fail(
          `conflicting keys 'soft' and 'soft_id': soft_id ${softId} is already defined at offset ${definedAt}, ` +
            'so this block reuses its tokens and cannot set init text',
          offset,
        );
      }
      if (given !== undefined) {
        ctx.lexer.fail(
          `conflicting keys 'length' and 'soft_id': soft_id ${softId} is already defined at offset ${definedAt} ` +
            "and keeps that block's length",
          get('length')?.keyOffset ?? offset,
        );
      }
      length = null;
    }
  }
  return {
    kind: 'soft',
    init,
    length,
    encoder,
    ...(hiddenSize === undefined ? {} : { hiddenSize }),
    ...(softId === undefined ? {} : { softId }),
    ...common,
  };
}

/** Typed readers for a block's values; each failure names the key, the expectation and the actual value. */
class Values {
  constructor(
    private readonly lx: Lexer,
    private readonly get: (key: string) => Entry | undefined,
  ) {}

  bad(e: Entry, expected: string): never {
    return this.lx.fail(`key '${e.key}' expects ${expected}, got ${describeLiteral(e.value)}`, e.value.offset);
  }

  required(key: string): Entry {
    const e = this.get(key);
    return e === undefined ? this.lx.fail(`missing key '${key}'`) : e;
  }

  str(key: string, nonEmpty: boolean): string {
    const e = this.required(key);
    if (e.value.type !== 'str' || (nonEmpty && e.value.value === ''))
      return this.bad(e, nonEmpty ? 'a non-empty string' : 'a string');
    return e.value.value;
  }

  optStr(key: string): string | undefined {
    return this.get(key) === undefined ? undefined : this.str(key, true);
  }

  strOrNone(key: string): string | null {
    const e = this.required(key);
    if (e.value.type === 'None') return null;
    if (e.value.type !== 'str' || e.value.value === '') return this.bad(e, 'init text (a non-empty string) or None');
    return e.value.value;
  }

  none(key: string): void {
    const e = this.required(key);
    if (e.value.type !== 'None') this.bad(e, `None (write {'${key}'} or {'${key}': None})`);
  }

  bool(key: string): boolean | undefined {
    const e = this.get(key);
    if (e === undefined) return undefined;
    return e.value.type === 'bool' ? e.value.value : this.bad(e, 'True or False');
  }

  /** `add_space`: True/False, or PaddleNLP's internal string form (non-empty = true). */
  flagOrText(key: string): boolean {
    const e = this.required(key);
    if (e.value.type === 'bool') return e.value.value;
    return e.value.type === 'str' ? e.value.value !== '' : this.bad(e, 'True or False');
  }

  int(key: string, min: number, max: number): number | undefined {
    const e = this.get(key);
    if (e === undefined) return undefined;
    const range = max === 1 ? `0 or 1` : min === 0 ? 'an int >= 0' : 'a positive int';
    if (e.value.type !== 'int' || e.value.value < min || e.value.value > max) return this.bad(e, range);
    return e.value.value;
  }
}

/** "unknown key 'x'; valid keys: …", plus a did-you-mean for near misses like `truncation`. */
function unknownKeyMessage(key: string): string {
  const near = VALID_KEYS.map((k) => ({ k, d: editDistance(key, k) }))
    .filter(({ k, d }) => d <= Math.max(1, Math.floor(Math.max(k.length, key.length) / 3)))
    .sort((a, b) => a.d - b.d)[0];
  const hint =
    key === 'prefix'
      ? " ('prefix' / prefix tuning is not supported)"
      : near !== undefined
        ? ` (did you mean '${near.k}'?)`
        : '';
  return `unknown key '${key}'${hint}; valid keys: ${VALID_KEYS.join(', ')}`;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row.push(
        Math.min((prev[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1)),
      );
    }
    prev = row;
  }
  return prev[b.length] ?? 0;
}
