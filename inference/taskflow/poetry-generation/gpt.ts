import { ShapeError } from '../../../framework/errors.js';
import { tf, type Tensor } from '../../../framework/backend/tf.js';
import type { HostTensor } from '../../../framework/checkpoint/host-tensor.js';
import { activation } from '../../../framework/ops/activations.js';
import { dropout } from '../../../framework/ops/dropout.js';
import { layerNorm } from '../../../framework/ops/layer-norm.js';
import { dense } from '../../../framework/ops/matmul.js';
import type { GptConfig } from './gpt-config.js';
import { gptParameterSpecs } from './gpt-specs.js';
import { ParameterStore, type HostFloatTensor } from '../../../framework/model/parameters.js';

/** Keys and values of earlier positions, one pair per layer, each [batch, heads, past, headDim]. */
export type KvCache = {
  keys: Tensor[];
  values: Tensor[];
};

/** One forward call: new tokens, their positions, and which keys (past + new) each row may attend. */
export interface GptInputs {
  /** int32 [batch, seq]: the new tokens. */
  inputIds: Tensor;
  /** int32 [batch, seq]; default past … past + seq − 1. */
  positionIds?: Tensor;
  /** [batch, past + seq], 1 = attend, 0 = padding; default all ones. */
  attentionMask?: Tensor;
}

/**
 * What a forward call returns: hidden states [batch, seq, hidden] and the cache extended by this call's keys/values.
 */
export interface GptOutput {
  hidden: Tensor;
  present: KvCache;
}

/**
 * A decoder-only causal language model (GPT) on the encoder's building blocks — `dense`, `layerNorm`,
 * the activations, dropout and {@link ParameterStore} — with causal masking, pre- or post-LayerNorm
 * blocks (as PaddleNLP's FasterTransformer decoder supports both) and a key/value cache: a call with
 * `past` runs only the new tokens and attends to the cached ones.
 * @example
 * const model = GptModel.create(config);
 * const { hidden, present } = model.forward({ inputIds });            // prefix
 * const step = model.forward({ inputIds: next }, present);            // one new token, cached prefix
 * model.logits(step.hidden);                                          // [batch, 1, vocab]
 */
export class GptModel {
  readonly params: ParameterStore;
  training = false;
  private readonly act: (x: Tensor) => Tensor;
  private seedCounter: number;

  private constructor(
    readonly config: GptConfig,
    seed: number,
  ) {
    this.params = new ParameterStore(gptParameterSpecs(config), config.initializerRange, seed);
    this.act = activation(config.hiddenAct);
    this.seedCounter = seed * 7919 + 1;
  }

  /** A randomly initialised model. */
  static create(config: GptConfig, seed = 42): GptModel {
    return new GptModel(config, seed);
  }

  /** A model with weights from a host state dict; every key and shape is checked before anything is assigned. */
  static fromStateDict(config: GptConfig, state: ReadonlyMap<string, HostTensor>): GptModel {
    const model = new GptModel(config, 0);
    try {
      model.params.load(state);
    } catch (error) {
      model.dispose();
      throw error;
    }
    return model;
  }

  train(): this {
    this.training = true;
    return this;
  }
  eval(): this {
    this.training = false;
    return this;
  }

  private p(name: string): Tensor {
    return this.params.get(name);
  }

  private norm(x: Tensor, name: string): Tensor {
    return layerNorm(x, this.p(`${name}.weight`), this.p(`${name}.bias`), this.config.layerNormEps);
  }

  /**
   * Additive attention bias [batch | 1, 1, seq, past + seq]: query
   * t sees key j iff j ≤ past + t and the key is not padding.
   */
  static attentionBias(seq: number, past: number, attentionMask?: Tensor): Tensor {
    const total = past + seq;
    const causal = new Float32Array(seq * total);
    for (let t = 0; t < seq; t++) for (let j = past + t + 1; j < total; j++) causal[t * total + j] = -1e9;
    const bias = tf.tensor4d(causal, [1, 1, seq, total]);
    if (!attentionMask) return bias;
    const batch = attentionMask.shape[0]!;
    if (attentionMask.shape[1] !== total)
      throw new ShapeError(
        `attentionMask covers ${attentionMask.shape[1]} keys, expected past ${past} + seq ${seq} = ${total}`,
      );
    const pad = tf.reshape(tf.mul(tf.sub(1, tf.cast(attentionMask, 'float32')), -1e9), [batch, 1, 1, total]);
    return tf.add(bias, pad);
  }

