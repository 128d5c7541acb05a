/**
 * Reads `pytorch_model.bin` files written by `torch.save` (zip format, torch >= 1.6): a zip archive with
 * `<name>/data.pkl` (the pickled state dict, storages as persistent ids), `<name>/data/<key>` (raw
 * storage bytes) and `<name>/byteorder`. The pickle goes through the safe unpickler with a whitelist
 * of exactly the globals a state dict needs, so no code in the file ever runs.
 */
import { readFileSync } from 'node:fs';
import { unzipSync } from 'fflate';
import { CheckpointError } from '../errors.js';
import { ITEMSIZE, decodeElements, type DiskDType } from './disk-dtype.js';
import { formatShape, hostTensor, numel, type HostTensor } from './host-tensor.js';
import {
  PyDict,
  PyExtension,
  PyGlobal,
  PyTuple,
  describe,
  unpickle,
  type GlobalHandler,
  type PyValue,
} from './pickle.js';

/** torch storage classes and their element type on disk. */
const STORAGE_TYPES: Readonly<Record<string, DiskDType>> = {
  FloatStorage: 'F32',
  DoubleStorage: 'F64',
  HalfStorage: 'F16',
  BFloat16Storage: 'BF16',
  LongStorage: 'I64',
  IntStorage: 'I32',
  ShortStorage: 'I16',
  CharStorage: 'I8',
  ByteStorage: 'U8',
  BoolStorage: 'BOOL',
};

/** A storage named by a persistent id: `('storage', torch.FloatStorage, '0', 'cpu', numel)`. */
class StorageRef extends PyExtension {
  constructor(
    readonly dtype: DiskDType,
    readonly key: string,
    readonly numel: number,
  ) {
    super();
  }
}

/** A tensor view into a storage, from `torch._utils._rebuild_tensor_v2`. */
class TensorRef extends PyExtension {
  constructor(
    readonly storage: StorageRef,
    readonly offset: number,
    readonly size: number[],
    readonly stride: number[],
  ) {
    super();
  }
}

const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04];

/** Bytes a pytorch_model.bin may expand beyond its own size (with 4× the size): room for compressed pickles. */
export const MAX_ZIP_EXPANSION_SLACK = 64 << 20;

/**
 * Reads a torch.save zip checkpoint (a state dict of tensors) into host tensors. Floats come back as
 * float32 (F16/BF16/F64 converted), Long as int64; non-contiguous views (transposes, slices with a
 * storage offset) are materialised row-major. Pre-1.6 (non-zip) files, TorchScript archives and any
 * pickle needing a non-whitelisted global are refused with a `CheckpointError`.
 *
 * @example
 * const sd = readPytorchBin('framework/checkpoint/fixtures/tiny-bert/pytorch_model.bin');
 * sd.get('bert.embeddings.word_embeddings.weight')?.shape; // → [24, 8]
 */
