/**
 * The safetensors format: 8-byte little-endian header length, a JSON header
 * (`{"__metadata__": {..}, "<key>": {"dtype", "shape", "data_offsets": [begin, end]}}`, offsets
 * relative to the byte after the header), then raw little-endian tensor data.
 * Spec: https://github.com/huggingface/safetensors#format
 */
import { readFileSync } from 'node:fs';
import { CheckpointError } from '../errors.js';
import { writeFileAtomic } from './atomic.js';
import {
  DISK_DTYPES,
  ITEMSIZE,
  decodeElements,
  encodeElements,
  isDiskDType,
  type FloatDiskDType,
} from './disk-dtype.js';
import { formatShape, numel, type HostTensor } from './host-tensor.js';

/** Upper bound on the JSON header, as in the reference implementation (guards against garbage lengths). */
const MAX_HEADER_BYTES = 100_000_000;

/** A parsed safetensors file: tensors in header order plus the free-form string metadata. */
export interface Safetensors {
  tensors: Map<string, HostTensor>;
  metadata: Record<string, string>;
}

/**
 * Parses safetensors bytes. `name` (a path) is used in error messages.
 *
 * @example
 * const { tensors, metadata } = parseSafetensors(readFileSync('model.safetensors'), 'model.safetensors');
 * metadata; // → { format: 'pt' }
 */
