/**
 * A small, safe unpickler: it interprets only the opcodes `torch.save` emits (protocols 2–5) and never
 * runs code. A global (`GLOBAL` / `STACK_GLOBAL`) must be on the caller's whitelist, and calling one
 * (`REDUCE`) runs the caller's TypeScript handler for it, never anything named by the file. Any other
 * opcode is a `CheckpointError`. Opcode reference: CPython `Lib/pickletools.py`.
 */
import { CheckpointError } from '../errors.js';

/** Values a torch.save pickle can build. Caller-defined results (tensors, storages) extend `PyExtension`. */
export type PyValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | Uint8Array
  | PyValue[]
  | PyTuple
  | PyDict
  | PyGlobal
  | PyExtension;
/** Hashable values usable as dict keys. */
export type PyKey = null | boolean | number | bigint | string;

/** A Python tuple (kept apart from lists only so error messages can say which). */
export class PyTuple {
  constructor(readonly items: PyValue[]) {}
}

/** A Python dict / OrderedDict; insertion order is kept. `state` holds what `BUILD` set (e.g. `_metadata`). */
export class PyDict {
  readonly entries = new Map<PyKey, PyValue>();
  state: PyValue = null;
}

/** A reference to a whitelisted module-level name, e.g. `torch.FloatStorage`. */
export class PyGlobal {
  constructor(
    readonly module: string,
    readonly name: string,
  ) {}
  get qualifiedName(): string {
    return `${this.module}.${this.name}`;
  }
}

/** Base for objects that whitelisted handlers build (instanceof narrows them back). */
export abstract class PyExtension {}

/** What a whitelisted global may do: be referenced only (`'reference'`), or also be called with its arguments. */
export type GlobalHandler = 'reference' | ((args: PyValue[]) => PyValue);

/** Options of `unpickle`. */
export interface UnpickleOptions {
  /** Whitelist, keyed by `module.name`. Everything else is refused. */
  globals: Readonly<Record<string, GlobalHandler>>;
  /** Resolves a `BINPERSID` persistent id (torch: storage references). Absent → `BINPERSID` is refused. */
  persistentLoad?: (pid: PyValue) => PyValue;
  /** File name for error messages. */
  name?: string;
}

const MARK = Symbol('mark');
type StackItem = PyValue | typeof MARK;

/**
 * Unpickles `bytes` under a whitelist of globals.
 *
 * @example
 * // pickle.dumps({'a': 1}, protocol=2)
 * const bytes = new Uint8Array([0x80, 2, 0x7d, 0x71, 0, 0x58, 1, 0, 0, 0, 0x61, 0x71, 1, 0x4b, 1, 0x73, 0x2e]);
 * const v = unpickle(bytes, { globals: {} });
 * v instanceof PyDict && v.entries.get('a'); // → 1
 */
export function unpickle(bytes: Uint8Array, options: UnpickleOptions): PyValue {
  return new Unpickler(bytes, options).run();
}

