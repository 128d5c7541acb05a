import type { GptConfig } from './gpt-config.js';
import type { ParameterSpec } from '../../../framework/model/parameters.js';

const linear = (name: string, inDim: number, outDim: number): ParameterSpec[] => [
  { name: `${name}.weight`, shape: [inDim, outDim], init: 'normal', linear: true, noDecay: false },
  { name: `${name}.bias`, shape: [outDim], init: 'zeros', linear: false, noDecay: true },
];
const norm = (name: string, dim: number): ParameterSpec[] => [
  { name: `${name}.weight`, shape: [dim], init: 'ones', linear: false, noDecay: true },
  { name: `${name}.bias`, shape: [dim], init: 'zeros', linear: false, noDecay: true },
];

/**
 * Every parameter of a {@link GptModel}: token and position tables, per block q/k/v/output projections,
 * two LayerNorms and the feed-forward pair, and the LM head's bias (its matrix is the token table, tied).
 * `post` adds the embedding LayerNorm (as BERT), `pre` the final LayerNorm (as GPT-2).
 * Linear weights are stored [in, out] and saved [out, in], as the encoder's.
 */
export function gptParameterSpecs(c: GptConfig): ParameterSpec[] {
  const h = c.hiddenSize;
  const specs: ParameterSpec[] = [
    { name: 'wte.weight', shape: [c.vocabSize, h], init: 'normal', linear: false, noDecay: false },
    { name: 'wpe.weight', shape: [c.maxPositions, h], init: 'normal', linear: false, noDecay: false },
  ];
  if (c.normalization === 'post') specs.push(...norm('ln_emb', h));
  for (let i = 0; i < c.numLayers; i++) {
    const p = `h.${i}`;
    specs.push(
      ...linear(`${p}.attn.query`, h, h),
      ...linear(`${p}.attn.key`, h, h),
      ...linear(`${p}.attn.value`, h, h),
      ...linear(`${p}.attn.output`, h, h),
      ...norm(`${p}.ln_1`, h),
      ...linear(`${p}.mlp.fc_in`, h, c.intermediateSize),
      ...linear(`${p}.mlp.fc_out`, c.intermediateSize, h),
      ...norm(`${p}.ln_2`, h),
    );
  }
  if (c.normalization === 'pre') specs.push(...norm('ln_f', h));
  specs.push({ name: 'lm_head.bias', shape: [c.vocabSize], init: 'zeros', linear: false, noDecay: true });
  return specs;
}
