import { ShapeError } from '../errors.js';
import { tf, type Tensor } from '../backend/tf.js';
import { customGrad } from './custom-grad.js';

/**
 * Matrix products routed around a wasm backend weakness: its XNNPACK path is taken only for a plain 2-D
 * product; `transposeA/B` or a batch dimension fall to a naive loop 17–44× slower (measured here:
 * 1024×256×1024 plain 48 ms, transposeB 806 ms, transposeA 2115 ms). So on wasm we transpose explicitly
 * (a cheap memory move) and multiply plain, in the forward pass and — through `customGrad` — in the
 * backward pass too. Other backends get tfjs's own ops.
 */
let explicitTransposes: boolean | undefined;

/** Whether matmuls are routed through explicit transposes (true on wasm). */
export function usesExplicitTransposes(): boolean {
  explicitTransposes ??= tf.getBackend() === 'wasm';
  return explicitTransposes;
}

/** Forget the cached backend decision (tests that switch backends call this). */
export function resetMatMulRouting(): void {
  explicitTransposes = undefined;
}

const t2 = (x: Tensor): Tensor => tf.transpose(x);
const t3 = (x: Tensor): Tensor => tf.transpose(x, [0, 2, 1]);

/** Plain product of already-oriented operands: 2-D, or 3-D as a loop of 2-D products. */
function plain(a: Tensor, b: Tensor): Tensor {
  if (a.rank === 2) return tf.matMul(a, b);
  const as = tf.unstack(a);
  const bs = tf.unstack(b);
  const out = tf.stack(as.map((ai, i) => tf.matMul(ai, bs[i]!)));
  tf.dispose([...as, ...bs]);
  return out;
}

function routed(transposeA: boolean, transposeB: boolean, rank: 2 | 3): (a: Tensor, b: Tensor) => Tensor {
  const t = rank === 2 ? t2 : t3;
  return customGrad(([a, b], save) => {
    save([a!, b!]);
    return {
      value: plain(transposeA ? t(a!) : a!, transposeB ? t(b!) : b!),
      gradFunc: (dy, [as, bs]) => {
        // C = A'·B'  ⇒  dA' = dC·B'ᵀ, dB' = A'ᵀ·dC; then undo the operand transposes.
        const aOriented = transposeA ? t(as!) : as!;
        const bOriented = transposeB ? t(bs!) : bs!;
        const da = plain(dy, t(bOriented));
        const db = plain(t(aOriented), dy);
        return [transposeA ? t(da) : da, transposeB ? t(db) : db];
      },
    };
  });
}

const ROUTES = new Map<string, (a: Tensor, b: Tensor) => Tensor>();
function route(transposeA: boolean, transposeB: boolean, rank: 2 | 3): (a: Tensor, b: Tensor) => Tensor {
  const key = `${transposeA}${transposeB}${rank}`;
  let fn = ROUTES.get(key);
  if (!fn) ROUTES.set(key, (fn = routed(transposeA, transposeB, rank)));
  return fn;
}

/** 2-D product `op(a)·op(b)` taking the fast path on every backend, forward and backward. */
export function matMul2d(a: Tensor, b: Tensor, transposeA = false, transposeB = false): Tensor {
  if (a.rank !== 2 || b.rank !== 2) throw new ShapeError(`matMul2d expects rank-2 inputs, got ranks ${a.rank} and ${b.rank}`);
  if (!usesExplicitTransposes()) return tf.matMul(a, b, transposeA, transposeB);
  return route(transposeA, transposeB, 2)(a, b);
}

/**
 * Batched product a [..., m, k] · b [..., k, n] (optional transposes of the last two dims). On wasm each
 * batch item is a plain 2-D product, forward and backward.
 */
export function batchMatMul(a: Tensor, b: Tensor, transposeA = false, transposeB = false): Tensor {
  if (a.rank < 3 || a.rank !== b.rank) throw new ShapeError(`batchMatMul expects equal ranks ≥ 3, got ${a.rank} and ${b.rank}`);
  if (!usesExplicitTransposes()) return tf.matMul(a, b, transposeA, transposeB);
  const a3 = tf.reshape(a, [-1, a.shape[a.rank - 2]!, a.shape[a.rank - 1]!]);
  const b3 = tf.reshape(b, [-1, b.shape[b.rank - 2]!, b.shape[b.rank - 1]!]);
  const y = route(transposeA, transposeB, 3)(a3, b3);
  return tf.reshape(y, [...a.shape.slice(0, -2), y.shape[1]!, y.shape[2]!]);
}

/**
 * Dense layer `x·W + bias` for x [..., in] and W [in, out]; leading dims are flattened into one 2-D product.
 */
export function dense(x: Tensor, weight: Tensor, bias?: Tensor): Tensor {
  const inDim = x.shape[x.rank - 1]!;
  if (weight.rank !== 2 || weight.shape[0] !== inDim) {
    throw new ShapeError(`dense: input last dim ${inDim} does not match weight shape [${weight.shape.join(', ')}]`);
  }
  const x2d = x.rank === 2 ? x : tf.reshape(x, [-1, inDim]);
  let y = usesExplicitTransposes() ? route(false, false, 2)(x2d, weight) : tf.matMul(x2d, weight);
  if (bias) y = tf.add(y, bias);
  return x.rank === 2 ? y : tf.reshape(y, [...x.shape.slice(0, -1), weight.shape[1]!]);
}
