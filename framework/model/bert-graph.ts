/**
 * The BERT encoder as ONNX, two ways:
 * - `fusion: 'none'`: standard opset-17 operators, one node per step of `bert.ts`. Each layer is
 *   {@link emitEncoderLayer} (the forward the fused training layer runs too) without contrib ops: 34 nodes per
 *   layer (separate Q/K/V MatMul+Add, Reshape/Transpose, scores, Softmax, erf-GELU in 5 ops, residual Add +
 *   LayerNormalization). What a generic exporter writes; ORT may fuse parts of it.
 * - `fusion: 'contrib'`: ORT's fused `com.microsoft` kernels, emitted directly — EmbedLayerNormalization,
 *   Attention (merged QKV weights) and BiasGelu/FastGelu; residual + LayerNorm stay Add + LayerNormalization
 *   (faster than SkipLayerNormalization on ORT's CPU kernels, measured): 11 nodes per layer; 10 with INT8,
 *   where attention is DynamicQuantizeLinear + QAttention (int8 QKV weights) and the other projections are
 *   DynamicQuantizeMatMul with the bias inside.
 *   Load these graphs at {@link RUNTIME_OPTIMIZATION}'s level.
 * Precision: `fp32`; `fp16` stores weights as float16 initializers cast to float32 at load (half the
 * file, same CPU kernels); `int8` runs every encoder MatMul as DynamicQuantizeMatMul on per-column
 * int8 weights (see `framework/onnx/quantize.ts`).
 */
import { f32ToF16 } from '../checkpoint/half.js';
import type { Fusion, Precision } from '../onnx/choices.js';
import { type GraphBuilder, MS_DOMAIN } from '../onnx/graph.js';
import { OnnxType } from '../onnx/proto.js';
import { quantizeColumns } from '../onnx/quantize.js';
import { concatColumns, type FloatWeight, type WeightReader } from '../onnx/weights.js';
import type { BertConfig } from './config.js';
import { emitEncoderLayer, layerSpec, type LayerProjection } from './encoder-layer.js';

/**
 * The ORT graph-optimisation level to load a graph of each fusion at. Ours are fused already: ORT's 'extended'
 * fusions would only turn Add + LayerNormalization back into the slower SkipLayerNormalization; unfused graphs
 * get ORT's whole optimiser.
 */
export const RUNTIME_OPTIMIZATION: Readonly<Record<Fusion, 'basic' | 'all'>> = { contrib: 'basic', none: 'all' };

/** Names of the encoder's graph inputs (all int32 [batch, seq]). */
export const ENCODER_INPUTS = ['input_ids', 'token_type_ids', 'position_ids', 'attention_mask'] as const;

/**
 * Emits encoder nodes into a {@link GraphBuilder}; heads (heads.ts) continue from `encode()`'s output.
 * @example
 * const g = new GraphBuilder('pet');
 * const bert = new BertGraph(g, config, weights, { fusion: 'contrib', precision: 'fp32' });
 * const hidden = bert.encode(); // [batch, seq, hidden]
 */
export class BertGraph {
  /**
   * The word-embedding initializer (after `encode()`); the tied MLM decoder reuses it instead of storing a second copy.
   */
  wordEmbeddings = '';

  constructor(
    readonly g: GraphBuilder,
    readonly config: BertConfig,
    readonly w: WeightReader,
    readonly options: { readonly fusion: Fusion; readonly precision: Precision; readonly softRows?: FloatWeight },
  ) {}

  /** A float initializer (float16 + Cast under `fp16`). */
  weight(name: string, value: FloatWeight | Float32Array, dims?: readonly number[]): string {
    const data = value instanceof Float32Array ? value : value.data;
    const shape = dims ?? (value instanceof Float32Array ? [value.length] : value.shape);
    if (this.options.precision !== 'fp16') return this.g.init(name, shape, data);
    return this.float16(name, data, shape);
  }

  /** A float initializer stored as float16 and cast to float32 at load. */
  protected float16(name: string, data: Float32Array, shape: readonly number[]): string {
    const scope = this.g.scope;
    this.g.scope = 'cast/';
    const out = this.g.op('Cast', [this.g.init(`${name}.f16`, shape, f32ToF16(data))], {
      attributes: { to: OnnxType.FLOAT },
    });
    this.g.scope = scope;
    return out;
  }

