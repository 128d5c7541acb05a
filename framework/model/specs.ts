import type { BertConfig } from './config.js';
import type { ParameterSpec } from './parameters.js';

/** Which optional parts a model carries besides the encoder. */
export interface BertParts {
  pooler: boolean;
  mlmHead: boolean;
}

/** A Linear layer's weight ([in, out] here, [out, in] in Hugging Face files) and bias. */
export function linear(name: string, inDim: number, outDim: number): ParameterSpec[] {
  return [
    { name: `${name}.weight`, shape: [inDim, outDim], init: 'normal', linear: true, noDecay: false },
    { name: `${name}.bias`, shape: [outDim], init: 'zeros', linear: false, noDecay: true },
  ];
}

function layerNorm(name: string, dim: number): ParameterSpec[] {
  return [
    { name: `${name}.weight`, shape: [dim], init: 'ones', linear: false, noDecay: true },
    { name: `${name}.bias`, shape: [dim], init: 'zeros', linear: false, noDecay: true },
  ];
}

function embedding(name: string, rows: number, dim: number): ParameterSpec {
  return { name, shape: [rows, dim], init: 'normal', linear: false, noDecay: false };
}

/** Every parameter of a BERT encoder (+ pooler, + MLM head), in canonical Hugging Face names. */
export function bertParameterSpecs(c: BertConfig, parts: BertParts): ParameterSpec[] {
  const h = c.hiddenSize;
  const specs: ParameterSpec[] = [
    embedding('embeddings.word_embeddings.weight', c.vocabSize, h),
    embedding('embeddings.position_embeddings.weight', c.maxPositionEmbeddings, h),
    embedding('embeddings.token_type_embeddings.weight', c.typeVocabSize, h),
    ...layerNorm('embeddings.LayerNorm', h),
  ];
  for (let i = 0; i < c.numHiddenLayers; i++) {
    const p = `encoder.layer.${i}`;
    specs.push(
      ...linear(`${p}.attention.self.query`, h, h),
      ...linear(`${p}.attention.self.key`, h, h),
      ...linear(`${p}.attention.self.value`, h, h),
      ...linear(`${p}.attention.output.dense`, h, h),
      ...layerNorm(`${p}.attention.output.LayerNorm`, h),
      ...linear(`${p}.intermediate.dense`, h, c.intermediateSize),
      ...linear(`${p}.output.dense`, c.intermediateSize, h),
      ...layerNorm(`${p}.output.LayerNorm`, h),
    );
  }
  if (parts.pooler) specs.push(...linear('pooler.dense', h, h));
  if (parts.mlmHead) {
    specs.push(
      ...linear('cls.predictions.transform.dense', h, h),
      ...layerNorm('cls.predictions.transform.LayerNorm', h),
      { name: 'cls.predictions.bias', shape: [c.vocabSize], init: 'zeros', linear: false, noDecay: true },
    );
  }
  return specs;
}
