/**
 * `exportCompactBundle`: an INT8 classifier bundle (as `exportBundle` with `precision: 'int8'`) whose
 * word-embedding table is int8 too (see int8-embeddings.ts) — about a third of the file. Same
 * `bundle.json` format, so `loadClassifier`, `fewprompt predict` and `fewprompt serve` load it as any bundle;
 * `bundle.json`'s `model.wordEmbeddings` says `int8-rows`.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readSafetensors } from '../../framework/checkpoint/safetensors.js';
import { loadStateDict } from '../../framework/checkpoint/state-dict.js';
import { ExportError } from '../../framework/errors.js';
import { readBertConfig } from '../../framework/model/config.js';
import { BertTokenizer } from '../../framework/tokenizer/index.js';
import { PromptTemplate } from '../../templates/index.js';
import { ManualVerbalizer } from '../../verbalizers/index.js';
import { GraphBuilder } from '../../framework/onnx/graph.js';
import { writeBundle, writeBundleDir, type BundleManifest, type RunSpec } from './bundle.js';
import { finetuneHead, petHead } from './heads.js';
import { Int8EmbeddingBertGraph } from './int8-embeddings.js';
import { WeightReader } from './weights.js';

/**
 * Exports a PET or fine-tuning run as an INT8 bundle with int8 word embeddings.
 * @example
 * await exportCompactBundle(readRunSpec('runs/sentiment'), 'models/taskflow/sentiment-analysis');
 */
export async function exportCompactBundle(spec: RunSpec, out: string): Promise<BundleManifest> {
  if (spec.method !== 'pet' && spec.method !== 'finetune')
    throw new ExportError(
      `${spec.dir}: compact bundles support pet and finetune runs, not ${spec.method}; use exportBundle (--precision int8)`,
    );
  return writeBundleDir(out, (dir) => writeCompact(spec, dir));
}

async function writeCompact(spec: RunSpec, out: string): Promise<BundleManifest> {
  const manifest = await writeBundle(spec, out, { precision: 'int8', fusion: 'contrib' });
  const modelDir = join(spec.dir, 'model');
  const config = readBertConfig(modelDir);
  const tokenizer = await BertTokenizer.fromPretrained(modelDir);
  const methodFile = join(spec.dir, 'method.safetensors');
  const g = new GraphBuilder(`fewprompt-${spec.method}`);
  const bert = new Int8EmbeddingBertGraph(g, config, new WeightReader(loadStateDict(modelDir), modelDir), {
    fusion: 'contrib',
    precision: 'int8',
  });
  const hidden = bert.encode();
  if (spec.method === 'pet') {
    if (spec.template === undefined || spec.labelWords === undefined)
      throw new ExportError(`${spec.dir}: a PET export needs the template and the label words`);
    const template = PromptTemplate.fromString(spec.template, {
      requireMask: true,
      maxSeqLen: spec.maxSeqLen,
      tokenizer,
    });
    petHead(
      bert,
      hidden,
      new ManualVerbalizer({ labelWords: spec.labelWords, numMasks: template.numMasks }, tokenizer),
      spec.labels,
    );
  } else {
    finetuneHead(
      bert,
      hidden,
      new WeightReader(existsSync(methodFile) ? readSafetensors(methodFile) : new Map(), methodFile),
      spec.labels.length,
    );
  }
  writeFileSync(join(out, 'model.onnx'), g.encode());
  const written = JSON.parse(readFileSync(join(out, 'bundle.json'), 'utf8')) as BundleManifest;
  const compact = { ...written, model: { ...written.model, nodes: g.nodes.length, wordEmbeddings: 'int8-rows' } };
  writeFileSync(join(out, 'bundle.json'), `${JSON.stringify(compact, null, 2)}\n`);
  return { ...manifest, model: { ...manifest.model, nodes: g.nodes.length } };
}
