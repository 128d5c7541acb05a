/**
 * A BERT encoder layer as one tfjs op on the native backend: the forward pass is one ORT call that also returns
 * the activations the backward pass needs, the backward pass one more (graphs in `bert-layer-graphs.ts`). tfjs's
 * autograd sees a single custom-gradient op per layer; everything above the layer is unchanged.
 */
import { tf, type Tensor } from '../backend/tf.js';
import { NativeSession, type NativeTensor } from '../backend/ort-binding.js';
import { customGrad } from '../ops/custom-grad.js';
import { dropoutMask } from '../ops/dropout.js';
import { BACKWARD_OUTPUTS, PARAM_INPUTS, SAVED, layerBackwardGraph, layerForwardGraph } from './bert-layer-graphs.js';
import type { LayerGraphSpec } from './encoder-layer.js';

const MASK_FEEDS = ['mask_attn', 'mask_attn_out', 'mask_ffn_out'] as const;

const sessions = new Map<string, NativeSession>();

function session(kind: 'forward' | 'forward-save' | 'backward', spec: LayerGraphSpec, dropout: boolean): NativeSession {
  const key = `${kind}|${dropout}|${spec.hidden}|${spec.heads}|${spec.intermediate}|${spec.act}|${spec.eps}`;
  let s = sessions.get(key);
  if (!s) {
    const graph =
      kind === 'backward'
        ? layerBackwardGraph(spec, { dropout })
        : layerForwardGraph(spec, { dropout, save: kind === 'forward-save' });
    sessions.set(
      key,
      (s = NativeSession.create(graph, { name: `encoder layer ${kind === 'backward' ? 'backward' : 'forward'}` })),
    );
  }
  return s;
}

/** A float32 tensor's host values as the binding takes them (no copy on the native backend). */
function feed(t: Tensor): NativeTensor {
  const values = t.dataSync();
  return {
    type: 'float32',
    dims: t.shape,
    data: values instanceof Float32Array ? values : Float32Array.from(values as ArrayLike<number>),
  };
}

const toTensor = (t: NativeTensor): Tensor => tf.tensor(t.data as Float32Array, [...t.dims], 'float32');

/** Dropout of one layer: the three sites' rates and seeds, in `BertModel.layer`'s order. */
export interface LayerDropout {
  readonly attentionRate: number;
  readonly hiddenRate: number;
  readonly seeds: readonly [number, number, number];
}

/**
 * Keep-masks scaled by 1/(1−p), drawn as `ops/dropout.ts` draws them (same seeds → same units dropped), so the
 * fused layer reproduces the tfjs layer's training run.
 */
function dropoutMasks(x: Tensor, heads: number, d: LayerDropout): Tensor[] {
  const [batch, seq, hidden] = x.shape as [number, number, number];
  const shapes = [
    [batch, heads, seq, seq],
    [batch, seq, hidden],
    [batch, seq, hidden],
  ];
  const rates = [d.attentionRate, d.hiddenRate, d.hiddenRate];
  return shapes.map((shape, k) => (rates[k]! <= 0 ? tf.ones(shape) : dropoutMask(shape, rates[k]!, d.seeds[k]!)));
}

/** True while tfjs records operations for a gradient (inside `tf.grads` / `variableGrads`). */
function recordingGradients(): boolean {
  return (tf.engine() as unknown as { isTapeOn(): boolean }).isTapeOn();
}

/**
 * One encoder layer: x [B, T, H], additive mask [B, 1, 1, T], the layer's 16 parameters in `LAYER_PARAMS` order,
 * dropout or undefined (eval). Gradients flow to x and the parameters.
 * @example const y = fusedEncoderLayer(spec, x, maskBias, params, undefined); // [B, T, H]
 */
export function fusedEncoderLayer(
  spec: LayerGraphSpec,
  x: Tensor,
  maskBias: Tensor,
  params: readonly Tensor[],
  dropout: LayerDropout | undefined,
): Tensor {
  const masks = dropout ? dropoutMasks(x, spec.heads, dropout) : [];
  const feeds = (xi: Tensor, mb: Tensor, ps: readonly Tensor[]): Record<string, NativeTensor> => {
    const out: Record<string, NativeTensor> = { x: feed(xi), mask_bias: feed(mb) };
    PARAM_INPUTS.forEach((n, i) => {
      out[n] = feed(ps[i]!);
    });
    masks.forEach((m, i) => {
      out[MASK_FEEDS[i]!] = feed(m);
    });
    return out;
  };
  if (!recordingGradients()) {
    const { y } = session('forward', spec, dropout !== undefined).run(feeds(x, maskBias, params), ['y']);
    tf.dispose(masks);
    return toTensor(y!);
  }
  const maskBiasShape = maskBias.shape;
  const op = customGrad(([xi, mb, ...ps], save) => {
    const out = session('forward-save', spec, dropout !== undefined).run(feeds(xi!, mb!, ps), [
      'y',
      ...SAVED.map((n) => `saved_${n}`),
    ]);
    const saved = SAVED.map((n) => toTensor(out[`saved_${n}`]!));
    save([xi!, ...ps, ...masks, ...saved]);
    return {
      value: toTensor(out['y']!),
      gradFunc: (dy, kept) => {
        const [xs, ...rest] = kept;
        const pk = rest.slice(0, PARAM_INPUTS.length);
        const mk = rest.slice(PARAM_INPUTS.length, PARAM_INPUTS.length + masks.length);
        const sk = rest.slice(PARAM_INPUTS.length + masks.length);
        const bwd: Record<string, NativeTensor> = { dy: feed(dy), x: feed(xs!) };
        PARAM_INPUTS.forEach((n, i) => {
          if (n.startsWith('w') || n.startsWith('g')) bwd[n] = feed(pk[i]!);
        });
        mk.forEach((m, i) => {
          bwd[MASK_FEEDS[i]!] = feed(m);
        });
        SAVED.forEach((n, i) => {
          bwd[`saved_${n}`] = feed(sk[i]!);
        });
        const grads = session('backward', spec, dropout !== undefined).run(bwd, BACKWARD_OUTPUTS);
        const [dx, ...dParams] = BACKWARD_OUTPUTS.map((n) => toTensor(grads[n]!));
        return [dx!, tf.zeros(maskBiasShape), ...dParams];
      },
    };
  });
  const y = op(x, maskBias, ...params);
  tf.dispose(masks);
  return y;
}
