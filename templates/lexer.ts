/**
 * Character-level half of the template parser: a recursive-descent reader for the Python-literal
 * subset PaddleNLP templates use inside `{...}` — quoted strings (both quote styles, backslash
 * escapes), `None`/`null`, ints, floats, `True`/`False`/`true`/`false`, and lists of those.
 * Never `eval`s anything; every error is a `TemplateSyntaxError` carrying the character offset.
 */
import { TemplateSyntaxError } from '../framework/errors.js';

/** A literal read from a template, tagged with its Python type and the offset it starts at. */
export type Literal =
  | { readonly type: 'str'; readonly value: string; readonly offset: number }
  | { readonly type: 'int' | 'float'; readonly value: number; readonly offset: number }
  | { readonly type: 'bool'; readonly value: boolean; readonly offset: number }
  | { readonly type: 'None'; readonly value: null; readonly offset: number }
  | { readonly type: 'list'; readonly value: readonly Literal[]; readonly offset: number };

/**
 * Describe a literal for an error message: its Python type and a short rendering.
 *
 * @example
 * describeLiteral({ type: 'str', value: 'x', offset: 0 }); // => "str 'x'"
 */
export function describeLiteral(lit: Literal): string {
  switch (lit.type) {
    case 'str':
      return `str '${lit.value.length > 20 ? `${lit.value.slice(0, 20)}…` : lit.value}'`;
    case 'int':
    case 'float':
      return `${lit.type} ${lit.value}`;
    case 'bool':
      return `bool ${lit.value ? 'True' : 'False'}`;
    case 'None':
      return 'None';
    case 'list':
      return `list of ${lit.value.length}`;
  }
}

const ESCAPES: Readonly<Record<string, string>> = {
  '\\': '\\',
  "'": "'",
  '"': '"',
  n: '\n',
  t: '\t',
  r: '\r',
  '0': '\0',
  a: '\x07',
  b: '\b',
  f: '\f',
  v: '\v',
};
const NUMBER = /[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?/y;
const WORD = /[A-Za-z_][A-Za-z0-9_]*/y;
const WORDS: Readonly<Record<string, { type: 'bool'; value: boolean } | { type: 'None'; value: null }>> = {
  None: { type: 'None', value: null },
  null: { type: 'None', value: null },
  True: { type: 'bool', value: true },
  true: { type: 'bool', value: true },
  False: { type: 'bool', value: false },
  false: { type: 'bool', value: false },
};

/**
 * A cursor over a template string. The parser drives it; it knows literals, not block semantics.
 *
 * @example
 * const lx = new Lexer("{'length': 2}", 10);
 * lx.readLiteral(); // => { type: 'int', value: 2, offset: 11 }
 */
export class Lexer {
  constructor(
    readonly source: string,
    public pos = 0,
  ) {}

  /** Throw a `TemplateSyntaxError` at `offset` (default: the cursor). */
  fail(message: string, offset: number = this.pos): never {
    throw new TemplateSyntaxError(message, offset, this.source);
  }

  /** The character at the cursor, or `''` at the end. */
  peek(): string {
    return this.source[this.pos] ?? '';
  }

  /** Whether the cursor is at the end of the source. */
  atEnd(): boolean {
    return this.pos >= this.source.length;
  }

  /** Skip any whitespace (inside braces Python allows spaces, tabs and newlines anywhere). */
  skipWhitespace(): void {
    while (!this.atEnd() && /\s/.test(this.peek())) this.pos++;
  }

  /** Read a quoted string; the cursor must be on `'` or `"`. Python escapes; unknown ones keep the backslash. */
  readString(): Literal & { type: 'str' } {
    const start = this.pos;
    const quote = this.source[this.pos++];
    let out = '';
    for (;;) {
      if (this.atEnd()) this.fail(`unclosed string: no matching ${quote}`, start);
      const ch = this.source[this.pos++];
      if (ch === quote) return { type: 'str', value: out, offset: start };
      if (ch === '\n') this.fail(`unclosed string: line break before the closing ${quote}`, start);
      if (ch !== '\\') {
        out += ch;
        continue;
      }
      const esc = this.source[this.pos];
      if (esc === undefined) this.fail(`unclosed string: no matching ${quote}`, start);
      const hexLength = esc === 'x' ? 2 : esc === 'u' ? 4 : esc === 'U' ? 8 : 0;
      if (hexLength > 0) {
        const hex = this.source.slice(this.pos + 1, this.pos + 1 + hexLength);
        if (!new RegExp(`^[0-9a-fA-F]{${hexLength}}$`).test(hex)) {
          this.fail(`bad escape \\${esc}: expected ${hexLength} hex digits, got '${hex}'`, this.pos - 1);
        }
        const code = parseInt(hex, 16);
        if (code > 0x10ffff) this.fail(`bad escape \\${esc}${hex}: beyond U+10FFFF`, this.pos - 1);
        out += String.fromCodePoint(code);
        this.pos += 1 + hexLength;
      } else {
        out += ESCAPES[esc] ?? `\\${esc}`;
        this.pos += 1;
      }
    }
  }

  /** Read one literal value at the cursor (after skipping whitespace). */
  readLiteral(): Literal {
    this.skipWhitespace();
    const start = this.pos;
    const ch = this.peek();
    if (ch === "'" || ch === '"') return this.readString();
    if (ch === '[') return this.readList();
    NUMBER.lastIndex = start;
    const num = NUMBER.exec(this.source);
    if (num !== null) {
      this.pos = start + num[0].length;
      const isFloat = /[.eE]/.test(num[0]);
      return { type: isFloat ? 'float' : 'int', value: Number(num[0]), offset: start };
    }
    WORD.lastIndex = start;
    const word = WORD.exec(this.source);
    if (word !== null) {
      const known = WORDS[word[0]];
      if (known === undefined) {
        this.fail(`unknown name '${word[0]}': values are quoted strings, numbers, None, True/False or lists`, start);
      }
      this.pos = start + word[0].length;
      return { ...known, offset: start };
    }
    if (this.atEnd()) this.fail('expected a value, got the end of the template', start);
    return this.fail(`expected a value (quoted string, number, None, True/False or [list]), got '${ch}'`, start);
  }

  /** Read `[v, v, ...]` (trailing comma allowed); the cursor must be on `[`. */
  private readList(): Literal & { type: 'list' } {
    const start = this.pos++;
    const items: Literal[] = [];
    for (;;) {
      this.skipWhitespace();
      if (this.atEnd()) this.fail("unclosed list: no matching ']'", start);
      if (this.peek() === ']') break;
      items.push(this.readLiteral());
      this.skipWhitespace();
      if (this.peek() === ',') {
        this.pos++;
        continue;
      }
      if (this.atEnd() || this.peek() === '}') this.fail("unclosed list: no matching ']'", start);
      if (this.peek() !== ']') this.fail(`expected ',' or ']' in list, got '${this.peek()}'`);
    }
    this.pos++;
    return { type: 'list', value: items, offset: start };
  }
}
