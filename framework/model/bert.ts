import { ShapeError } from '../errors.js';
import { tf, type Tensor } from '../backend/tf.js';
import { activation } from '../ops/activations.js';
import { dropout } from '../ops/dropout.js';
import { layerNorm } from '../ops/layer-norm.js';
import { dense } from '../ops/matmul.js';
import { customGrad } from '../ops/custom-grad.js';
import { onNativeBackend } from '../backend/native.js';
import { LAYER_PARAMS } from './bert-layer-graphs.js';
import { fusedEncoderLayer } from './fused-layer.js';
import type { BertConfig } from './config.js';
import { layerSpec } from './encoder-layer.js';
import type { HostTensor } from '../checkpoint/host-tensor.js';
import { ParameterStore, type HostFloatTensor } from './parameters.js';
import { bertParameterSpecs, type BertParts } from './specs.js';

/** One batch of encoder inputs; all int32 of shape [batch, seq] except `inputsEmbeds`. */
export interface BertInputs {
  inputIds: Tensor;
  tokenTypeIds?: Tensor;
  attentionMask?: Tensor;
  positionIds?: Tensor;
  /**
   * Word embeddings to use instead of looking up `inputIds` ([batch, seq, hidden]); P-Tuning splices soft prompts here.
   */
  inputsEmbeds?: Tensor;
}

/** Options of one forward pass. */
export interface ForwardOptions {
  /** Dropout on (training) or off. Defaults to the model's `training` flag. */
  training?: boolean;
  /** Seed for this pass's dropout masks; R-Drop passes two different seeds. */
  seed?: number;
}

/**
 * A BERT / ERNIE / RoBERTa encoder with optional pooler and tied masked-LM head — the same computation as
 * Hugging Face's `BertForMaskedLM` (post-LayerNorm residual blocks), on tfjs.
 * @example
 * const model = BertModel.create(config, { pooler: true, mlmHead: true });
 * const hidden = model.encode({ inputIds, attentionMask }); // [batch, seq, hidden]
 */
export class BertModel {
  readonly params: ParameterStore;
  /** Dropout is applied only when true (train mode); `eval()` and `train()` switch it. */
  training = false;
  /** Recompute each layer's activations in the backward pass instead of keeping them (memory for time). */
  recompute = false;
  /**
   * On the native backend, run each encoder layer as one fused ONNX graph each way (`fused-layer.ts`) instead of
   * ~60 tfjs kernels; false keeps the tfjs layer (the reference the fused one is tested against).
   */
  fused = true;
  private readonly act: (x: Tensor) => Tensor;
  private seedCounter: number;

  private constructor(
    readonly config: BertConfig,
    readonly parts: BertParts,
    seed: number,
  ) {
    this.params = new ParameterStore(bertParameterSpecs(config, parts), config.initializerRange, seed);
    this.act = activation(config.hiddenAct);
    this.seedCounter = seed * 7919 + 1;
  }

  /** A randomly initialised model (normal(0, initializer_range) weights, zero biases, unit LayerNorm). */
  static create(config: BertConfig, parts: Partial<BertParts> = {}, seed = 42): BertModel {
    return new BertModel(config, { pooler: parts.pooler ?? true, mlmHead: parts.mlmHead ?? true }, seed);
  }

  /** A model with weights from a canonical-key host state dict; the tied decoder weight is ignored. */
  static fromStateDict(
    config: BertConfig,
    state: ReadonlyMap<string, HostTensor>,
    parts: Partial<BertParts> = {},
  ): BertModel {
    const model = BertModel.create(config, {
      pooler: parts.pooler ?? state.has('pooler.dense.weight'),
      mlmHead: parts.mlmHead ?? state.has('cls.predictions.bias'),
    });
    try {
      model.loadState(state);
    } catch (error) {
      model.dispose(); // a refused checkpoint leaves nothing behind
      throw error;
    }
    return model;
  }

