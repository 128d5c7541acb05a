/**
 * The LAC network's weights and the project's own on-disk format for them: `lac.json` (config,
 * tensor index, provenance) beside `lac.bin` (the tensors, little-endian F16 or F32, back to back).
 */
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { CheckpointError } from '../../../framework/errors.js';
import { floatToHalf, halfToFloat } from './half.js';

/** Sizes of the LAC BiGRU-CRF network. */
export interface LacConfig {
  readonly vocabSize: number;
  readonly embeddingDim: number;
  readonly hiddenDim: number;
  readonly layers: number;
  readonly numTags: number;
}

/**
 * One GRU direction as PaddlePaddle's `fc` + `dynamic_gru` pair. Gates are ordered
 * [update | reset | candidate]; `inputBias` is the fc bias plus the GRU bias (both add to the
 * same gate input). The GRU weight is two row-major blocks, as Paddle stores it: `gateWeight`
 * [H, 2H] (update, reset) and `candidateWeight` [H, H]. Update rule: `h = (1-u)·h' + u·c`.
 */
export interface GruDirection {
  /** [inputDim, 3H] */ readonly inputWeight: Float32Array;
  /** [3H] */ readonly inputBias: Float32Array;
  /** [H, 2H] */ readonly gateWeight: Float32Array;
  /** [H, H] */ readonly candidateWeight: Float32Array;
}

/** Every parameter of the network, float32 in memory. */
export interface LacWeights {
  readonly config: LacConfig;
  /** [vocabSize, embeddingDim] */ readonly embedding: Float32Array;
  readonly layers: readonly { readonly forward: GruDirection; readonly backward: GruDirection }[];
  /** [2H, numTags] */ readonly emissionWeight: Float32Array;
  /** [numTags] */ readonly emissionBias: Float32Array;
  /** [numTags] */ readonly crfStart: Float32Array;
  /** [numTags] */ readonly crfEnd: Float32Array;
  /** [numTags, numTags], from → to */ readonly crfTransitions: Float32Array;
}

/** Storage type of one tensor in `lac.bin`. */
export type StorageDtype = 'f16' | 'f32';

interface TensorEntry {
  readonly dtype: StorageDtype;
  readonly shape: readonly number[];
  readonly offset: number;
}

/** Contents of `lac.json`. */
export interface LacModelFile {
  readonly format: 'fewprompt-lac';
  readonly version: 1;
  readonly config: LacConfig;
  readonly source: string;
  readonly tensors: Readonly<Record<string, TensorEntry>>;
}

/** Name, data and shape of every tensor, in file order. */
function entries(w: LacWeights): [string, Float32Array, number[]][] {
  const { vocabSize: v, embeddingDim: e, hiddenDim: h, numTags: t } = w.config;
  const out: [string, Float32Array, number[]][] = [['embedding', w.embedding, [v, e]]];
  w.layers.forEach((layer, i) => {
    for (const [dir, g] of [
      ['forward', layer.forward],
      ['backward', layer.backward],
    ] as const) {
      const p = `bigru.${i}.${dir}`;
      out.push(
        [`${p}.input_weight`, g.inputWeight, [i === 0 ? e : 2 * h, 3 * h]],
        [`${p}.input_bias`, g.inputBias, [3 * h]],
        [`${p}.gate_weight`, g.gateWeight, [h, 2 * h]],
        [`${p}.candidate_weight`, g.candidateWeight, [h, h]],
      );
    }
  });
  out.push(
    ['emission.weight', w.emissionWeight, [2 * h, t]],
    ['emission.bias', w.emissionBias, [t]],
    ['crf.start', w.crfStart, [t]],
    ['crf.end', w.crfEnd, [t]],
    ['crf.transitions', w.crfTransitions, [t, t]],
  );
  return out;
}

/**
 * Writes `lac.json` + `lac.bin` into `dir`. `dtypeOf` picks the storage type per tensor name.
 * @example
 * saveLacWeights('inference/taskflow/lexical-analysis/model', weights, 'jieba 0.42.1 lac_small', () => 'f16');
 */