  /** x·W (+ bias when given): MatMul(+Add), or DynamicQuantizeMatMul under `int8`. */
  matmul(x: string, name: string, w: FloatWeight, bias?: Float32Array): string {
    const g = this.g;
    if (this.options.precision === 'int8') {
      const q = quantizeColumns(w.data, w.shape[0]!, w.shape[1]!);
      const inputs = [x, g.init(`${name}.q`, w.shape, q.values), g.init(`${name}.scale`, [q.cols], q.scales)];
      if (bias) inputs.push('', g.init(`${name}.bias`, [bias.length], bias));
      return g.op('DynamicQuantizeMatMul', inputs, { domain: MS_DOMAIN });
    }
    const y = g.op('MatMul', [x, this.weight(name, w)]);
    return bias ? g.op('Add', [y, this.weight(`${name}.bias`, bias)]) : y;
  }

  /** Graph inputs, embeddings, every layer → [batch, seq, hidden]. */
  encode(): string {
    const g = this.g;
    const [ids, types, positions, mask] = ENCODER_INPUTS.map((n) => g.input(n, OnnxType.INT32, ['batch', 'seq'])) as [
      string,
      string,
      string,
      string,
    ];
    g.scope = 'embeddings/';
    let x = this.embeddings(ids, types, positions);
    g.scope = 'mask/';
    const attnMask = this.options.fusion === 'contrib' ? mask : this.maskBias(mask);
    for (let i = 0; i < this.config.numHiddenLayers; i++) {
      g.scope = `layer.${i}/`;
      x = this.options.fusion === 'contrib' ? this.fusedLayer(i, x, attnMask) : this.layer(i, x, attnMask);
    }
    g.scope = '';
    return x;
  }

  private embeddings(ids: string, types: string, positions: string): string {
    const g = this.g;
    const c = this.config;
    const e = 'embeddings';
    const word = this.weight(`${e}.word_embeddings.weight`, this.w.get(`${e}.word_embeddings.weight`));
    this.wordEmbeddings = word;
    // P-Tuning: the prompt encoder's output rows follow the vocabulary, so soft slots are plain ids V + k to the
    // embedding lookup, while the MLM decoder (wordEmbeddings) keeps the V vocabulary rows.
    const input = this.options.softRows
      ? g.op('Concat', [word, this.weight('prompt.soft_embeddings', this.options.softRows)], {
          attributes: { axis: 0 },
        })
      : word;
    const pos = this.weight(`${e}.position_embeddings.weight`, this.w.get(`${e}.position_embeddings.weight`));
    const type = this.weight(`${e}.token_type_embeddings.weight`, this.w.get(`${e}.token_type_embeddings.weight`));
    const gamma = this.weight(`${e}.LayerNorm.weight`, this.w.get(`${e}.LayerNorm.weight`));
    const beta = this.weight(`${e}.LayerNorm.bias`, this.w.get(`${e}.LayerNorm.bias`));
    if (this.options.fusion === 'contrib') {
      // Second output (mask_index) unused: the Attention nodes take
      // the raw [batch, seq] mask, which allows any padding layout.
      return g.opMulti('EmbedLayerNormalization', [ids, types, input, pos, type, gamma, beta, '', positions], {
        domain: MS_DOMAIN,
        outputs: 2,
        attributes: { epsilon: { float: c.layerNormEps } },
      })[0]!;
    }
    const sum = g.op('Add', [
      g.op('Add', [g.op('Gather', [input, ids]), g.op('Gather', [pos, positions])]),
      g.op('Gather', [type, types]),
    ]);
    return g.op('LayerNormalization', [sum, gamma, beta], {
      attributes: { axis: -1, epsilon: { float: c.layerNormEps } },
    });
  }

  /** Additive attention mask [batch, 1, 1, seq]: 0 where attended, -1e9 at padding (as the tfjs encoder). */
  private maskBias(mask: string): string {
    const g = this.g;
    const inverted = g.op('Sub', [g.scalar('one', 1), g.op('Cast', [mask], { attributes: { to: OnnxType.FLOAT } })]);
    return g.op('Unsqueeze', [g.op('Mul', [inverted, g.scalar('mask_value', -1e9)]), g.ints('mask_axes', [1, 2])]);
  }

