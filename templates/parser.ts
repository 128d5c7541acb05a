/**
 * Template string → `TemplateBlock[]`, following PaddleNLP's `Template.parse_template_string` with a
 * real recursive-descent parser instead of its `eval`. Grammar:
 *
 *     template := (spaces? (block | bare))*
 *     block    := '{' entry (',' entry)* ','? '}'     entry := key (':' literal)?
 *     bare     := any characters up to the next '{'  (a hard block; trailing spaces dropped)
 *
 * A `{'mask'}`-style entry without a value is Python's set syntax and means the value `None`.
 * Spaces before a part set its `add_space`, as in PaddleNLP. Literals are read by `lexer.ts`.
 */
import type { ParsedTemplate, TemplateBlock } from './blocks.js';
import { Lexer, type Literal } from './lexer.js';
import { buildBlock, type Entry } from './block-rules.js';

/** Options for {@link parseTemplate}. */
export interface ParseOptions {
  /** Fail unless the template has a `{'mask'}` block (PET, P-Tuning); default false. */
  readonly requireMask?: boolean;
  /**
   * Fail unless the template reads at least one example field (`text`,
   * or `options` from a field), as PaddleNLP does; default false.
   */
  readonly requireText?: boolean;
}

/**
 * Parse a PaddleNLP-style template string.
 *
 * @example
 * parseTemplate("“{'text': 'text_a'}”这句话是{'mask'}面的。").blocks;
 * // => [ { kind: 'hard', text: '“', truncate: false, addSpace: false, offset: 0 },
 * //      { kind: 'text', field: 'text_a', truncate: true, addSpace: false, offset: 1 },
 * //      { kind: 'hard', text: '”这句话是', truncate: false, addSpace: false, offset: 19 },
 * //      { kind: 'mask', length: 1, addSpace: false, offset: 24 },
 * //      { kind: 'hard', text: '面的。', truncate: false, addSpace: false, offset: 32 } ]
 * parseTemplate("{'text': 'text_a'", {}); // throws TemplateSyntaxError: unclosed '{' … at offset 0
 */
export function parseTemplate(source: string, options: ParseOptions = {}): ParsedTemplate {
  const lx = new Lexer(source);
  const blocks: TemplateBlock[] = [];
  const softIds = new Map<number, number>();
  while (!lx.atEnd()) {
    const spaceStart = lx.pos;
    while (lx.peek() === ' ') lx.pos++;
    if (lx.atEnd()) break;
    const addSpace = lx.pos > spaceStart;
    const start = lx.pos;
    if (lx.peek() === '{') {
      const entries = readBlock(lx);
      blocks.push(buildBlock(entries, { offset: start, addSpace, softIds, lexer: lx }));
    } else if (lx.peek() === '}') {
      lx.fail("unmatched '}': write a literal brace as {'hard': '}'}");
    } else {
      while (!lx.atEnd() && lx.peek() !== '{' && lx.peek() !== '}') lx.pos++;
      const text = source.slice(start, lx.pos).replace(/ +$/, '');
      blocks.push({ kind: 'hard', text, truncate: false, addSpace, offset: start });
    }
  }
  if (options.requireMask === true && !blocks.some((b) => b.kind === 'mask')) {
    lx.fail("template has no {'mask'} block, but this method predicts at a mask", 0);
  }
  if (
    options.requireText === true &&
    !blocks.some((b) => b.kind === 'text' || (b.kind === 'options' && b.source.from === 'field'))
  ) {
    lx.fail("template reads no example field: add a {'text': 'text_a'} block", 0);
  }
  return { source, blocks };
}

/** Read one `{...}` block into its entries; the cursor is on `{` and ends after `}`. */
function readBlock(lx: Lexer): Entry[] {
  const open = lx.pos++;
  const entries: Entry[] = [];
  const unclosed = (): never => lx.fail("unclosed '{': no matching '}'", open);
  let style: 'set' | 'dict' | null = null;
  for (;;) {
    lx.skipWhitespace();
    if (lx.atEnd()) unclosed();
    if (lx.peek() === '}') {
      if (entries.length === 0) lx.fail("empty block '{}': expected a key such as 'text', 'mask' or 'soft'", open);
      break;
    }
    const keyStart = lx.pos;
    const ch = lx.peek();
    if (ch !== "'" && ch !== '"') {
      const word = /^[A-Za-z_]\w*/.exec(lx.source.slice(keyStart))?.[0];
      lx.fail(word !== undefined ? `key ${word} must be quoted: '${word}'` : `expected a quoted key, got '${ch}'`);
    }
    const key = lx.readString().value;
    const previous = entries.find((e) => e.key === key);
    if (previous !== undefined) lx.fail(`duplicate key '${key}' (first at offset ${previous.keyOffset})`, keyStart);
    lx.skipWhitespace();
    let value: Literal = { type: 'None', value: null, offset: keyStart };
    const thisStyle = lx.peek() === ':' ? 'dict' : 'set';
    if (style !== null && style !== thisStyle) {
      lx.fail(`mixed set and dict syntax: give every key a value, e.g. {'mask': None, 'length': 2}`, keyStart);
    }
    style = thisStyle;
    if (thisStyle === 'dict') {
      lx.pos++;
      lx.skipWhitespace();
      if (lx.atEnd()) unclosed();
      value = lx.readLiteral();
    }
    entries.push({ key, keyOffset: keyStart, value });
    lx.skipWhitespace();
    if (lx.atEnd()) unclosed();
    if (lx.peek() === ',') {
      lx.pos++;
    } else if (lx.peek() !== '}') {
      lx.fail(`expected ',' or '}' after '${key}', got '${lx.peek()}' (block opened at offset ${open})`);
    }
  }
  lx.pos++;
  return entries;
}
