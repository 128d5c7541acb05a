/**
 * `GraphBuilder`: assembles an {@link OnnxModel} op by op with unique value names and a scope prefix
 * on node names (`layer.3/MatMul_12`), so per-layer node counts can be read off the finished graph.
 */
import { ShapeError } from '../errors.js';
import {
  encodeModel,
  tensor,
  type AttributeValue,
  type OnnxModel,
  type OnnxNode,
  type OnnxTensor,
  type OnnxTypeCode,
  type OnnxValueInfo,
} from './proto.js';

/** The contrib-operator domain of ONNX Runtime. */
export const MS_DOMAIN = 'com.microsoft';

/** Options of one {@link GraphBuilder.op} call. */
export interface OpOptions {
  readonly domain?: string;
  readonly attributes?: Readonly<Record<string, AttributeValue>>;
  /** Number of outputs (default 1); names are generated. */
  readonly outputs?: number;
  /** Explicit output names (graph outputs). */
  readonly names?: readonly string[];
}

/**
 * Builds a graph.
 * @example
 * const g = new GraphBuilder('demo');
 * const x = g.input('x', OnnxType.FLOAT, ['batch', 4]);
 * const w = g.init('w', [4, 2], new Float32Array(8));
 * g.output(g.op('MatMul', [x, w], { names: ['y'] }), OnnxType.FLOAT, ['batch', 2]);
 * g.encode(); // ONNX bytes that onnxruntime loads
 */
export class GraphBuilder {
  readonly nodes: OnnxNode[] = [];
  readonly initializers: OnnxTensor[] = [];
  private readonly inputs: OnnxValueInfo[] = [];
  private readonly outputs: OnnxValueInfo[] = [];
  private readonly names = new Set<string>();
  private counter = 0;
  /** Prefix of node names added from now on. */
  scope = '';

  constructor(
    readonly name: string,
    readonly opsets: Readonly<Record<string, number>> = { '': 17, [MS_DOMAIN]: 1 },
  ) {}

  private unique(base: string): string {
    let name = base;
    while (this.names.has(name)) name = `${base}_${++this.counter}`;
    this.names.add(name);
    return name;
  }

  /** A graph input (dims left out: shape unknown). */
  input(name: string, type: OnnxTypeCode, dims?: readonly (number | string)[]): string {
    const unique = this.unique(name);
    this.inputs.push(dims === undefined ? { name: unique, type } : { name: unique, type, dims });
    return name;
  }

  /** Marks an existing value as a graph output (dims left out: shape unknown). */
  output(name: string, type: OnnxTypeCode, dims?: readonly (number | string)[]): string {
    this.outputs.push(dims === undefined ? { name, type } : { name, type, dims });
    return name;
  }

  /** An initializer from a typed array (dims must match its length). */
  init(
    name: string,
    dims: readonly number[],
    data: Float32Array | Uint16Array | Int8Array | Uint8Array | Int32Array | BigInt64Array,
  ): string {
    const size = dims.reduce((a, b) => a * b, 1);
    if (size !== data.length)
      throw new ShapeError(
        `initializer ${name}: dims [${dims.join(', ')}] hold ${size} values, data has ${data.length}`,
      );
    const unique = this.unique(name);
    this.initializers.push(tensor(unique, dims, data));
    return unique;
  }

  /** An int64 constant (shapes, axes). */
  ints(name: string, values: readonly number[]): string {
    return this.init(name, [values.length], BigInt64Array.from(values.map((v) => BigInt(v))));
  }

  /** A float32 scalar constant. */
  scalar(name: string, value: number): string {
    return this.init(name, [], Float32Array.of(value));
  }

  /** Adds a node; returns its (first) output name. Use `opMulti` for several outputs. */
  op(op: string, inputs: readonly string[], options: OpOptions = {}): string {
    return this.opMulti(op, inputs, options)[0]!;
  }

  /** Adds a node and returns all its output names. */
  opMulti(op: string, inputs: readonly string[], options: OpOptions = {}): string[] {
    const count = options.names?.length ?? options.outputs ?? 1;
    const outputs = options.names
      ? options.names.map((n) => this.unique(n))
      : Array.from({ length: count }, () => this.unique(`${this.scope}${op}`));
    this.nodes.push({
      op,
      inputs,
      outputs,
      name: `${this.scope}${op}_${this.nodes.length}`,
      ...(options.domain ? { domain: options.domain } : {}),
      ...(options.attributes ? { attributes: options.attributes } : {}),
    });
    return outputs;
  }

  /** Node count per scope prefix (the part of the node name before the last '/'). */
  countByScope(): Map<string, number> {
    const out = new Map<string, number>();
    for (const n of this.nodes) {
      const scope = (n.name ?? '').includes('/') ? n.name!.slice(0, n.name!.lastIndexOf('/')) : '';
      out.set(scope, (out.get(scope) ?? 0) + 1);
    }
    return out;
  }

  /** The finished model. */
  build(extra: { metadata?: Record<string, string>; producerVersion?: string } = {}): OnnxModel {
    return {
      graphName: this.name,
      nodes: this.nodes,
      initializers: this.initializers,
      inputs: this.inputs,
      outputs: this.outputs,
      opsets: this.opsets,
      ...(extra.metadata ? { metadata: extra.metadata } : {}),
      ...(extra.producerVersion ? { producerVersion: extra.producerVersion } : {}),
    };
  }

  /** The finished model as ONNX bytes. */
  encode(extra: { metadata?: Record<string, string>; producerVersion?: string } = {}): Uint8Array {
    return encodeModel(this.build(extra));
  }
}