  /**
   * Replaces every weight from a canonical-key host state dict (all keys and shapes checked first); the tied decoder
   * weight, position ids and parts this model lacks (pooler, MLM head, NSP) are ignored.
   */
  loadState(state: ReadonlyMap<string, HostTensor>): void {
    this.params.load(state, {
      ignore: (k) =>
        k === 'cls.predictions.decoder.weight' ||
        k === 'cls.predictions.decoder.bias' ||
        k === 'embeddings.position_ids' ||
        (!this.parts.pooler && k.startsWith('pooler.')) ||
        (!this.parts.mlmHead && k.startsWith('cls.')) ||
        k.startsWith('cls.seq_relationship'),
    });
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

  private nextSeed(options: ForwardOptions): () => number {
    let s = options.seed ?? this.seedCounter++;
    return () => (s = (s * 1103515245 + 12345) % 2147483647);
  }

  /** Embedding layer: word (+ position + token type), LayerNorm, dropout → [batch, seq, hidden]. */
  embed(inputs: BertInputs, training: boolean, seed: () => number): Tensor {
    const c = this.config;
    const [batch, seq] = inputs.inputIds.shape as [number, number];
    if (seq > c.maxPositionEmbeddings - c.positionOffset) {
      throw new ShapeError(`sequence length ${seq} exceeds max_position_embeddings ${c.maxPositionEmbeddings}`);
    }
    const words =
      inputs.inputsEmbeds ?? tf.gather(this.p('embeddings.word_embeddings.weight'), tf.reshape(inputs.inputIds, [-1]));
    const positionIds = inputs.positionIds ?? tf.range(c.positionOffset, c.positionOffset + seq, 1, 'int32');
    const positions = tf.gather(this.p('embeddings.position_embeddings.weight'), tf.reshape(positionIds, [-1]));
    const typeIds = inputs.tokenTypeIds ?? tf.zeros([batch, seq], 'int32');
    const types = tf.gather(this.p('embeddings.token_type_embeddings.weight'), tf.reshape(typeIds, [-1]));
    const sum = tf.add(
      tf.add(tf.reshape(words, [batch, seq, c.hiddenSize]), tf.reshape(positions, [-1, seq, c.hiddenSize])),
      tf.reshape(types, [batch, seq, c.hiddenSize]),
    );
    const normed = layerNorm(
      sum,
      this.p('embeddings.LayerNorm.weight'),
      this.p('embeddings.LayerNorm.bias'),
      c.layerNormEps,
    );
    return training ? dropout(normed, c.hiddenDropoutProb, seed()) : normed;
  }

  /**
   * One transformer block: self-attention with padding mask, residual + LayerNorm, feed-forward, residual + LayerNorm.
   */
  private layer(
    i: number,
    x: Tensor,
    maskBias: Tensor,
    training: boolean,
    seed: () => number,
    param: (name: string) => Tensor = (n) => this.p(n),
  ): Tensor {
    const c = this.config;
    const [batch, seq, hidden] = x.shape as [number, number, number];
    const heads = c.numAttentionHeads;
    const headDim = hidden / heads;
    const p = `encoder.layer.${i}`;
    // (B, T, H) → (B, nh, T, hd); 4-D transposes stay on wasm's fast path (5-D ones do not).
    const heads4 = (t: Tensor) => tf.transpose(tf.reshape(t, [batch, seq, heads, headDim]), [0, 2, 1, 3]);
    const q = heads4(dense(x, param(`${p}.attention.self.query.weight`), param(`${p}.attention.self.query.bias`)));
    const k = heads4(dense(x, param(`${p}.attention.self.key.weight`), param(`${p}.attention.self.key.bias`)));
    const v = heads4(dense(x, param(`${p}.attention.self.value.weight`), param(`${p}.attention.self.value.bias`)));
    const scores = tf.add(tf.matMul(tf.mul(q, 1 / Math.sqrt(headDim)), k, false, true), maskBias); // (B, nh, T, T)
    let probs = tf.softmax(scores);
    if (training) probs = dropout(probs, c.attentionProbsDropoutProb, seed());
    const context = tf.reshape(tf.transpose(tf.matMul(probs, v), [0, 2, 1, 3]), [batch, seq, hidden]); // (B, T, H)
    let attnOut = dense(
      context,
      param(`${p}.attention.output.dense.weight`),
      param(`${p}.attention.output.dense.bias`),
    );
    if (training) attnOut = dropout(attnOut, c.hiddenDropoutProb, seed());
    const h1 = layerNorm(
      tf.add(attnOut, x),
      param(`${p}.attention.output.LayerNorm.weight`),
      param(`${p}.attention.output.LayerNorm.bias`),
      c.layerNormEps,
    );
    const inter = this.act(dense(h1, param(`${p}.intermediate.dense.weight`), param(`${p}.intermediate.dense.bias`)));
    let out = dense(inter, param(`${p}.output.dense.weight`), param(`${p}.output.dense.bias`));
    if (training) out = dropout(out, c.hiddenDropoutProb, seed());
    return layerNorm(
      tf.add(out, h1),
      param(`${p}.output.LayerNorm.weight`),
      param(`${p}.output.LayerNorm.bias`),
      c.layerNormEps,
    );
  }

  /** Layer i as one fused op each way on the native backend; the same seeds as {@link layer}, in the same order. */
  private fusedLayer(i: number, x: Tensor, maskBias: Tensor, training: boolean, seed: () => number): Tensor {
    const c = this.config;
    const params = LAYER_PARAMS.map((n) => this.p(`encoder.layer.${i}.${n}`));
    const dropout = training
      ? {
          attentionRate: c.attentionProbsDropoutProb,
          hiddenRate: c.hiddenDropoutProb,
          seeds: [seed(), seed(), seed()] as const,
        }
      : undefined;
    return fusedEncoderLayer(layerSpec(c), x, maskBias, params, dropout);
  }

  /** Names of layer i's parameters, in a fixed order (recomputation passes them as explicit inputs). */
  private layerParamNames(i: number): string[] {
    const prefix = `encoder.layer.${i}.`;
    return [...this.params.specs.keys()].filter((n) => n.startsWith(prefix));
  }

  /**
   * Layer i with activation recomputation: only the layer input is kept for the backward pass, which
   * re-runs the layer (same dropout seeds) to get its gradients — activation memory of one layer instead
   * of all, what lets a base-size model train inside the wasm heap.
   */
  private recomputedLayer(i: number, x: Tensor, maskBias: Tensor, training: boolean, seed: () => number): Tensor {
    const seeds = [seed(), seed(), seed()];
    const names = this.layerParamNames(i);
    const run = (inputs: Tensor[]): Tensor => {
      const [xi, mb, ...ps] = inputs as [Tensor, Tensor, ...Tensor[]];
      const byName = new Map(names.map((n, k) => [n, ps[k]!]));
      let k = 0;
      return this.layer(
        i,
        xi,
        mb,
        training,
        () => seeds[k++ % seeds.length]!,
        (n) => byName.get(n)!,
      );
    };
    const op = customGrad((inputs, save) => {
      save(inputs);
      return {
        value: tf.tidy(() => run(inputs)),
        gradFunc: (dy, saved) => {
          // tfjs does not nest gradients inside a backward pass: the inner tf.grads replaces the engine's
          // active tape and clears it when done, so the outer pass could no longer free its saved tensors.
          // Keep the outer tape aside and put it back.
          const state = tf.engine().state;
          const outerTape = state.activeTape;
          try {
            return tf.grads((...xs: Tensor[]) => run(xs))(saved, dy);
          } finally {
            state.activeTape = outerTape;
          }
        },
      };
    });
    return op(x, maskBias, ...names.map((n) => this.p(n)));
  }

  /** Encoder output [batch, seq, hidden]. Call inside `tf.tidy` (or a training step) to free intermediates. */
  encode(inputs: BertInputs, options: ForwardOptions = {}): Tensor {
    const training = options.training ?? this.training;
    const seed = this.nextSeed(options);
    const [batch, seq] = inputs.inputIds.shape as [number, number];
    const mask = inputs.attentionMask ?? tf.ones([batch, seq], 'int32');
    // Additive mask: 0 where attended, a large negative where padded; broadcast over heads and queries.
    const maskBias = tf.reshape(tf.mul(tf.sub(1, tf.cast(mask, 'float32')), -1e9), [batch, 1, 1, seq]);
    let x = this.embed(inputs, training, seed);
    const fused = this.fused && !this.recompute && onNativeBackend();
    for (let i = 0; i < this.config.numHiddenLayers; i++) {
      if (fused) x = this.fusedLayer(i, x, maskBias, training, seed);
      else
        x = this.recompute
          ? this.recomputedLayer(i, x, maskBias, training, seed)
          : this.layer(i, x, maskBias, training, seed);
    }
    return x;
  }

  /** Pooler: tanh(dense(hidden state of the first token)) → [batch, hidden]. */
  pool(sequence: Tensor): Tensor {
    if (!this.parts.pooler) throw new ShapeError('this model was built without a pooler');
    const first = tf.squeeze(tf.slice(sequence, [0, 0, 0], [-1, 1, -1]), [1]);
    return tf.tanh(dense(first, this.p('pooler.dense.weight'), this.p('pooler.dense.bias')));
  }

  /**
   * MLM head on selected hidden states [n, hidden] → vocabulary logits [n, vocab] (decoder tied to word embeddings).
   */
  mlmLogits(hidden: Tensor): Tensor {
    if (!this.parts.mlmHead) throw new ShapeError('this model was built without an MLM head');
    const c = this.config;
    const h = layerNorm(
      this.act(
        dense(hidden, this.p('cls.predictions.transform.dense.weight'), this.p('cls.predictions.transform.dense.bias')),
      ),
      this.p('cls.predictions.transform.LayerNorm.weight'),
      this.p('cls.predictions.transform.LayerNorm.bias'),
      c.layerNormEps,
    );
    return tf.add(
      tf.matMul(h, this.p('embeddings.word_embeddings.weight'), false, true),
      this.p('cls.predictions.bias'),
    );
  }

  /** Rows of `sequence` [batch, seq, hidden] at flat positions (batch·seq + t) → [n, hidden]. */
  static gatherPositions(sequence: Tensor, flatPositions: Tensor): Tensor {
    const hidden = sequence.shape[2]!;
    return tf.gather(tf.reshape(sequence, [-1, hidden]), flatPositions);
  }

  /** Host copy of the weights (canonical keys, Hugging Face orientation). */
  stateDict(): Map<string, HostFloatTensor> {
    return this.params.toHost();
  }

  dispose(): void {
    this.params.dispose();
  }
}
