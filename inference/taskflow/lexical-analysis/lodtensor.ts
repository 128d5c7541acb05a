/**
 * Reader for PaddlePaddle (fluid) persisted LoDTensor files, the format of `model_baseline/*` in
 * Baidu LAC: `u32 version (0)`, `u64 lod_level` then per level `u64 bytes` + offsets,
 * `u32 tensor version (0)`, `i32 desc size`, a `TensorDesc` protobuf (field 1 `data_type`,
 * field 2 `dims`), then the raw little-endian data.
 */
import { CheckpointError } from '../../../framework/errors.js';
import { halfToFloat } from './half.js';

/** A dense tensor read from a LoDTensor file; data is always widened/narrowed to float32. */
export interface PaddleTensor {
  readonly name: string;
  readonly dims: readonly number[];
  readonly data: Float32Array;
  /** The level-of-detail offsets stored with the tensor (empty for parameters). */
  readonly lod: readonly (readonly number[])[];
}

/** PaddlePaddle `VarType.Type` codes this reader accepts, with their element size in bytes. */
const DTYPES: Readonly<Record<number, { name: string; bytes: number }>> = {
  4: { name: 'FP16', bytes: 2 },
  5: { name: 'FP32', bytes: 4 },
  6: { name: 'FP64', bytes: 8 },
};

/**
 * Parses one LoDTensor file. `name` is only used in error messages.
 * @example
 * const t = readLoDTensor(readFileSync('model_baseline/crfw'), 'crfw');
 * t.dims; // [59, 57]
 */
export function readLoDTensor(bytes: Uint8Array, name: string): PaddleTensor {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let offset = 0;
  const need = (n: number, what: string) => {
    if (offset + n > bytes.byteLength) {
      throw new CheckpointError(
        `${name}: truncated LoDTensor file: need ${n} bytes for ${what} at offset ${offset}, ` +
          `file has ${bytes.byteLength}`,
      );
    }
  };
  need(4, 'version');
  const version = view.getUint32(offset, true);
  offset += 4;
  if (version !== 0)
    throw new CheckpointError(
      `${name}: LoDTensor version ${version}, expected 0 (not a PaddlePaddle persisted tensor?)`,
    );
  need(8, 'lod level');
  const lodLevel = Number(view.getBigUint64(offset, true));
  offset += 8;
  if (lodLevel > 16) throw new CheckpointError(`${name}: implausible lod_level ${lodLevel} (expected 0..16)`);
  const lod: number[][] = [];
  for (let level = 0; level < lodLevel; level++) {
    need(8, `lod level ${level} size`);
    const size = Number(view.getBigUint64(offset, true));
    offset += 8;
    if (size % 8 !== 0) throw new CheckpointError(`${name}: lod level ${level} has ${size} bytes, not a multiple of 8`);
    need(size, `lod level ${level}`);
    const offsets: number[] = [];
    for (let i = 0; i < size / 8; i++) offsets.push(Number(view.getBigUint64(offset + 8 * i, true)));
    lod.push(offsets);
    offset += size;
  }
  need(4, 'tensor version');
  const tensorVersion = view.getUint32(offset, true);
  offset += 4;
  if (tensorVersion !== 0) throw new CheckpointError(`${name}: tensor version ${tensorVersion}, expected 0`);
  need(4, 'tensor description size');
  const descSize = view.getInt32(offset, true);
  offset += 4;
  if (descSize < 0 || descSize > 4096)
    throw new CheckpointError(`${name}: tensor description size ${descSize}, expected 0..4096`);
  need(descSize, 'tensor description');
  const { dataType, dims } = parseTensorDesc(bytes.subarray(offset, offset + descSize), name);
  offset += descSize;
  const dtype = DTYPES[dataType];
  if (!dtype)
    throw new CheckpointError(
      `${name}: data type ${dataType} is not supported; expected one of FP16 (4), FP32 (5), FP64 (6)`,
    );
  const count = dims.reduce((a, b) => a * b, 1);
  const expected = count * dtype.bytes;
  if (bytes.byteLength - offset !== expected) {
    throw new CheckpointError(
      `${name}: ${dtype.name} tensor of shape [${dims.join(', ')}] needs ${expected} data bytes, ` +
        `file has ${bytes.byteLength - offset}`,
    );
  }
  const data = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    const at = offset + i * dtype.bytes;
    data[i] =
      dtype.bytes === 4
        ? view.getFloat32(at, true)
        : dtype.bytes === 8
          ? view.getFloat64(at, true)
          : halfToFloat(view.getUint16(at, true));
  }
  return { name, dims, data, lod };
}

/** Decodes the two fields of `VarType.TensorDesc` we need; unknown fields are skipped. */
function parseTensorDesc(desc: Uint8Array, name: string): { dataType: number; dims: number[] } {
  let pos = 0;
  const varint = (): number => {
    let result = 0;
    let scale = 1;
    for (;;) {
      if (pos >= desc.length) throw new CheckpointError(`${name}: tensor description ends inside a varint`);
      const byte = desc[pos++]!;
      result += (byte & 0x7f) * scale;
      scale *= 128;
      if (byte < 128) return result;
    }
  };
  let dataType = -1;
  const dims: number[] = [];
  while (pos < desc.length) {
    const key = varint();
    const field = Math.floor(key / 8);
    const wire = key % 8;
    if (field === 1 && wire === 0) dataType = varint();
    else if (field === 2 && wire === 0) dims.push(varint());
    else if (field === 2 && wire === 2) {
      const size = varint(); // read before `pos`: `pos + varint()` would use the old position
      const end = pos + size;
      while (pos < end) dims.push(varint());
    } else if (wire === 0) varint();
    else if (wire === 2) {
      const size = varint();
      pos += size;
    } else
      throw new CheckpointError(
        `${name}: unexpected protobuf wire type ${wire} (field ${field}) in tensor description`,
      );
  }
  if (dataType < 0) throw new CheckpointError(`${name}: tensor description has no data_type`);
  if (dims.some((d) => d < 0))
    throw new CheckpointError(`${name}: tensor has an unknown (negative) dimension: [${dims.join(', ')}]`);
  return { dataType, dims };
}