export function saveLacWeights(
  dir: string,
  w: LacWeights,
  source: string,
  dtypeOf: (name: string) => StorageDtype,
): void {
  const tensors: Record<string, TensorEntry> = {};
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const [name, data, shape] of entries(w)) {
    const dtype = dtypeOf(name);
    const bytes = new Uint8Array(data.length * (dtype === 'f16' ? 2 : 4));
    const view = new DataView(bytes.buffer);
    for (let i = 0; i < data.length; i++) {
      if (dtype === 'f16') view.setUint16(2 * i, floatToHalf(data[i]!), true);
      else view.setFloat32(4 * i, data[i]!, true);
    }
    tensors[name] = { dtype, shape, offset };
    chunks.push(bytes);
    offset += bytes.length;
  }
  const file: LacModelFile = { format: 'fewprompt-lac', version: 1, config: w.config, source, tensors };
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'lac.json'), JSON.stringify(file, null, 1) + '\n');
  writeFileSync(join(dir, 'lac.bin'), Buffer.concat(chunks));
}

/**
 * Reads `lac.json` + `lac.bin` from `dir`.
 * @example
 * loadLacWeights('inference/taskflow/lexical-analysis/model').config;
 * // { vocabSize: 20941, embeddingDim: 128, hiddenDim: 128, layers: 2, numTags: 57 }
 */
export function loadLacWeights(dir: string): LacWeights {
  const jsonPath = join(dir, 'lac.json');
  let file: LacModelFile;
  try {
    file = JSON.parse(readFileSync(jsonPath, 'utf8')) as LacModelFile;
  } catch (error) {
    throw new CheckpointError(`cannot read LAC model index ${jsonPath}: ${(error as Error).message}`);
  }
  if (file.format !== 'fewprompt-lac' || file.version !== 1) {
    throw new CheckpointError(
      `${jsonPath}: format ${String(file.format)} v${String(file.version)}, expected fewprompt-lac v1`,
    );
  }
  const bin = readFileSync(join(dir, 'lac.bin'));
  const view = new DataView(bin.buffer, bin.byteOffset, bin.byteLength);
  const get = (name: string, shape: readonly number[]): Float32Array => {
    const entry = file.tensors[name];
    if (!entry) throw new CheckpointError(`${jsonPath}: missing tensor '${name}'`);
    if (entry.shape.join(',') !== shape.join(',')) {
      throw new CheckpointError(
        `${jsonPath}: tensor '${name}' has shape [${entry.shape.join(', ')}], expected [${shape.join(', ')}]`,
      );
    }
    const n = shape.reduce((a, b) => a * b, 1);
    const size = entry.dtype === 'f16' ? 2 : 4;
    if (entry.offset + n * size > bin.byteLength)
      throw new CheckpointError(`${dir}/lac.bin: too short for tensor '${name}'`);
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      out[i] =
        size === 2
          ? halfToFloat(view.getUint16(entry.offset + 2 * i, true))
          : view.getFloat32(entry.offset + 4 * i, true);
    }
    return out;
  };
  const c = file.config;
  const h = c.hiddenDim;
  const direction = (p: string, inDim: number): GruDirection => ({
    inputWeight: get(`${p}.input_weight`, [inDim, 3 * h]),
    inputBias: get(`${p}.input_bias`, [3 * h]),
    gateWeight: get(`${p}.gate_weight`, [h, 2 * h]),
    candidateWeight: get(`${p}.candidate_weight`, [h, h]),
  });
  const layers = Array.from({ length: c.layers }, (_, i) => ({
    forward: direction(`bigru.${i}.forward`, i === 0 ? c.embeddingDim : 2 * h),
    backward: direction(`bigru.${i}.backward`, i === 0 ? c.embeddingDim : 2 * h),
  }));
  return {
    config: c,
    embedding: get('embedding', [c.vocabSize, c.embeddingDim]),
    layers,
    emissionWeight: get('emission.weight', [2 * h, c.numTags]),
    emissionBias: get('emission.bias', [c.numTags]),
    crfStart: get('crf.start', [c.numTags]),
    crfEnd: get('crf.end', [c.numTags]),
    crfTransitions: get('crf.transitions', [c.numTags, c.numTags]),
  };
}
