/**
 * ONNX `ModelProto` as plain TypeScript data, and its protobuf encoding. The wire format comes from
 * `@bufbuild/protobuf`'s `BinaryWriter`/`BinaryReader`; the field numbers follow `onnx.proto` (IR 8).
 * Only what our exporters emit is modelled: nodes with int/float/string/list attributes, dense
 * initializers in `raw_data`, typed graph inputs/outputs with symbolic dims, opset imports and
 * metadata. `readGraphSummary` reads back just enough (op types per node) to count what ORT's
 * optimiser left in a graph it saved.
 */
import { BinaryReader, BinaryWriter, WireType } from '@bufbuild/protobuf/wire';

/** `TensorProto.DataType` codes used by fewprompt's graphs. */
export const OnnxType = { FLOAT: 1, UINT8: 2, INT8: 3, INT32: 6, INT64: 7, FLOAT16: 10 } as const;
export type OnnxTypeCode = (typeof OnnxType)[keyof typeof OnnxType];

/** A node attribute: int, float (tagged, since JS numbers don't say which), string, or a list. */
export type AttributeValue =
  | number
  | { readonly float: number }
  | string
  | readonly number[]
  | { readonly floats: readonly number[] };

/** An initializer: name, dims, element type and little-endian bytes. */
export interface OnnxTensor {
  readonly name: string;
  readonly dims: readonly number[];
  readonly type: OnnxTypeCode;
  readonly data: Uint8Array;
}

/** One graph node. `domain` '' is the default ONNX domain, 'com.microsoft' ORT's contrib operators. */
export interface OnnxNode {
  readonly op: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly name?: string;
  readonly domain?: string;
  readonly attributes?: Readonly<Record<string, AttributeValue>>;
}

/** A graph input or output; string dims are symbolic (`batch`, `seq`); no dims = shape (and rank) unknown. */
export interface OnnxValueInfo {
  readonly name: string;
  readonly type: OnnxTypeCode;
  readonly dims?: readonly (number | string)[];
}

/** A whole model. */
export interface OnnxModel {
  readonly graphName: string;
  readonly nodes: readonly OnnxNode[];
  readonly initializers: readonly OnnxTensor[];
  readonly inputs: readonly OnnxValueInfo[];
  readonly outputs: readonly OnnxValueInfo[];
  /** Domain → opset version; default `{'': 17}`. */
  readonly opsets?: Readonly<Record<string, number>>;
  readonly metadata?: Readonly<Record<string, string>>;
  readonly producerVersion?: string;
}

