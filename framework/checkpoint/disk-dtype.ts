/**
 * Element types as they sit on disk (safetensors names; PyTorch storages map onto them), and the
 * little-endian byte ⇄ `HostTensor` conversions shared by every checkpoint reader and writer.
 */
import { endianness } from 'node:os';
import { CheckpointError } from '../errors.js';
import { bf16ToF32, f16ToF32, f32ToBf16, f32ToF16 } from './half.js';
import { hostTensor, type HostTensor } from './host-tensor.js';

/** On-disk element types (safetensors spelling). */
export const DISK_DTYPES = ['F64', 'F32', 'F16', 'BF16', 'I64', 'I32', 'I16', 'I8', 'U8', 'BOOL'] as const;
export type DiskDType = (typeof DISK_DTYPES)[number];

/** Bytes per element of each on-disk type. */
export const ITEMSIZE: Readonly<Record<DiskDType, number>> = {
  F64: 8,
  F32: 4,
  F16: 2,
  BF16: 2,
  I64: 8,
  I32: 4,
  I16: 2,
  I8: 1,
  U8: 1,
  BOOL: 1,
};

/**
 * Narrows a string to a `DiskDType`.
 *
 * @example
 * isDiskDType('BF16'); // → true
 * isDiskDType('F8_E4M3'); // → false
 */
export function isDiskDType(name: string): name is DiskDType {
  return (DISK_DTYPES as readonly string[]).includes(name);
}

const littleEndian = endianness() === 'LE';

/** An aligned private copy of `bytes` (checkpoint offsets need not be aligned for the element size). */
function aligned(bytes: Uint8Array): ArrayBuffer {
  if (!littleEndian) throw new CheckpointError('checkpoint I/O needs a little-endian host');
  const copy = new Uint8Array(bytes.length);
  copy.set(bytes);
  return copy.buffer;
}

/**
 * Decodes little-endian elements into a 1-D `HostTensor`: floats widen to float32, I32/I16/I8/U8
 * to int32, I64 stays int64, BOOL becomes bool. `bytes.length` must be a multiple of the item size.
 *
 * @example
 * decodeElements('F16', new Uint8Array([0x00, 0x3c])); // → { dtype: 'float32', shape: [1], data: Float32Array [1] }
 */
export function decodeElements(dtype: DiskDType, bytes: Uint8Array): HostTensor {
  const n = bytes.length / ITEMSIZE[dtype];
  if (!Number.isInteger(n))
    throw new CheckpointError(`${bytes.length} bytes is not a whole number of ${dtype} elements`);
  switch (dtype) {
    case 'F32':
      return hostTensor('float32', [n], new Float32Array(aligned(bytes)));
    case 'F64':
      return hostTensor('float32', [n], Float32Array.from(new Float64Array(aligned(bytes))));
    case 'F16':
      return hostTensor('float32', [n], f16ToF32(new Uint16Array(aligned(bytes))));
    case 'BF16':
      return hostTensor('float32', [n], bf16ToF32(new Uint16Array(aligned(bytes))));
    case 'I64':
      return hostTensor('int64', [n], new BigInt64Array(aligned(bytes)));
    case 'I32':
      return hostTensor('int32', [n], new Int32Array(aligned(bytes)));
    case 'I16':
      return hostTensor('int32', [n], Int32Array.from(new Int16Array(aligned(bytes))));
    case 'I8':
      return hostTensor('int32', [n], Int32Array.from(new Int8Array(aligned(bytes))));
    case 'U8':
      return hostTensor('int32', [n], Int32Array.from(bytes));
    case 'BOOL':
      return hostTensor(
        'bool',
        [n],
        Uint8Array.from(bytes, (b) => (b === 0 ? 0 : 1)),
      );
  }
}

/** Float encodings a writer may choose; integer and bool tensors keep their own type. */
export type FloatDiskDType = 'F32' | 'F16' | 'BF16';

/**
 * Encodes a tensor's elements as little-endian bytes; float32 data is written as `floatAs`.
 *
 * @example
 * encodeElements({ dtype: 'float32', shape: [1], data: new Float32Array([1]) }, 'F16');
 * // → { dtype: 'F16', bytes: Uint8Array [0x00, 0x3c] }
 */
export function encodeElements(tensor: HostTensor, floatAs: FloatDiskDType): { dtype: DiskDType; bytes: Uint8Array } {
  if (!littleEndian) throw new CheckpointError('checkpoint I/O needs a little-endian host');
  const view = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  switch (tensor.dtype) {
    case 'float32':
      if (floatAs === 'F16') return { dtype: 'F16', bytes: view(f32ToF16(tensor.data)) };
      if (floatAs === 'BF16') return { dtype: 'BF16', bytes: view(f32ToBf16(tensor.data)) };
      return { dtype: 'F32', bytes: view(tensor.data) };
    case 'int32':
      return { dtype: 'I32', bytes: view(tensor.data) };
    case 'int64':
      return { dtype: 'I64', bytes: view(tensor.data) };
    case 'bool':
      return { dtype: 'BOOL', bytes: view(tensor.data) };
  }
}
