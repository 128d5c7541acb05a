/**
 * A minimal protobuf writer for the parts of ONNX's `ModelProto` the LAC graph needs (nodes with
 * int/string attributes, float initializers, typed inputs/outputs), so the model is assembled in
 * memory from our weights without any Python tooling. Field numbers follow `onnx.proto`.
 */

/** One protobuf message under construction. */
export class ProtoMessage {
  private readonly chunks: Uint8Array[] = [];
  private length = 0;

  private push(chunk: Uint8Array): void {
    this.chunks.push(chunk);
    this.length += chunk.length;
  }

  private varint(value: number | bigint): void {
    let v = BigInt.asUintN(64, BigInt(value));
    const out: number[] = [];
    while (v >= 0x80n) { out.push(Number(v & 0x7fn) | 0x80); v >>= 7n; }
    out.push(Number(v));
    this.push(Uint8Array.from(out));
  }

  /** A varint field (int32/int64/enum). */
  int(field: number, value: number | bigint): this {
    this.varint(field * 8);
    this.varint(value);
    return this;
  }

  /** A length-delimited field: raw bytes, a string or a nested message. */
  embed(field: number, value: Uint8Array | string | ProtoMessage): this {
    const data = value instanceof ProtoMessage ? value.encode() : typeof value === 'string' ? new TextEncoder().encode(value) : value;
    this.varint(field * 8 + 2);
    this.varint(data.length);
    this.push(data);
    return this;
  }

  /** The encoded message. */
  encode(): Uint8Array {
    const out = new Uint8Array(this.length);
    let at = 0;
    for (const c of this.chunks) { out.set(c, at); at += c.length; }
    return out;
  }
}

/** ONNX `TensorProto.DataType` codes used here. */
export const OnnxType = { FLOAT: 1, INT32: 6, INT64: 7 } as const;

/** A float32 initializer (`TensorProto` with raw little-endian data). */
export function tensorProto(name: string, dims: readonly number[], data: Float32Array | BigInt64Array): ProtoMessage {
  const t = new ProtoMessage();
  for (const d of dims) t.int(1, d);
  t.int(2, data instanceof Float32Array ? OnnxType.FLOAT : OnnxType.INT64);
  t.embed(8, name);
  t.embed(9, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  return t;
}

/** Node attribute value: an int, an int list or a string. */
export type AttributeValue = number | readonly number[] | string;

/** A graph node (`NodeProto`). */
export function nodeProto(op: string, inputs: readonly string[], outputs: readonly string[], attributes: Readonly<Record<string, AttributeValue>> = {}): ProtoMessage {
  const n = new ProtoMessage();
  for (const i of inputs) n.embed(1, i);
  for (const o of outputs) n.embed(2, o);
  n.embed(3, `${op}_${outputs[0]}`);
  n.embed(4, op);
  for (const [name, value] of Object.entries(attributes)) {
    const a = new ProtoMessage().embed(1, name);
    if (typeof value === 'number') a.int(3, value).int(20, 2);
    else if (typeof value === 'string') a.embed(4, value).int(20, 3);
    else { for (const v of value) a.int(8, v); a.int(20, 7); }
    n.embed(5, a);
  }
  return n;
}

/** A graph input or output (`ValueInfoProto`); string dims are symbolic. */
export function valueInfo(name: string, elemType: number, dims: readonly (number | string)[]): ProtoMessage {
  const shape = new ProtoMessage();
  for (const d of dims) shape.embed(1, typeof d === 'number' ? new ProtoMessage().int(1, d) : new ProtoMessage().embed(2, d));
  const tensorType = new ProtoMessage().int(1, elemType).embed(2, shape);
  return new ProtoMessage().embed(1, name).embed(2, new ProtoMessage().embed(1, tensorType));
}

/** A complete `ModelProto` (IR 8, default-domain opset 17). */
export function modelProto(nodes: readonly ProtoMessage[], initializers: readonly ProtoMessage[],
  inputs: readonly ProtoMessage[], outputs: readonly ProtoMessage[]): Uint8Array {
  const graph = new ProtoMessage();
  for (const n of nodes) graph.embed(1, n);
  graph.embed(2, 'lac');
  for (const t of initializers) graph.embed(5, t);
  for (const i of inputs) graph.embed(11, i);
  for (const o of outputs) graph.embed(12, o);
  return new ProtoMessage()
    .int(1, 8)
    .embed(2, 'fewprompt')
    .embed(7, graph)
    .embed(8, new ProtoMessage().embed(1, '').int(2, 17))
    .encode();
}