/** Bytes of a typed array, without copying. */
export function bytesOf(data: ArrayBufferView): Uint8Array {
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/**
 * An initializer from a typed array; the element type follows the array (Uint16Array = float16).
 * @example
 * tensor('w', [2, 2], Float32Array.of(1, 2, 3, 4)).type; // → 1 (FLOAT)
 */
export function tensor(
  name: string,
  dims: readonly number[],
  data: Float32Array | Uint16Array | Int8Array | Uint8Array | Int32Array | BigInt64Array,
): OnnxTensor {
  const type: OnnxTypeCode =
    data instanceof Float32Array
      ? OnnxType.FLOAT
      : data instanceof Uint16Array
        ? OnnxType.FLOAT16
        : data instanceof Int8Array
          ? OnnxType.INT8
          : data instanceof Uint8Array
            ? OnnxType.UINT8
            : data instanceof Int32Array
              ? OnnxType.INT32
              : OnnxType.INT64;
  return { name, dims: [...dims], type, data: bytesOf(data) };
}

function writeAttribute(w: BinaryWriter, name: string, value: AttributeValue): void {
  w.tag(5, WireType.LengthDelimited).fork();
  w.tag(1, WireType.LengthDelimited).string(name);
  if (typeof value === 'number') w.tag(3, WireType.Varint).int64(value).tag(20, WireType.Varint).int32(2);
  else if (typeof value === 'string')
    w.tag(4, WireType.LengthDelimited).bytes(new TextEncoder().encode(value)).tag(20, WireType.Varint).int32(3);
  else if ('float' in value) w.tag(2, WireType.Bit32).float(value.float).tag(20, WireType.Varint).int32(1);
  else if ('floats' in value) {
    for (const f of value.floats) w.tag(7, WireType.Bit32).float(f);
    w.tag(20, WireType.Varint).int32(6);
  } else {
    for (const i of value) w.tag(8, WireType.Varint).int64(i);
    w.tag(20, WireType.Varint).int32(7);
  }
  w.join();
}

function writeValueInfo(w: BinaryWriter, field: number, v: OnnxValueInfo): void {
  w.tag(field, WireType.LengthDelimited).fork();
  w.tag(1, WireType.LengthDelimited).string(v.name);
  w.tag(2, WireType.LengthDelimited).fork(); // TypeProto
  w.tag(1, WireType.LengthDelimited).fork(); // tensor_type
  w.tag(1, WireType.Varint).int32(v.type);
  if (v.dims === undefined) {
    w.join().join().join();
    return;
  }
  w.tag(2, WireType.LengthDelimited).fork(); // shape
  for (const d of v.dims) {
    w.tag(1, WireType.LengthDelimited).fork();
    if (typeof d === 'number') w.tag(1, WireType.Varint).int64(d);
    else w.tag(2, WireType.LengthDelimited).string(d);
    w.join();
  }
  w.join().join().join().join();
}

/**
 * Serialises a model to ONNX protobuf bytes (IR version 8).
 * @example
 * const bytes = encodeModel({
 *   graphName: 'add',
 *   nodes: [{ op: 'Add', inputs: ['a', 'b'], outputs: ['c'] }],
 *   initializers: [],
 *   inputs: [{ name: 'a', type: OnnxType.FLOAT, dims: [2] }, { name: 'b', type: OnnxType.FLOAT, dims: [2] }],
 *   outputs: [{ name: 'c', type: OnnxType.FLOAT, dims: [2] }],
 * });
 * await ort.InferenceSession.create(bytes); // runs c = a + b
 */
export function encodeModel(model: OnnxModel): Uint8Array {
  const w = new BinaryWriter();
  w.tag(1, WireType.Varint).int64(8);
  w.tag(2, WireType.LengthDelimited).string('fewprompt');
  if (model.producerVersion) w.tag(3, WireType.LengthDelimited).string(model.producerVersion);
  w.tag(7, WireType.LengthDelimited).fork();
  model.nodes.forEach((n, i) => {
    w.tag(1, WireType.LengthDelimited).fork();
    for (const x of n.inputs) w.tag(1, WireType.LengthDelimited).string(x);
    for (const y of n.outputs) w.tag(2, WireType.LengthDelimited).string(y);
    w.tag(3, WireType.LengthDelimited).string(n.name ?? `${n.op}_${i}`);
    w.tag(4, WireType.LengthDelimited).string(n.op);
    for (const [name, value] of Object.entries(n.attributes ?? {})) writeAttribute(w, name, value);
    if (n.domain) w.tag(7, WireType.LengthDelimited).string(n.domain);
    w.join();
  });
  w.tag(2, WireType.LengthDelimited).string(model.graphName);
  for (const t of model.initializers) {
    w.tag(5, WireType.LengthDelimited).fork();
    for (const d of t.dims) w.tag(1, WireType.Varint).int64(d);
    w.tag(2, WireType.Varint).int32(t.type);
    w.tag(8, WireType.LengthDelimited).string(t.name);
    w.tag(9, WireType.LengthDelimited).bytes(t.data);
    w.join();
  }
  for (const v of model.inputs) writeValueInfo(w, 11, v);
  for (const v of model.outputs) writeValueInfo(w, 12, v);
  w.join();
  for (const [domain, version] of Object.entries(model.opsets ?? { '': 17 })) {
    w.tag(8, WireType.LengthDelimited)
      .fork()
      .tag(1, WireType.LengthDelimited)
      .string(domain)
      .tag(2, WireType.Varint)
      .int64(version)
      .join();
  }
  for (const [key, value] of Object.entries(model.metadata ?? {})) {
    w.tag(14, WireType.LengthDelimited)
      .fork()
      .tag(1, WireType.LengthDelimited)
      .string(key)
      .tag(2, WireType.LengthDelimited)
      .string(value)
      .join();
  }
  return w.finish();
}

/**
 * What `readGraphSummary` finds: each node's op type (prefixed `domain:`
 * outside the default domain), the initializer count and opsets.
 */
export interface GraphSummary {
  readonly ops: string[];
  readonly initializers: number;
  readonly opsets: Record<string, number>;
}

function messages(buf: Uint8Array, field: number, each: (r: BinaryReader) => void): void {
  const r = new BinaryReader(buf);
  while (r.pos < r.len) {
    const [no, wt] = r.tag();
    if (no === field && wt === WireType.LengthDelimited) each(new BinaryReader(r.bytes()));
    else r.skip(wt);
  }
}

/**
 * Node op types of a serialised model, in graph order (for counting kernels before and after fusion).
 * @example
 * readGraphSummary(encodeModel(model)).ops; // → ['Add']
 */
export function readGraphSummary(bytes: Uint8Array): GraphSummary {
  const ops: string[] = [];
  const opsets: Record<string, number> = {};
  let initializers = 0;
  const r = new BinaryReader(bytes);
  while (r.pos < r.len) {
    const [no, wt] = r.tag();
    if (no === 7 && wt === WireType.LengthDelimited) {
      const graph = r.bytes();
      messages(graph, 1, (n) => {
        let op = '';
        let domain = '';
        while (n.pos < n.len) {
          const [f, t] = n.tag();
          if (f === 4) op = n.string();
          else if (f === 7) domain = n.string();
          else n.skip(t);
        }
        ops.push(domain ? `${domain}:${op}` : op);
      });
      messages(graph, 5, () => {
        initializers++;
      });
    } else if (no === 8 && wt === WireType.LengthDelimited) {
      const o = new BinaryReader(r.bytes());
      let domain = '';
      let version = 0;
      while (o.pos < o.len) {
        const [f, t] = o.tag();
        if (f === 1) domain = o.string();
        else if (f === 2) version = Number(o.int64());
        else o.skip(t);
      }
      opsets[domain] = version;
    } else r.skip(wt);
  }
  return { ops, initializers, opsets };
}