  /** One block; returns its output and its full keys/values (past + new). */
  private block(
    i: number,
    x: Tensor,
    bias: Tensor,
    past: { k?: Tensor; v?: Tensor },
    training: boolean,
    seed: () => number,
  ): { x: Tensor; k: Tensor; v: Tensor } {
    const c = this.config;
    const [batch, seq, hidden] = x.shape as [number, number, number];
    const headDim = hidden / c.numHeads;
    const p = `h.${i}`;
    const lin = (t: Tensor, name: string) => dense(t, this.p(`${p}.${name}.weight`), this.p(`${p}.${name}.bias`));
    const drop = (t: Tensor) => (training && c.dropout > 0 ? dropout(t, c.dropout, seed()) : t);
    // (B, T, H) → (B, nh, T, hd)
    const heads = (t: Tensor) => tf.transpose(tf.reshape(t, [batch, seq, c.numHeads, headDim]), [0, 2, 1, 3]);
    const a = c.normalization === 'pre' ? this.norm(x, `${p}.ln_1`) : x;
    const q = heads(lin(a, 'attn.query'));
    const kNew = heads(lin(a, 'attn.key'));
    const vNew = heads(lin(a, 'attn.value'));
    const k = past.k ? tf.concat([past.k, kNew], 2) : kNew; // (B, nh, P + T, hd)
    const v = past.v ? tf.concat([past.v, vNew], 2) : vNew;
    const scores = tf.add(tf.matMul(tf.mul(q, 1 / Math.sqrt(headDim)), k, false, true), bias); // (B, nh, T, P + T)
    const probs = drop(tf.softmax(scores));
    const context = tf.reshape(tf.transpose(tf.matMul(probs, v), [0, 2, 1, 3]), [batch, seq, hidden]);
    const attnOut = drop(lin(context, 'attn.output'));
    if (c.normalization === 'pre') {
      const h1 = tf.add(x, attnOut);
      const ff = drop(lin(this.act(lin(this.norm(h1, `${p}.ln_2`), 'mlp.fc_in')), 'mlp.fc_out'));
      return { x: tf.add(h1, ff), k, v };
    }
    const h1 = this.norm(tf.add(x, attnOut), `${p}.ln_1`);
    const ff = drop(lin(this.act(lin(h1, 'mlp.fc_in')), 'mlp.fc_out'));
    return { x: this.norm(tf.add(h1, ff), `${p}.ln_2`), k, v };
  }

  /**
   * Hidden states of the new tokens [batch, seq, hidden] (after the final LayerNorm under `pre`) and the
   * extended cache. Call inside `tf.tidy` and keep the cache tensors you need.
   */
  forward(inputs: GptInputs, past?: KvCache, options: { training?: boolean; seed?: number } = {}): GptOutput {
    const c = this.config;
    const training = options.training ?? this.training;
    let s = options.seed ?? this.seedCounter++;
    const seed = () => (s = (s * 1103515245 + 12345) % 2147483647);
    const [batch, seq] = inputs.inputIds.shape as [number, number];
    const pastLen = past?.keys[0]?.shape[2] ?? 0;
    if (past && (past.keys.length !== c.numLayers || past.values.length !== c.numLayers))
      throw new ShapeError(`past cache has ${past.keys.length} layers, model has ${c.numLayers}`);
    if (pastLen + seq > c.maxPositions)
      throw new ShapeError(`sequence of ${pastLen + seq} positions exceeds max_positions ${c.maxPositions}`);
    const positions =
      inputs.positionIds ?? tf.tile(tf.reshape(tf.range(pastLen, pastLen + seq, 1, 'int32'), [1, seq]), [batch, 1]);
    const words = tf.gather(this.p('wte.weight'), tf.reshape(inputs.inputIds, [-1]));
    const pos = tf.gather(this.p('wpe.weight'), tf.reshape(positions, [-1]));
    let x = tf.reshape(tf.add(words, pos), [batch, seq, c.hiddenSize]);
    if (c.normalization === 'post') x = this.norm(x, 'ln_emb');
    if (training && c.dropout > 0) x = dropout(x, c.dropout, seed());
    const bias = GptModel.attentionBias(seq, pastLen, inputs.attentionMask);
    const present: KvCache = { keys: [], values: [] };
    for (let i = 0; i < c.numLayers; i++) {
      const out = this.block(i, x, bias, { k: past?.keys[i], v: past?.values[i] }, training, seed);
      x = out.x;
      present.keys.push(out.k);
      present.values.push(out.v);
    }
    if (c.normalization === 'pre') x = this.norm(x, 'ln_f');
    return { hidden: x, present };
  }

  /** Next-token logits for hidden states [..., hidden] → [..., vocab] (head tied to the token table). */
  logits(hidden: Tensor): Tensor {
    const c = this.config;
    const flat = tf.reshape(hidden, [-1, c.hiddenSize]);
    const out = tf.add(tf.matMul(flat, this.p('wte.weight'), false, true), this.p('lm_head.bias'));
    return tf.reshape(out, [...hidden.shape.slice(0, -1), c.vocabSize]);
  }

  /** Host copy of the weights (Linear weights [out, in]). */
  stateDict(): Map<string, HostFloatTensor> {
    return this.params.toHost();
  }

  dispose(): void {
    this.params.dispose();
  }
}
