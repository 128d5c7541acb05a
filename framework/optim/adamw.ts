import { ConfigError } from '../errors.js';
import { tf, type Tensor, type Variable } from '../backend/tf.js';
import { onNativeBackend } from '../backend/native.js';

/** Σx² of host values, accumulated in double precision. */
function hostSquares(values: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i]! * values[i]!;
  return sum;
}

/** A set of parameters sharing a learning rate and weight decay, as torch's param groups. */
export interface ParamGroup {
  params: Variable[];
  /** Base learning rate of the group; the schedule multiplies it. */
  lr: number;
  weightDecay: number;
}

export interface AdamWOptions {
  beta1?: number;
  beta2?: number;
  eps?: number;
  /** Clip the global gradient norm (over all groups) to this value before the update; undefined = no clipping. */
  maxGradNorm?: number;
  /**
   * Where the moments live: 'device' (backend tensors, fastest) or 'host' (JS memory, updated in JS) —
   * the latter frees 2 × the parameter count of backend memory, what lets a base-size model train inside
   * the wasm backend's 4 GiB heap.
   */
  stateOn?: 'device' | 'host';
}

/** Optimiser moments of one parameter in host memory (checkpoints, host-side state). */
export interface MomentSlot {
  index: number;
  shape: number[];
  m: Float32Array;
  v: Float32Array;
}

/**
 * AdamW with decoupled weight decay (Loshchilov & Hutter), matching `torch.optim.AdamW`:
 * p ← p·(1 − lr·wd); m, v moment updates; p ← p − lr/(1−β₁ᵗ) · m / (√v/√(1−β₂ᵗ) + ε).
 * @example
 * const groups = [
 *   { params: decay, lr: 5e-5, weightDecay: 0.01 },
 *   { params: noDecay, lr: 5e-5, weightDecay: 0 },
 * ];
 * const opt = new AdamW(groups, { maxGradNorm: 1 });
 * const { gradNorm } = opt.step(grads, 0.5); // lr multiplier from the schedule
 */
export class AdamW {
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly maxGradNorm: number | undefined;
  readonly stateOn: 'device' | 'host';
  /** Completed update steps. */
  stepCount = 0;
  private readonly m = new Map<Variable, Variable>();
  private readonly v = new Map<Variable, Variable>();
  private readonly host = new Map<Variable, { m: Float32Array; v: Float32Array }>();

  constructor(
    readonly groups: ParamGroup[],
    options: AdamWOptions = {},
  ) {
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.eps = options.eps ?? 1e-8;
    this.maxGradNorm = options.maxGradNorm;
    // On the native backend the host loop is the fast path: one pass per parameter instead of ~10 kernels.
    this.stateOn = options.stateOn ?? (onNativeBackend() ? 'host' : 'device');
    for (const [i, g] of groups.entries()) {
      if (!(g.lr >= 0) || !(g.weightDecay >= 0))
        throw new ConfigError(`param group ${i}: lr and weightDecay must be ≥ 0, got ${g.lr} and ${g.weightDecay}`);
    }
  }

  /**
   * One update. `grads` maps each variable's tfjs name to its gradient (as `tf.variableGrads` returns);
   * variables without a gradient are left alone. `lrScale` is the schedule's multiplier for this step.
   * Returns the global gradient norm before clipping.
   */
  step(grads: Readonly<Record<string, Tensor>>, lrScale = 1): { gradNorm: number } {
    const gradNorm = this.globalNorm(grads);
    const clip =
      this.maxGradNorm !== undefined && gradNorm > this.maxGradNorm ? this.maxGradNorm / (gradNorm + 1e-6) : 1;
    this.stepCount++;
    const t = this.stepCount;
    const bc1 = 1 - this.beta1 ** t;
    const bc2Sqrt = Math.sqrt(1 - this.beta2 ** t);
    for (const group of this.groups) {
      const lr = group.lr * lrScale;
      for (const p of group.params) {
        const g = grads[p.name];
        if (!g) continue;
        if (this.stateOn === 'host') {
          this.hostUpdate(p, g, clip, lr, group.weightDecay, bc1, bc2Sqrt);
          continue;
        }
        const m = this.slot(this.m, p);
        const v = this.slot(this.v, p);
        tf.tidy(() => {
          const grad = clip === 1 ? g : tf.mul(g, clip);
          m.assign(tf.add(tf.mul(m, this.beta1), tf.mul(grad, 1 - this.beta1)));
          v.assign(tf.add(tf.mul(v, this.beta2), tf.mul(tf.square(grad), 1 - this.beta2)));
          const denom = tf.add(tf.div(tf.sqrt(v), bc2Sqrt), this.eps);
          const decayed = group.weightDecay > 0 ? tf.mul(p, 1 - lr * group.weightDecay) : p;
          p.assign(tf.sub(decayed, tf.mul(tf.div(m, denom), lr / bc1)));
        });
      }
    }
    return { gradNorm };
  }

