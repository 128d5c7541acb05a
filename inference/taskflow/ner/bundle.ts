/**
 * `exportTokenBundle`: a token-classification (NER) training run → a bundle for `loadTokenClassifier`:
 *
 *     BUNDLE/model.onnx     encoder + tag layer, output `scores` [batch, seq, tags]
 *     BUNDLE/tokenizer/     vocab.txt, tokenizer.json, tokenizer_config.json
 *     BUNDLE/bundle.json    tags, entity types, maxSeqLen, LAC tag features, precision, source run and its metrics
 *
 * The run directory holds `model/` (encoder, Hugging Face layout), `method.safetensors` (the tag layer)
 * and `method.json` (`kind: 'token-classification'`, `tags`, `maxSeqLen`, optional `lacTags`), as
 * `train.ts` writes it. A run with `lacTags` gives a graph with a second int32 input,
 * `lac_tag_ids` [batch, seq]; the runtime computes it with LAC. Under `int8` the word embeddings are
 * int8 rows too (int8-embeddings.ts).
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readSafetensors } from '../../../framework/checkpoint/safetensors.js';
import { loadStateDict } from '../../../framework/checkpoint/state-dict.js';
import { ExportError } from '../../../framework/errors.js';
import { readBertConfig } from '../../../framework/model/config.js';
import { BertTokenizer } from '../../../framework/tokenizer/index.js';
import { GraphBuilder } from '../../../framework/onnx/graph.js';
import { BertGraph } from '../../../framework/model/bert-graph.js';
import type { Precision } from '../../../framework/onnx/choices.js';
import { tokenClassificationHead } from './head.js';
import { Int8EmbeddingBertGraph } from '../../export/int8-embeddings.js';
import { readJson, writeBundleDir } from '../../export/bundle.js';
import { TOKEN_BUNDLE_FORMAT, TOKEN_BUNDLE_FORMAT_VERSION, type TokenBundleManifest } from './manifest.js';
import { WeightReader } from '../../../framework/onnx/weights.js';
import { checkLacTagFeatures, type LacTagFeatures } from './lac-char-tags.js';

export { TOKEN_BUNDLE_FORMAT, TOKEN_BUNDLE_FORMAT_VERSION, type TokenBundleManifest } from './manifest.js';

/**
 * Exports a token-classification run.
 * @example
 * const m = await exportTokenBundle('/work/runs/ner/final', 'models/taskflow/ner', { precision: 'int8' });
 * m.tags.length; // → 21
 */
export async function exportTokenBundle(
  run: string,
  out: string,
  options: { precision?: Precision } = {},
): Promise<TokenBundleManifest> {
  return writeBundleDir(out, (dir) => writeTokenBundle(run, dir, options));
}

async function writeTokenBundle(
  run: string,
  out: string,
  options: { precision?: Precision },
): Promise<TokenBundleManifest> {
  const precision = options.precision ?? 'fp32';
  const spec = readJson(join(run, 'method.json'), `run ${run}`);
  if (spec['kind'] !== 'token-classification')
    throw new ExportError(`run ${run}: method.json kind is '${String(spec['kind'])}', expected 'token-classification'`);
  const tags = spec['tags'];
  if (!Array.isArray(tags) || tags.some((t) => typeof t !== 'string'))
    throw new ExportError(`run ${run}: method.json has no 'tags' list`);
  const modelDir = join(run, 'model');
  if (!existsSync(modelDir)) throw new ExportError(`run ${run}: no model/ directory`);
  const methodFile = join(run, 'method.safetensors');
  if (!existsSync(methodFile)) throw new ExportError(`run ${run}: no method.safetensors (the tag layer)`);
  let lacTags: LacTagFeatures | undefined;
  try {
    lacTags =
      spec['lacTags'] === undefined ? undefined : checkLacTagFeatures(spec['lacTags'], `run ${run}: method.json`);
  } catch (error) {
    throw new ExportError((error as Error).message);
  }
  const config = readBertConfig(modelDir);
  const tokenizer = await BertTokenizer.fromPretrained(modelDir);
  const g = new GraphBuilder('fewprompt-token-classification');
  const Graph = precision === 'int8' ? Int8EmbeddingBertGraph : BertGraph;
  const bert = new Graph(g, config, new WeightReader(loadStateDict(modelDir), modelDir), {
    fusion: 'contrib',
    precision,
  });
  tokenClassificationHead(
    bert,
    bert.encode(),
    new WeightReader(readSafetensors(methodFile), methodFile),
    tags.length,
    lacTags,
  );
  mkdirSync(join(out, 'tokenizer'), { recursive: true });
  writeFileSync(join(out, 'model.onnx'), g.encode());
  await tokenizer.save(join(out, 'tokenizer'));
  const metricsFile = join(run, 'metrics.json');
  const manifest: TokenBundleManifest = {
    format: TOKEN_BUNDLE_FORMAT,
    formatVersion: TOKEN_BUNDLE_FORMAT_VERSION,
    createdAt: new Date().toISOString(),
    method: 'token-classification',
    tags: tags as string[],
    maxSeqLen: Math.min(Number(spec['maxSeqLen'] ?? 128), config.maxPositionEmbeddings - config.positionOffset),
    ...(lacTags ? { lacTags } : {}),
    model: {
      file: 'model.onnx',
      precision,
      positionOffset: config.positionOffset,
      hiddenSize: config.hiddenSize,
      numHiddenLayers: config.numHiddenLayers,
      nodes: g.nodes.length,
    },
    source: { run, ...(existsSync(metricsFile) ? { metrics: readJson(metricsFile, `run ${run}`) } : {}) },
  };
  writeFileSync(join(out, 'bundle.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}
