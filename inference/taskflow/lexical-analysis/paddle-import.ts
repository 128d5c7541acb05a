/**
 * Builds {@link LacWeights} from a Baidu LAC / jieba `lac_small` directory in PaddlePaddle's
 * layout: `model_baseline/{word_emb, fc_0..fc_4, gru_0..gru_3, crfw}` as LoDTensor files.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CheckpointError } from '../../../framework/errors.js';
import { readLoDTensor, type PaddleTensor } from './lodtensor.js';
import type { GruDirection, LacWeights } from './weights.js';

/** True when `dir` looks like a PaddlePaddle LAC directory (has `model_baseline/crfw`). */
export function isPaddleLacDir(dir: string): boolean {
  return existsSync(join(dir, 'model_baseline', 'crfw'));
}

/**
 * Reads and validates the PaddlePaddle LAC parameters in `dir`.
 * @example
 * importPaddleLac('../shared/models/lac_small').config;
 * // { vocabSize: 20941, embeddingDim: 128, hiddenDim: 128, layers: 2, numTags: 57 }
 */
export function importPaddleLac(dir: string): LacWeights {
  const base = join(dir, 'model_baseline');
  const read = (name: string, rank: number): PaddleTensor => {
    const path = join(base, name);
    if (!existsSync(path)) throw new CheckpointError(`${path}: missing PaddlePaddle parameter file '${name}'`);
    const t = readLoDTensor(readFileSync(path), path);
    // Paddle stores biases as [1, n] or [n].
    const dims = rank === 1 ? [t.dims.reduce((a, b) => a * b, 1)] : t.dims;
    if (dims.length !== rank)
      throw new CheckpointError(`${path}: rank ${t.dims.length} [${t.dims.join(', ')}], expected rank ${rank}`);
    return { ...t, dims };
  };
  const emb = read('word_emb', 2);
  const [vocabSize, embeddingDim] = emb.dims as [number, number];
  const crf = read('crfw', 2);
  const numTags = crf.dims[1]!;
  if (crf.dims[0] !== numTags + 2)
    throw new CheckpointError(`crfw: shape [${crf.dims.join(', ')}], expected [numTags + 2, numTags]`);
  const gru0 = read('gru_0.w_0', 2);
  const hiddenDim = gru0.dims[0]!;
  const h = hiddenDim;
  const expect = (t: PaddleTensor, shape: number[]) => {
    if (t.dims.join(',') !== shape.join(','))
      throw new CheckpointError(`${t.name}: shape [${t.dims.join(', ')}], expected [${shape.join(', ')}]`);
    return t.data;
  };
  const direction = (fc: number, gru: number, inDim: number): GruDirection => {
    const fcBias = expect(read(`fc_${fc}.b_0`, 1), [3 * h]);
    const gruBias = expect(read(`gru_${gru}.b_0`, 1), [3 * h]);
    const gruWeight = expect(read(`gru_${gru}.w_0`, 2), [h, 3 * h]);
    return {
      inputWeight: expect(read(`fc_${fc}.w_0`, 2), [inDim, 3 * h]),
      inputBias: fcBias.map((b, i) => b + gruBias[i]!),
      // Paddle's GRU weight is not a [H, 3H] matrix split by columns: its first 2·H·H floats are the
      // [H, 2H] update/reset block and the last H·H floats the [H, H] candidate block.
      gateWeight: gruWeight.slice(0, 2 * h * h),
      candidateWeight: gruWeight.slice(2 * h * h),
    };
  };
  const layers = [0, 1].map((i) => ({
    forward: direction(2 * i, 2 * i, i === 0 ? embeddingDim : 2 * h),
    backward: direction(2 * i + 1, 2 * i + 1, i === 0 ? embeddingDim : 2 * h),
  }));
  return {
    config: { vocabSize, embeddingDim, hiddenDim, layers: 2, numTags },
    embedding: emb.data,
    layers,
    emissionWeight: expect(read('fc_4.w_0', 2), [2 * h, numTags]),
    emissionBias: expect(read('fc_4.b_0', 1), [numTags]),
    crfStart: crf.data.slice(0, numTags),
    crfEnd: crf.data.slice(numTags, 2 * numTags),
    crfTransitions: crf.data.slice(2 * numTags),
  };
}