  /** √Σ‖g‖² over every gradient of a managed parameter. */
  globalNorm(grads: Readonly<Record<string, Tensor>>): number {
    if (onNativeBackend()) return Math.sqrt(this.managed(grads).reduce((sum, g) => sum + hostSquares(g.dataSync()), 0));
    return tf.tidy(() => {
      const squares = this.managed(grads).map((g) => tf.sum(tf.square(g)));
      return squares.length === 0 ? 0 : Math.sqrt(tf.addN(squares).dataSync()[0]!);
    });
  }

  /** Gradients of the managed parameters that have one. */
  private managed(grads: Readonly<Record<string, Tensor>>): Tensor[] {
    return this.groups
      .flatMap((g) => g.params)
      .map((p) => grads[p.name])
      .filter((g): g is Tensor => g !== undefined);
  }

  private slot(store: Map<Variable, Variable>, p: Variable): Variable {
    let s = store.get(p);
    if (!s) {
      const zeros = tf.zerosLike(p);
      store.set(p, (s = tf.variable(zeros, false)));
      zeros.dispose();
    }
    return s;
  }

  /** The same update as the device path, on host copies (moments never leave JS memory). */
  private hostUpdate(
    p: Variable,
    g: Tensor,
    clip: number,
    lr: number,
    weightDecay: number,
    bc1: number,
    bc2Sqrt: number,
  ): void {
    const grad = g.dataSync() as Float32Array;
    const current = p.dataSync() as Float32Array;
    const param = new Float32Array(current.length);
    let st = this.host.get(p);
    if (!st) this.host.set(p, (st = { m: new Float32Array(param.length), v: new Float32Array(param.length) }));
    const { m, v } = st;
    const b1 = this.beta1;
    const b2 = this.beta2;
    const decay = 1 - lr * weightDecay;
    const stepSize = lr / bc1;
    for (let i = 0; i < param.length; i++) {
      const gi = grad[i]! * clip;
      const mi = (m[i] = b1 * m[i]! + (1 - b1) * gi);
      const vi = (v[i] = b2 * v[i]! + (1 - b2) * gi * gi);
      param[i] = current[i]! * decay - (stepSize * mi) / (Math.sqrt(vi) / bc2Sqrt + this.eps);
    }
    tf.tidy(() => p.assign(tf.tensor(param, p.shape)));
  }

  /** Host copies of the moments for checkpointing, keyed by parameter index across groups. */
  state(): { step: number; slots: MomentSlot[] } {
    const slots = this.groups
      .flatMap((g) => g.params)
      .flatMap((p, index): MomentSlot[] => {
        const h = this.host.get(p);
        if (h) return [{ index, shape: [...p.shape], m: h.m.slice(), v: h.v.slice() }];
        const m = this.m.get(p);
        const v = this.v.get(p);
        return m && v
          ? [
              {
                index,
                shape: [...p.shape],
                m: new Float32Array(m.dataSync() as Float32Array),
                v: new Float32Array(v.dataSync() as Float32Array),
              },
            ]
          : [];
      });
    return { step: this.stepCount, slots };
  }

  /** Restores moments saved by {@link state} (same parameter order). */
  loadState(step: number, slots: { index: number; m: Float32Array; v: Float32Array }[]): void {
    const params = this.groups.flatMap((g) => g.params);
    for (const s of slots) {
      const p = params[s.index];
      if (!p)
        throw new ConfigError(`optimizer state has slot ${s.index} but the model has ${params.length} parameters`);
      if (s.m.length !== p.size)
        throw new ConfigError(`optimizer slot ${s.index}: ${s.m.length} values for a parameter of ${p.size}`);
      if (this.stateOn === 'host') {
        this.host.set(p, { m: s.m.slice(), v: s.v.slice() });
        continue;
      }
      tf.tidy(() => {
        this.slot(this.m, p).assign(tf.tensor(s.m, p.shape));
        this.slot(this.v, p).assign(tf.tensor(s.v, p.shape));
      });
    }
    this.stepCount = step;
  }

  dispose(): void {
    for (const s of [...this.m.values(), ...this.v.values()]) s.dispose();
    this.m.clear();
    this.v.clear();
    this.host.clear();
  }
}