export function parseSafetensors(bytes: Uint8Array, name = '<buffer>'): Safetensors {
  const fail = (what: string): never => {
    throw new CheckpointError(`${name}: not a valid safetensors file: ${what}`);
  };
  if (bytes.length < 8) fail(`${bytes.length} bytes is shorter than the 8-byte header length`);
  const headerLength = Number(new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true));
  if (headerLength > MAX_HEADER_BYTES || 8 + headerLength > bytes.length) {
    fail(`header length ${headerLength} does not fit in a file of ${bytes.length} bytes`);
  }
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headerLength)));
  } catch (error) {
    fail(`header is not UTF-8 JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  if (!isRecord(header)) return fail('header is not a JSON object');

  const data = bytes.subarray(8 + headerLength);
  const metadata = parseMetadata(header['__metadata__'], fail);
  const spans: { key: string; begin: number; end: number }[] = [];
  const tensors = new Map<string, HostTensor>();
  for (const [key, entry] of Object.entries(header)) {
    if (key === '__metadata__') continue;
    const bad = (what: string): never => fail(`tensor '${key}': ${what}`);
    if (!isRecord(entry)) return bad('entry is not an object');
    const { dtype, shape, data_offsets: offsets } = entry;
    if (typeof dtype !== 'string' || !isDiskDType(dtype)) {
      return bad(`dtype ${JSON.stringify(dtype)} is not one of ${DISK_DTYPES.join(', ')}`);
    }
    if (!Array.isArray(shape) || !shape.every((d): d is number => Number.isSafeInteger(d) && d >= 0)) {
      return bad(`shape ${JSON.stringify(shape)} is not a list of non-negative integers`);
    }
    if (
      !Array.isArray(offsets) ||
      offsets.length !== 2 ||
      !offsets.every((o): o is number => Number.isSafeInteger(o))
    ) {
      return bad(`data_offsets ${JSON.stringify(offsets)} is not [begin, end]`);
    }
    const [begin, end] = offsets as [number, number];
    if (begin < 0 || end < begin || end > data.length) {
      bad(`data_offsets [${begin}, ${end}] fall outside the ${data.length} data bytes`);
    }
    const expected = numel(shape) * ITEMSIZE[dtype];
    if (end - begin !== expected) {
      bad(`data_offsets span ${end - begin} bytes but ${dtype} ${formatShape(shape)} needs ${expected}`);
    }
    spans.push({ key, begin, end });
    const flat = decodeElements(dtype, data.subarray(begin, end));
    tensors.set(key, { ...flat, shape: [...shape] });
  }
  spans.sort((a, b) => a.begin - b.begin);
  for (let i = 1; i < spans.length; i++) {
    const [prev, cur] = [spans[i - 1], spans[i]];
    if (prev && cur && cur.begin < prev.end) fail(`tensors '${prev.key}' and '${cur.key}' overlap`);
  }
  return { tensors, metadata };
}

/**
 * Reads a `.safetensors` file (or its bytes). Floating-point tensors (F32/F16/BF16/F64) come back as
 * float32, I64 as int64, smaller ints as int32. A corrupt file throws a `CheckpointError` naming the
 * file and the offending key.
 *
 * @example
 * const sd = readSafetensors('../shared/models/zh-mini-starter/model.safetensors');
 * sd.get('bert.embeddings.word_embeddings.weight')?.shape; // → [21128, 256]
 */
export function readSafetensors(source: string | Uint8Array): Map<string, HostTensor> {
  if (typeof source !== 'string') return parseSafetensors(source).tensors;
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(source);
  } catch (error) {
    throw new CheckpointError(`${source}: cannot read (${error instanceof Error ? error.message : String(error)})`);
  }
  return parseSafetensors(bytes, source).tensors;
}

/** Options of `writeSafetensors` / `encodeSafetensors`. */
export interface WriteSafetensorsOptions {
  /** How float32 tensors are stored; int and bool tensors keep their type. Default 'F32'. */
  dtype?: FloatDiskDType;
  /** String metadata; `format: 'pt'` is added unless given (transformers refuses files without it). */
  metadata?: Record<string, string>;
}

/**
 * Serialises tensors to safetensors bytes (header padded with spaces to a multiple of 8, as HF does,
 * so the data starts 8-byte aligned). Returns the chunks in file order.
 *
 * @example
 * const chunks = encodeSafetensors(new Map([['w', { dtype: 'float32', shape: [1], data: new Float32Array([1]) }]]));
 * Buffer.concat(chunks).length; // → 8 + header (multiple of 8) + 4
 */
export function encodeSafetensors(
  tensors: ReadonlyMap<string, HostTensor>,
  options: WriteSafetensorsOptions = {},
): Uint8Array[] {
  const header: Record<string, unknown> = { __metadata__: { format: 'pt', ...options.metadata } };
  const blobs: Uint8Array[] = [];
  let offset = 0;
  for (const [key, tensor] of tensors) {
    if (key === '__metadata__') throw new CheckpointError(`'__metadata__' cannot be a tensor name`);
    if (tensor.data.length !== numel(tensor.shape)) {
      throw new CheckpointError(
        `tensor '${key}': shape ${formatShape(tensor.shape)} needs ${numel(tensor.shape)} elements, ` +
          `data has ${tensor.data.length}`,
      );
    }
    const { dtype, bytes } = encodeElements(tensor, options.dtype ?? 'F32');
    header[key] = { dtype, shape: tensor.shape, data_offsets: [offset, offset + bytes.length] };
    blobs.push(bytes);
    offset += bytes.length;
  }
  let json = JSON.stringify(header);
  const jsonBytes = () => Buffer.byteLength(json, 'utf8');
  json += ' '.repeat((8 - (jsonBytes() % 8)) % 8);
  const prefix = new Uint8Array(8);
  new DataView(prefix.buffer).setBigUint64(0, BigInt(jsonBytes()), true);
  return [prefix, new TextEncoder().encode(json), ...blobs];
}

/**
 * Writes tensors as a `.safetensors` file, atomically (temp file + rename).
 *
 * @example
 * const bias = { dtype: 'float32', shape: [2], data: new Float32Array([0, 1]) };
 * writeSafetensors('/tmp/head.safetensors', new Map([['classifier.bias', bias]]), { dtype: 'F16' });
 * readSafetensors('/tmp/head.safetensors').get('classifier.bias')?.data; // → Float32Array [0, 1]
 */
export function writeSafetensors(
  path: string,
  tensors: ReadonlyMap<string, HostTensor>,
  options: WriteSafetensorsOptions = {},
): void {
  writeFileAtomic(path, encodeSafetensors(tensors, options));
}

function parseMetadata(value: unknown, fail: (what: string) => never): Record<string, string> {
  if (value === undefined) return {};
  if (!isRecord(value)) return fail('__metadata__ is not an object');
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== 'string') fail(`__metadata__.${k} is ${JSON.stringify(v)}, not a string`);
    else out[k] = v;
  }
  return out;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
