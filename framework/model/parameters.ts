import { CheckpointError } from '../errors.js';
import { tf, type Variable } from '../backend/tf.js';
import type { HostTensor } from '../checkpoint/host-tensor.js';

/** A float32 host tensor in Hugging Face orientation (Linear weights are [out, in]). */
export type HostFloatTensor = Extract<HostTensor, { dtype: 'float32' }>;

/** How a parameter is created, stored and optimised. */
export interface ParameterSpec {
  /** Canonical Hugging Face name without the `bert.` prefix, e.g. `encoder.layer.0.attention.self.query.weight`. */
  name: string;
  /** Shape as fewprompt stores it (Linear weights as [in, out], so forward products need no transpose). */
  shape: number[];
  init: 'normal' | 'zeros' | 'ones';
  /** A Linear weight: Hugging Face stores it transposed ([out, in]). */
  linear: boolean;
  /** Excluded from weight decay (biases and LayerNorm), as in BERT's recipe. */
  noDecay: boolean;
}

/**
 * The trainable tensors of a model, by canonical name. Loading checks every key and shape first and
 * assigns nothing unless all match.
 */
export class ParameterStore {
  readonly variables = new Map<string, Variable>();
  readonly specs = new Map<string, ParameterSpec>();

  constructor(specs: ParameterSpec[], initializerRange: number, seed: number) {
    let s = seed;
    for (const spec of specs) {
      if (this.specs.has(spec.name)) throw new CheckpointError(`duplicate parameter ${spec.name}`);
      this.specs.set(spec.name, spec);
      const value = tf.tidy(() =>
        spec.init === 'zeros'
          ? tf.zeros(spec.shape)
          : spec.init === 'ones'
            ? tf.ones(spec.shape)
            : tf.mul(tf.randomNormal(spec.shape, 0, 1, 'float32', s++), initializerRange),
      );
      this.variables.set(spec.name, tf.variable(value, true));
      value.dispose();
    }
  }

  /** The variable for `name`; throws if the model has no such parameter. */
  get(name: string): Variable {
    const v = this.variables.get(name);
    if (!v) throw new CheckpointError(`model has no parameter ${name}`);
    return v;
  }

  /** Parameter count. */
  size(): number {
    let n = 0;
    for (const v of this.variables.values()) n += v.size;
    return n;
  }

  /**
   * Assigns weights from a host state dict (canonical keys, HF orientation). Every expected key must be
   * present with the right shape unless listed in `optional`; otherwise nothing is assigned and the error
   * lists all missing, unexpected and mis-shaped keys.
   */
  load(
    state: ReadonlyMap<string, HostTensor>,
    options: { optional?: (name: string) => boolean; ignore?: (key: string) => boolean } = {},
  ): void {
    const missing: string[] = [];
    const misShaped: string[] = [];
    for (const [name, spec] of this.specs) {
      const t = state.get(name);
      if (!t) {
        if (!options.optional?.(name)) missing.push(name);
        continue;
      }
      if (t.dtype !== 'float32') {
        misShaped.push(`${name}: expected float weights, got ${t.dtype}`);
        continue;
      }
      const want = spec.linear ? [spec.shape[1]!, spec.shape[0]!] : spec.shape;
      if (t.shape.length !== want.length || t.shape.some((d, i) => d !== want[i]))
        misShaped.push(`${name}: expected [${want}], got [${t.shape}]`);
    }
    const unexpected = [...state.keys()].filter((k) => !this.specs.has(k) && !options.ignore?.(k));
    if (missing.length || misShaped.length || unexpected.length) {
      const parts = [
        missing.length ? `missing keys (${missing.length}): ${missing.join(', ')}` : '',
        unexpected.length ? `unexpected keys (${unexpected.length}): ${unexpected.join(', ')}` : '',
        misShaped.length ? `mis-shaped keys (${misShaped.length}): ${misShaped.join('; ')}` : '',
      ].filter(Boolean);
      throw new CheckpointError(`checkpoint does not match the model; nothing was loaded. ${parts.join('. ')}`);
    }
    for (const [name, spec] of this.specs) {
      const t = state.get(name);
      if (t?.dtype !== 'float32') continue;
      tf.tidy(() => {
        const hf = tf.tensor(t.data, t.shape, 'float32');
        this.get(name).assign(spec.linear ? tf.transpose(hf) : hf);
      });
    }
  }

  /** Host copies of every parameter in Hugging Face orientation (Linear weights back to [out, in]). */
  toHost(): Map<string, HostFloatTensor> {
    const out = new Map<string, HostFloatTensor>();
    for (const [name, spec] of this.specs) {
      const v = this.get(name);
      // Read outside any tf.tidy: tidy walks a returned typed array element by element looking for
      // tensors (seconds for the 5.4M-float word embeddings). Read, then dispose the transposed copy.
      const t = spec.linear ? tf.transpose(v) : v;
      const data = t.dataSync();
      if (t !== v) t.dispose();
      const shape = spec.linear ? [spec.shape[1]!, spec.shape[0]!] : [...spec.shape];
      out.set(name, { dtype: 'float32', shape, data: new Float32Array(data) });
    }
    return out;
  }

  /** Two optimiser groups as BERT's recipe: weight decay on weights, none on biases and LayerNorm. */
  decayGroups(lr: number, weightDecay: number): { params: Variable[]; lr: number; weightDecay: number }[] {
    const decay: Variable[] = [];
    const noDecay: Variable[] = [];
    for (const [name, spec] of this.specs) (spec.noDecay ? noDecay : decay).push(this.get(name));
    return [
      { params: decay, lr, weightDecay },
      { params: noDecay, lr, weightDecay: 0 },
    ];
  }

  /** Releases every variable. */
  dispose(): void {
    for (const v of this.variables.values()) v.dispose();
    this.variables.clear();
  }
}