/** One unpickling pass over `bytes`: the pickle machine's stack, marks and memo, and a read position. */
class Unpickler {
  private readonly name: string;
  private readonly view: DataView;
  private readonly stack: StackItem[] = [];
  private readonly marks: number[] = [];
  private readonly memo = new Map<number, PyValue>();
  private pos = 0;
  private opStart = 0;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly options: UnpickleOptions,
  ) {
    this.name = options.name ?? '<pickle>';
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  run(): PyValue {
    for (;;) {
      this.opStart = this.pos;
      const op = this.u8();
      if (op === 0x2e) {
        // STOP
        const result = this.pop();
        if (this.stack.length !== 0) this.fail(`STOP with ${this.stack.length} items left on the stack`);
        return result;
      }
      const done =
        this.protocolOp(op) || this.containerOp(op) || this.itemOp(op) || this.scalarOp(op) || this.memoOp(op);
      if (!done && !this.objectOp(op)) {
        this.fail(
          `unsupported pickle opcode 0x${op.toString(16).padStart(2, '0')} ` +
            `('${String.fromCharCode(op)}'); only the opcodes torch.save emits are read`,
        );
      }
    }
  }

  /** PROTO, FRAME and MARK; false for any other opcode. */
  private protocolOp(op: number): boolean {
    switch (op) {
      case 0x80: {
        const v = this.u8();
        if (v > 5) this.fail(`pickle protocol ${v} is newer than 5`);
        return true;
      } // PROTO
      case 0x95:
        this.u64();
        return true; // FRAME: a length hint only
      case 0x28:
        this.marks.push(this.stack.length);
        this.stack.push(MARK);
        return true; // MARK
      default:
        return false;
    }
  }

  /** Opcodes that build a tuple, list or dict; false for any other opcode. */
  private containerOp(op: number): boolean {
    const stack = this.stack;
    switch (op) {
      case 0x29:
        stack.push(new PyTuple([]));
        return true; // EMPTY_TUPLE
      case 0x5d:
        stack.push([]);
        return true; // EMPTY_LIST
      case 0x7d:
        stack.push(new PyDict());
        return true; // EMPTY_DICT
      case 0x74:
        stack.push(new PyTuple(this.popMark()));
        return true; // TUPLE
      case 0x85:
        stack.push(new PyTuple([this.pop()]));
        return true; // TUPLE1
      case 0x86: {
        const b = this.pop();
        stack.push(new PyTuple([this.pop(), b]));
        return true;
      } // TUPLE2
      case 0x87: {
        const c = this.pop();
        const b = this.pop();
        stack.push(new PyTuple([this.pop(), b, c]));
        return true;
      } // TUPLE3
      case 0x6c:
        stack.push(this.popMark());
        return true; // LIST
      case 0x64: {
        const d = new PyDict();
        this.setItems(d, this.popMark());
        stack.push(d);
        return true;
      } // DICT
      default:
        return false;
    }
  }

  /** Opcodes that add items to the list or dict on top of the stack; false for any other opcode. */
  private itemOp(op: number): boolean {
    switch (op) {
      case 0x61: {
        const v = this.pop();
        this.appendItems(this.top(), [v]);
        return true;
      } // APPEND
      case 0x65: {
        const items = this.popMark();
        this.appendItems(this.top(), items);
        return true;
      } // APPENDS
      case 0x73: {
        const v = this.pop();
        const k = this.pop();
        this.setItems(this.top(), [k, v]);
        return true;
      } // SETITEM
      case 0x75: {
        const items = this.popMark();
        this.setItems(this.top(), items);
        return true;
      } // SETITEMS
      default:
        return false;
    }
  }

  /** None, booleans, integers, floats, strings and bytes; false for any other opcode. */
  private scalarOp(op: number): boolean {
    const stack = this.stack;
    switch (op) {
      case 0x4e:
        stack.push(null);
        return true; // NONE
      case 0x88:
        stack.push(true);
        return true; // NEWTRUE
      case 0x89:
        stack.push(false);
        return true; // NEWFALSE
      case 0x4a:
        stack.push(this.i32());
        return true; // BININT
      case 0x4b:
        stack.push(this.u8());
        return true; // BININT1
      case 0x4d:
        stack.push(this.u16());
        return true; // BININT2
      case 0x8a:
        stack.push(decodeLong(this.take(this.u8())));
        return true; // LONG1
      case 0x8b:
        stack.push(decodeLong(this.take(this.u32())));
        return true; // LONG4
      case 0x47:
        this.need(8);
        stack.push(this.view.getFloat64(this.pos, false));
        this.pos += 8;
        return true; // BINFLOAT (big-endian)
      default:
        return this.textOp(op);
    }
  }

  /** Unicode strings, byte strings and bytes; false for any other opcode. */
  private textOp(op: number): boolean {
    const stack = this.stack;
    switch (op) {
      case 0x58:
        stack.push(this.utf8(this.u32()));
        return true; // BINUNICODE
      case 0x8c:
        stack.push(this.utf8(this.u8()));
        return true; // SHORT_BINUNICODE
      case 0x8d:
        stack.push(this.utf8(this.u64()));
        return true; // BINUNICODE8
      case 0x54:
        stack.push(new TextDecoder('latin1').decode(this.take(this.i32())));
        return true; // BINSTRING
      case 0x55:
        stack.push(new TextDecoder('latin1').decode(this.take(this.u8())));
        return true; // SHORT_BINSTRING
      case 0x42:
        stack.push(this.take(this.u32()).slice());
        return true; // BINBYTES
      case 0x43:
        stack.push(this.take(this.u8()).slice());
        return true; // SHORT_BINBYTES
      default:
        return false;
    }
  }

  /** The memo's PUT and GET opcodes; false for any other opcode. */
  private memoOp(op: number): boolean {
    switch (op) {
      case 0x71:
        this.memo.set(this.u8(), this.top());
        return true; // BINPUT
      case 0x72:
        this.memo.set(this.u32(), this.top());
        return true; // LONG_BINPUT
      case 0x94:
        this.memo.set(this.memo.size, this.top());
        return true; // MEMOIZE
      case 0x68:
        this.stack.push(this.memoGet(this.u8()));
        return true; // BINGET
      case 0x6a:
        this.stack.push(this.memoGet(this.u32()));
        return true; // LONG_BINGET
      default:
        return false;
    }
  }

  /** Globals, persistent ids, REDUCE and BUILD; false for any other opcode. */
  private objectOp(op: number): boolean {
    switch (op) {
      case 0x63: {
        const module = this.line();
        this.stack.push(this.global(module, this.line()));
        return true;
      } // GLOBAL
      case 0x93: {
        // STACK_GLOBAL
        const attr = this.pop();
        const module = this.pop();
        if (typeof module !== 'string' || typeof attr !== 'string') this.fail('STACK_GLOBAL needs two strings');
        this.stack.push(this.global(String(module), String(attr)));
        return true;
      }
      case 0x51: {
        // BINPERSID
        const pid = this.pop();
        if (!this.options.persistentLoad) this.fail('persistent ids are not allowed here');
        this.stack.push(this.options.persistentLoad ? this.options.persistentLoad(pid) : null);
        return true;
      }
      case 0x52:
        this.reduce();
        return true; // REDUCE
      case 0x62: {
        // BUILD: only dicts carry state in a state dict (OrderedDict._metadata)
        const state = this.pop();
        const target = this.top();
        if (!(target instanceof PyDict)) return this.fail(`BUILD on ${describe(target)} is not supported`);
        target.state = state;
        return true;
      }
      default:
        return false;
    }
  }

  /** REDUCE: calls a whitelisted global's handler with the argument tuple. */
  private reduce(): void {
    const args = this.pop();
    const callable = this.pop();
    if (!(callable instanceof PyGlobal)) this.fail(`REDUCE on ${describe(callable)}, not a global`);
    if (!(args instanceof PyTuple)) this.fail(`REDUCE of ${callable.qualifiedName} with ${describe(args)} arguments`);
    const handler = this.options.globals[callable.qualifiedName];
    if (typeof handler !== 'function') this.fail(`'${callable.qualifiedName}' may be referenced but not called`);
    try {
      this.stack.push(handler(args.items));
    } catch (error) {
      if (error instanceof CheckpointError) throw error;
      this.fail(`${callable.qualifiedName}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private fail(what: string): never {
    throw new CheckpointError(`${this.name}: cannot unpickle: ${what} (at byte ${this.opStart})`);
  }

  private need(n: number): void {
    if (n < 0 || this.pos + n > this.bytes.length)
      this.fail(`truncated: needs ${n} more bytes, ${this.bytes.length - this.pos} left`);
  }

  /** Checks that `n` more bytes are there, moves past them and returns where they start. */
  private advance(n: number): number {
    this.need(n);
    this.pos += n;
    return this.pos - n;
  }

  private u8(): number {
    this.need(1);
    return this.bytes[this.pos++] ?? 0;
  }

  private u16(): number {
    return this.view.getUint16(this.advance(2), true);
  }

  private u32(): number {
    return this.view.getUint32(this.advance(4), true);
  }

  private i32(): number {
    return this.view.getInt32(this.advance(4), true);
  }

  private u64(): number {
    return Number(this.view.getBigUint64(this.advance(8), true));
  }

  private take(n: number): Uint8Array {
    const start = this.advance(n);
    return this.bytes.subarray(start, start + n);
  }

  private utf8(n: number): string {
    return new TextDecoder('utf-8', { fatal: true }).decode(this.take(n));
  }

  private line(): string {
    const end = this.bytes.indexOf(0x0a, this.pos);
    if (end < 0) this.fail('unterminated text line');
    const text = new TextDecoder('latin1').decode(this.bytes.subarray(this.pos, end));
    this.pos = end + 1;
    return text;
  }

  private pop(): PyValue {
    const top = this.stack.pop();
    if (top === undefined || top === MARK) return this.fail('stack underflow');
    return top;
  }

  private top(): PyValue {
    const value = this.stack[this.stack.length - 1];
    if (value === undefined || value === MARK) return this.fail('stack underflow');
    return value;
  }

  private popMark(): PyValue[] {
    const at = this.marks.pop();
    if (at === undefined) return this.fail('no MARK on the stack');
    const items = this.stack.splice(at);
    items.shift();
    return items.filter((v): v is PyValue => v !== MARK);
  }

  private toKey(value: PyValue): PyKey {
    if (
      value === null ||
      typeof value === 'boolean' ||
      typeof value === 'number' ||
      typeof value === 'bigint' ||
      typeof value === 'string'
    ) {
      return value;
    }
    return this.fail(`unsupported dict key of type ${describe(value)}`);
  }

  private setItems(target: PyValue, items: PyValue[]): void {
    if (!(target instanceof PyDict)) this.fail(`SETITEMS on ${describe(target)}, not a dict`);
    for (let i = 0; i + 1 < items.length; i += 2)
      target.entries.set(this.toKey(items[i] ?? null), items[i + 1] ?? null);
  }

  private appendItems(target: PyValue, items: PyValue[]): void {
    if (!Array.isArray(target)) this.fail(`APPENDS on ${describe(target)}, not a list`);
    target.push(...items);
  }

  private global(module: string, attr: string): PyGlobal {
    const qualified = `${module}.${attr}`;
    if (!(qualified in this.options.globals)) {
      this.fail(
        `refusing global '${qualified}': only ${Object.keys(this.options.globals).join(', ') || 'none'} are allowed ` +
          '(is this a plain state dict saved with torch.save?)',
      );
    }
    return new PyGlobal(module, attr);
  }

  private memoGet(index: number): PyValue {
    const value = this.memo.get(index);
    if (value === undefined) this.fail(`memo slot ${index} is empty`);
    return value ?? null;
  }
}

/** Decodes a little-endian two's-complement integer; a number when it is safe, else a bigint. */
function decodeLong(bytes: Uint8Array): number | bigint {
  let value = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) value = (value << 8n) | BigInt(bytes[i] ?? 0);
  if (bytes.length > 0 && ((bytes[bytes.length - 1] ?? 0) & 0x80) !== 0) value -= 1n << BigInt(8 * bytes.length);
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
}

/**
 * A short type name for error messages.
 *
 * @example
 * describe(new PyTuple([])); // → 'tuple'
 */
export function describe(value: PyValue): string {
  if (value === null) return 'None';
  if (Array.isArray(value)) return 'list';
  if (value instanceof PyTuple) return 'tuple';
  if (value instanceof PyDict) return 'dict';
  if (value instanceof PyGlobal) return value.qualifiedName;
  if (value instanceof Uint8Array) return 'bytes';
  if (value instanceof PyExtension) return value.constructor.name;
  return typeof value;
}