export function readPytorchBin(
  source: string | Uint8Array,
  name = typeof source === 'string' ? source : '<buffer>',
): Map<string, HostTensor> {
  let bytes: Uint8Array;
  try {
    bytes = typeof source === 'string' ? readFileSync(source) : source;
  } catch (error) {
    throw new CheckpointError(`${name}: cannot read (${error instanceof Error ? error.message : String(error)})`);
  }
  if (!ZIP_MAGIC.every((b, i) => bytes[i] === b)) {
    if (bytes[0] === 0x80) {
      throw new CheckpointError(
        `${name}: legacy (pre-1.6, non-zip) torch serialization is not supported; ` +
          `re-save it with torch>=1.6: torch.save(torch.load(path), path)`,
      );
    }
    throw new CheckpointError(`${name}: not a PyTorch checkpoint (neither a torch.save zip archive nor a pickle)`);
  }
  let files: Record<string, Uint8Array>;
  // torch.save stores entries uncompressed, so declared sizes ≈ the archive's; a small archive declaring gigabytes
  // (a zip bomb) is refused from its directory, before anything is inflated.
  const budget = Math.max(4 * bytes.length, bytes.length + MAX_ZIP_EXPANSION_SLACK);
  let declared = 0;
  try {
    files = unzipSync(bytes, {
      filter: (entry) => {
        declared += entry.originalSize;
        if (declared > budget) {
          throw new CheckpointError(
            `${name}: zip entries declare ${declared} bytes, ` +
              `more than ${budget} for a ${bytes.length}-byte archive (a zip bomb?)`,
          );
        }
        return true;
      },
    });
  } catch (error) {
    if (error instanceof CheckpointError) throw error;
    throw new CheckpointError(
      `${name}: corrupt zip archive (${error instanceof Error ? error.message : String(error)})`,
    );
  }
  const pkl = Object.keys(files).find((path) => /^[^/]+\/data\.pkl$/.test(path));
  if (pkl === undefined)
    throw new CheckpointError(`${name}: zip archive has no <name>/data.pkl; not a torch.save checkpoint`);
  const prefix = pkl.slice(0, -'data.pkl'.length);
  const byteorder = files[`${prefix}byteorder`];
  const bigEndian = byteorder !== undefined && new TextDecoder().decode(byteorder).trim() === 'big';

  const root = unpickle(files[pkl] ?? new Uint8Array(), {
    name: `${name}:${pkl}`,
    globals: GLOBALS,
    persistentLoad: (pid) => storageRef(pid, name),
  });
  const stateDict = findStateDict(root, name);

  const storages = new Map<string, HostTensor>();
  const loadStorage = (ref: StorageRef, key: string): HostTensor => {
    const cached = storages.get(ref.key);
    if (cached) return cached;
    const raw = files[`${prefix}data/${ref.key}`];
    if (raw === undefined)
      throw new CheckpointError(`${name}: tensor '${key}': storage data/${ref.key} is missing from the archive`);
    const expected = ref.numel * ITEMSIZE[ref.dtype];
    if (raw.length < expected) {
      throw new CheckpointError(
        `${name}: tensor '${key}': storage data/${ref.key} has ${raw.length} bytes, ` +
          `${ref.dtype} x ${ref.numel} needs ${expected}`,
      );
    }
    const decoded = decodeElements(ref.dtype, maybeSwap(raw.subarray(0, expected), ITEMSIZE[ref.dtype], bigEndian));
    storages.set(ref.key, decoded);
    return decoded;
  };

  const out = new Map<string, HostTensor>();
  for (const [key, value] of stateDict.entries) {
    if (typeof key !== 'string') throw new CheckpointError(`${name}: state dict key ${String(key)} is not a string`);
    if (!(value instanceof TensorRef)) {
      throw new CheckpointError(`${name}: state dict entry '${key}' is a ${describe(value)}, not a tensor`);
    }
    out.set(key, materialise(value, loadStorage(value.storage, key), `${name}: tensor '${key}'`));
  }
  return out;
}

const rebuildTensor: GlobalHandler = (args) => {
  const [storage, offset, size, stride] = args;
  if (!(storage instanceof StorageRef))
    throw new CheckpointError(`_rebuild_tensor_v2: storage is a ${describe(storage ?? null)}`);
  return new TensorRef(
    storage,
    intArg(offset ?? null, 'storage_offset'),
    intTuple(size ?? null, 'size'),
    intTuple(stride ?? null, 'stride'),
  );
};
const rebuildParameter: GlobalHandler = (args) => {
  const data = args[0] ?? null;
  if (!(data instanceof TensorRef)) throw new CheckpointError(`_rebuild_parameter: data is a ${describe(data)}`);
  return data;
};

/** The whole whitelist: what a plain `torch.save(model.state_dict())` references. */
const GLOBALS: Readonly<Record<string, GlobalHandler>> = {
  'collections.OrderedDict': (args) => {
    const dict = new PyDict();
    const items = args[0];
    if (Array.isArray(items)) {
      for (const pair of items) {
        const [k, v] = pair instanceof PyTuple ? pair.items : Array.isArray(pair) ? pair : [];
        if (typeof k === 'string') dict.entries.set(k, v ?? null);
      }
    }
    return dict;
  },
  'torch._utils._rebuild_tensor_v2': rebuildTensor,
  'torch._utils._rebuild_parameter': rebuildParameter,
  'torch._utils._rebuild_parameter_with_state': rebuildParameter,
  ...Object.fromEntries(Object.keys(STORAGE_TYPES).map((s): [string, GlobalHandler] => [`torch.${s}`, 'reference'])),
};

function storageRef(pid: PyValue, name: string): StorageRef {
  const items = pid instanceof PyTuple ? pid.items : [];
  const [tag, type, key, , count] = items;
  if (tag !== 'storage' || !(type instanceof PyGlobal) || typeof key !== 'string' || typeof count !== 'number') {
    throw new CheckpointError(`${name}: unexpected persistent id (want ('storage', <type>, key, location, numel))`);
  }
  const dtype = type.module === 'torch' ? STORAGE_TYPES[type.name] : undefined;
  if (dtype === undefined) throw new CheckpointError(`${name}: unsupported storage type ${type.qualifiedName}`);
  return new StorageRef(dtype, key, count);
}