  private layerNorm(x: string, prefix: string): string {
    return this.g.op(
      'LayerNormalization',
      [
        x,
        this.weight(`${prefix}.weight`, this.w.get(`${prefix}.weight`)),
        this.weight(`${prefix}.bias`, this.w.get(`${prefix}.bias`)),
      ],
      { attributes: { axis: -1, epsilon: { float: this.config.layerNormEps } } },
    );
  }

  /** The activation fused with the preceding bias. */
  private fusedActivation(x: string, bias: string): string {
    const act = this.config.hiddenAct;
    if (act === 'relu') return this.g.op('Relu', [this.g.op('Add', [x, bias])]);
    return this.g.op(act === 'gelu' ? 'BiasGelu' : 'FastGelu', [x, bias], { domain: MS_DOMAIN });
  }

  /** A standard-op layer: the same forward as the fused training layer's, on this graph's initializers. */
  private layer(i: number, x: string, maskBias: string): string {
    const p = `encoder.layer.${i}`;
    const linear = (input: string, name: LayerProjection) =>
      this.matmul(input, `${p}.${name}`, this.w.linear(`${p}.${name}`), this.w.bias(`${p}.${name}`));
    const param = (name: string) => this.weight(`${p}.${name}`, this.w.get(`${p}.${name}`));
    return emitEncoderLayer(this.g, layerSpec(this.config), x, maskBias, { linear, param, contrib: false }).y;
  }

  private fusedLayer(i: number, x: string, mask: string): string {
    const g = this.g;
    const c = this.config;
    const p = `encoder.layer.${i}`;
    const s = `${p}.attention.self`;
    const qkv = concatColumns([this.w.linear(`${s}.query`), this.w.linear(`${s}.key`), this.w.linear(`${s}.value`)]);
    const qkvBias = Float32Array.from([
      ...this.w.bias(`${s}.query`),
      ...this.w.bias(`${s}.key`),
      ...this.w.bias(`${s}.value`),
    ]);
    let attn: string;
    if (this.options.precision === 'int8') {
      // QAttention: the int8 QKV projection and attention in one kernel, on the input quantised once (uint8, per
      // tensor) — the same arithmetic as DynamicQuantizeMatMul + Split + MultiHeadAttention, 11–14% faster end to end.
      const [xq, xScale, xZero] = g.opMulti('DynamicQuantizeLinear', [x], { outputs: 3 }) as [string, string, string];
      const wq = quantizeColumns(qkv.data, qkv.shape[0]!, qkv.shape[1]!);
      attn = g.op(
        'QAttention',
        [
          xq,
          g.init(`${s}.qkv.q`, qkv.shape, wq.values),
          g.init(`${s}.qkv.bias`, [qkvBias.length], qkvBias),
          xScale,
          g.init(`${s}.qkv.scale`, [wq.cols], wq.scales),
          mask,
          xZero,
        ],
        { domain: MS_DOMAIN, attributes: { num_heads: c.numAttentionHeads } },
      );
    } else {
      attn = g.op('Attention', [x, this.weight(`${s}.qkv.weight`, qkv), this.weight(`${s}.qkv.bias`, qkvBias), mask], {
        domain: MS_DOMAIN,
        attributes: { num_heads: c.numAttentionHeads },
      });
    }
    // Residual + LayerNorm as Add + LayerNormalization, not SkipLayerNormalization: on ORT 1.30's CPU kernels the
    // fused op measured 7–17% slower end to end (bench/inference/profile.ts). Sessions load these graphs at the
    // 'basic' level (RUNTIME_OPTIMIZATION), since 'extended' would fuse the pair back.
    const residualNorm = (dense: string, input: string, skip: string, norm: string) =>
      this.layerNorm(g.op('Add', [this.matmul(input, dense, this.w.linear(dense), this.w.bias(dense)), skip]), norm);
    const h1 = residualNorm(`${p}.attention.output.dense`, attn, x, `${p}.attention.output.LayerNorm`);
    const inter = `${p}.intermediate.dense`;
    const act = this.fusedActivation(
      this.matmul(h1, inter, this.w.linear(inter)),
      this.weight(`${inter}.bias`, this.w.bias(inter)),
    );
    return residualNorm(`${p}.output.dense`, act, h1, `${p}.output.LayerNorm`);
  }
}
