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
 * const v = unpickle(new Uint8Array([0x80, 2, 0x7d, 0x71, 0, 0x58, 1, 0, 0, 0, 0x61, 0x71, 1, 0x4b, 1, 0x73, 0x2e]), { globals: {} });
 * v instanceof PyDict && v.entries.get('a'); // → 1
 */
export function unpickle(bytes: Uint8Array, options: UnpickleOptions): PyValue {
  const name = options.name ?? '<pickle>';
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const stack: StackItem[] = [];
  const marks: number[] = [];
  const memo = new Map<number, PyValue>();
  let pos = 0;
  let opStart = 0;

  const fail = (what: string): never => {
    throw new CheckpointError(`${name}: cannot unpickle: ${what} (at byte ${opStart})`);
  };
  const need = (n: number) => {
    if (n < 0 || pos + n > bytes.length) fail(`truncated: needs ${n} more bytes, ${bytes.length - pos} left`);
  };
  const u8 = () => (need(1), bytes[pos++] ?? 0);
  const u16 = () => (need(2), (pos += 2), view.getUint16(pos - 2, true));
  const u32 = () => (need(4), (pos += 4), view.getUint32(pos - 4, true));
  const i32 = () => (need(4), (pos += 4), view.getInt32(pos - 4, true));
  const u64 = () => (need(8), (pos += 8), Number(view.getBigUint64(pos - 8, true)));
  const take = (n: number) => (need(n), (pos += n), bytes.subarray(pos - n, pos));
  const utf8 = (n: number) => new TextDecoder('utf-8', { fatal: true }).decode(take(n));
  const line = () => {
    const end = bytes.indexOf(0x0a, pos);
    if (end < 0) fail('unterminated text line');
    const text = new TextDecoder('latin1').decode(bytes.subarray(pos, end));
    pos = end + 1;
    return text;
  };
  const pop = (): PyValue => {
    const top = stack.pop();
    if (top === undefined || top === MARK) return fail('stack underflow');
    return top;
  };
  const top = (): PyValue => {
    const value = stack[stack.length - 1];
    if (value === undefined || value === MARK) return fail('stack underflow');
    return value;
  };
  const popMark = (): PyValue[] => {
    const at = marks.pop();
    if (at === undefined) return fail('no MARK on the stack');
    const items = stack.splice(at);
    items.shift();
    return items.filter((v): v is PyValue => v !== MARK);
  };
  const toKey = (value: PyValue): PyKey => {
    if (
      value === null ||
      typeof value === 'boolean' ||
      typeof value === 'number' ||
      typeof value === 'bigint' ||
      typeof value === 'string'
    ) {
      return value;
    }
    return fail(`unsupported dict key of type ${describe(value)}`);
  };
  const setItems = (target: PyValue, items: PyValue[]) => {
    if (!(target instanceof PyDict)) return fail(`SETITEMS on ${describe(target)}, not a dict`);
    for (let i = 0; i + 1 < items.length; i += 2) target.entries.set(toKey(items[i] ?? null), items[i + 1] ?? null);
  };
  const appendItems = (target: PyValue, items: PyValue[]) => {
    if (!Array.isArray(target)) return fail(`APPENDS on ${describe(target)}, not a list`);
    target.push(...items);
  };
  const global = (module: string, attr: string): PyGlobal => {
    const qualified = `${module}.${attr}`;
    if (!(qualified in options.globals)) {
      fail(
        `refusing global '${qualified}': only ${Object.keys(options.globals).join(', ') || 'none'} are allowed ` +
          '(is this a plain state dict saved with torch.save?)',
      );
    }
    return new PyGlobal(module, attr);
  };
  const memoGet = (index: number) => {
    const value = memo.get(index);
    if (value === undefined) fail(`memo slot ${index} is empty`);
    return value ?? null;
  };

  for (;;) {
    opStart = pos;
    const op = u8();
    switch (op) {
      case 0x80: {
        const v = u8();
        if (v > 5) fail(`pickle protocol ${v} is newer than 5`);
        break;
      } // PROTO
      case 0x95:
        u64();
        break; // FRAME: a length hint only
      case 0x2e: {
        // STOP
        const result = pop();
        if (stack.length !== 0) fail(`STOP with ${stack.length} items left on the stack`);
        return result;
      }
      case 0x28:
        marks.push(stack.length);
        stack.push(MARK);
        break; // MARK
      case 0x29:
        stack.push(new PyTuple([]));
        break; // EMPTY_TUPLE
      case 0x5d:
        stack.push([]);
        break; // EMPTY_LIST
      case 0x7d:
        stack.push(new PyDict());
        break; // EMPTY_DICT
      case 0x74:
        stack.push(new PyTuple(popMark()));
        break; // TUPLE
      case 0x85:
        stack.push(new PyTuple([pop()]));
        break; // TUPLE1
      case 0x86: {
        const b = pop();
        stack.push(new PyTuple([pop(), b]));
        break;
      } // TUPLE2
      case 0x87: {
        const c = pop();
        const b = pop();
        stack.push(new PyTuple([pop(), b, c]));
        break;
      } // TUPLE3
      case 0x6c:
        stack.push(popMark());
        break; // LIST
      case 0x64: {
        const d = new PyDict();
        setItems(d, popMark());
        stack.push(d);
        break;
      } // DICT
      case 0x61: {
        const v = pop();
        appendItems(top(), [v]);
        break;
      } // APPEND
      case 0x65: {
        const items = popMark();
        appendItems(top(), items);
        break;
      } // APPENDS
      case 0x73: {
        const v = pop();
        const k = pop();
        setItems(top(), [k, v]);
        break;
      } // SETITEM
      case 0x75: {
        const items = popMark();
        setItems(top(), items);
        break;
      } // SETITEMS
      case 0x4e:
        stack.push(null);
        break; // NONE
      case 0x88:
        stack.push(true);
        break; // NEWTRUE
      case 0x89:
        stack.push(false);
        break; // NEWFALSE
      case 0x4a:
        stack.push(i32());
        break; // BININT
      case 0x4b:
        stack.push(u8());
        break; // BININT1
      case 0x4d:
        stack.push(u16());
        break; // BININT2
      case 0x8a:
        stack.push(decodeLong(take(u8())));
        break; // LONG1
      case 0x8b:
        stack.push(decodeLong(take(u32())));
        break; // LONG4
      case 0x47:
        need(8);
        stack.push(view.getFloat64(pos, false));
        pos += 8;
        break; // BINFLOAT (big-endian)
      case 0x58:
        stack.push(utf8(u32()));
        break; // BINUNICODE
      case 0x8c:
        stack.push(utf8(u8()));
        break; // SHORT_BINUNICODE
      case 0x8d:
        stack.push(utf8(u64()));
        break; // BINUNICODE8
      case 0x54:
        stack.push(new TextDecoder('latin1').decode(take(i32())));
        break; // BINSTRING
      case 0x55:
        stack.push(new TextDecoder('latin1').decode(take(u8())));
        break; // SHORT_BINSTRING
      case 0x42:
        stack.push(take(u32()).slice());
        break; // BINBYTES
      case 0x43:
        stack.push(take(u8()).slice());
        break; // SHORT_BINBYTES
      case 0x71:
        memo.set(u8(), top());
        break; // BINPUT
      case 0x72:
        memo.set(u32(), top());
        break; // LONG_BINPUT
      case 0x94:
        memo.set(memo.size, top());
        break; // MEMOIZE
      case 0x68:
        stack.push(memoGet(u8()));
        break; // BINGET
      case 0x6a:
        stack.push(memoGet(u32()));
        break; // LONG_BINGET
      case 0x63: {
        const module = line();
        stack.push(global(module, line()));
        break;
      } // GLOBAL
      case 0x93: {
        // STACK_GLOBAL
        const attr = pop();
        const module = pop();
        if (typeof module !== 'string' || typeof attr !== 'string') fail('STACK_GLOBAL needs two strings');
        stack.push(global(String(module), String(attr)));
        break;
      }
      case 0x51: {
        // BINPERSID
        const pid = pop();
        if (!options.persistentLoad) fail('persistent ids are not allowed here');
        stack.push(options.persistentLoad ? options.persistentLoad(pid) : null);
        break;
      }
      case 0x52: {
        // REDUCE
        const args = pop();
        const callable = pop();
        if (!(callable instanceof PyGlobal)) return fail(`REDUCE on ${describe(callable)}, not a global`);
        if (!(args instanceof PyTuple))
          return fail(`REDUCE of ${callable.qualifiedName} with ${describe(args)} arguments`);
        const handler = options.globals[callable.qualifiedName];
        if (typeof handler !== 'function') return fail(`'${callable.qualifiedName}' may be referenced but not called`);
        try {
          stack.push(handler(args.items));
        } catch (error) {
          if (error instanceof CheckpointError) throw error;
          fail(`${callable.qualifiedName}: ${error instanceof Error ? error.message : String(error)}`);
        }
        break;
      }
      case 0x62: {
        // BUILD: only dicts carry state in a state dict (OrderedDict._metadata)
        const state = pop();
        const target = top();
        if (!(target instanceof PyDict)) return fail(`BUILD on ${describe(target)} is not supported`);
        target.state = state;
        break;
      }
      default:
        fail(
          `unsupported pickle opcode 0x${op.toString(16).padStart(2, '0')} ` +
            `('${String.fromCharCode(op)}'); only the opcodes torch.save emits are read`,
        );
    }
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