/** The top-level dict of tensors; also accepts `{'state_dict': {...}}` / `{'model': {...}}` wrappers. */
function findStateDict(root: PyValue, name: string): PyDict {
  if (!(root instanceof PyDict))
    throw new CheckpointError(`${name}: top-level object is a ${describe(root)}, not a state dict`);
  const values = [...root.entries.values()];
  if (values.some((v) => v instanceof TensorRef)) return root;
  for (const wrapper of ['state_dict', 'model']) {
    const inner = root.entries.get(wrapper);
    if (inner instanceof PyDict) return findStateDict(inner, name);
  }
  return root;
}

function intArg(value: PyValue, what: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value))
    throw new CheckpointError(`_rebuild_tensor_v2: ${what} is not an integer`);
  return value;
}

function intTuple(value: PyValue, what: string): number[] {
  const items = value instanceof PyTuple ? value.items : Array.isArray(value) ? value : null;
  if (items === null) throw new CheckpointError(`_rebuild_tensor_v2: ${what} is a ${describe(value)}, not a tuple`);
  return items.map((v) => intArg(v, what));
}

function maybeSwap(bytes: Uint8Array, itemsize: number, swap: boolean): Uint8Array {
  if (!swap || itemsize === 1) return bytes;
  const out = new Uint8Array(bytes.length);
  for (let i = 0; i < bytes.length; i += itemsize) {
    for (let j = 0; j < itemsize; j++) out[i + j] = bytes[i + itemsize - 1 - j] ?? 0;
  }
  return out;
}

/** Copies the view (offset, size, stride) out of a decoded 1-D storage into a dense row-major tensor. */
function materialise(ref: TensorRef, storage: HostTensor, what: string): HostTensor {
  const { offset, size, stride } = ref;
  const n = numel(size);
  if (size.length !== stride.length)
    throw new CheckpointError(`${what}: size ${formatShape(size)} and stride ${formatShape(stride)} differ in rank`);
  if (size.some((d) => d < 0) || stride.some((s) => s < 0) || offset < 0) {
    throw new CheckpointError(
      `${what}: negative size, stride or offset ` +
        `(size ${formatShape(size)}, stride ${formatShape(stride)}, offset ${offset})`,
    );
  }
  const last = n === 0 ? offset : size.reduce((acc, d, i) => acc + (d - 1) * (stride[i] ?? 0), offset);
  if (n > 0 && last >= storage.data.length) {
    throw new CheckpointError(
      `${what}: view (size ${formatShape(size)}, stride ${formatShape(stride)}, offset ${offset}) ` +
        `reaches element ${last} of a storage of ${storage.data.length}`,
    );
  }
  const contiguous = isContiguous(size, stride);
  const shape = [...size];
  // One index walk shared by every dtype: `copy(i, j)` writes output i from storage j.
  const walk = (copy: (i: number, j: number) => void) => {
    const index = new Array<number>(size.length).fill(0);
    let j = offset;
    for (let i = 0; i < n; i++) {
      copy(i, j);
      for (let d = size.length - 1; d >= 0; d--) {
        j += stride[d] ?? 0;
        if (++index[d] < (size[d] ?? 0)) break;
        j -= (stride[d] ?? 0) * (size[d] ?? 0);
        index[d] = 0;
      }
    }
  };
  switch (storage.dtype) {
    case 'float32': {
      if (contiguous) return hostTensor('float32', shape, storage.data.slice(offset, offset + n), what);
      const out = new Float32Array(n);
      walk((i, j) => {
        out[i] = storage.data[j] ?? 0;
      });
      return hostTensor('float32', shape, out, what);
    }
    case 'int32': {
      if (contiguous) return hostTensor('int32', shape, storage.data.slice(offset, offset + n), what);
      const out = new Int32Array(n);
      walk((i, j) => {
        out[i] = storage.data[j] ?? 0;
      });
      return hostTensor('int32', shape, out, what);
    }
    case 'int64': {
      if (contiguous) return hostTensor('int64', shape, storage.data.slice(offset, offset + n), what);
      const out = new BigInt64Array(n);
      walk((i, j) => {
        out[i] = storage.data[j] ?? 0n;
      });
      return hostTensor('int64', shape, out, what);
    }
    case 'bool': {
      if (contiguous) return hostTensor('bool', shape, storage.data.slice(offset, offset + n), what);
      const out = new Uint8Array(n);
      walk((i, j) => {
        out[i] = storage.data[j] ?? 0;
      });
      return hostTensor('bool', shape, out, what);
    }
  }
}

/** Row-major contiguity, ignoring the stride of size-1 dimensions (torch does the same). */
function isContiguous(size: readonly number[], stride: readonly number[]): boolean {
  let expected = 1;
  for (let d = size.length - 1; d >= 0; d--) {
    const extent = size[d] ?? 0;
    if (extent !== 1 && stride[d] !== expected) return false;
    expected *= extent;
  }
  return true;
}
