/**
 * `exportCompactBundle`: an INT8 classifier bundle (as `exportBundle` with `precision: 'int8'`) whose
 * word-embedding table is int8 too (see int8-embeddings.ts) — about a third of the file. Same
 * `bundle.json` format, so `loadClassifier`, `fewprompt predict` and `fewprompt serve` load it as any bundle;
 * `bundle.json`'s `model.wordEmbeddings` says `int8-rows`.
 */
import { exportBundle, type BundleManifest, type ClassifierHead, type RunSpec } from './bundle.js';

/**
 * Exports a run as an INT8 bundle with int8 word embeddings, through its method's head.
 * @example
 * await exportCompactBundle(readRunSpec('runs/sentiment'), petHead, 'models/taskflow/sentiment-analysis');
 */
export async function exportCompactBundle(spec: RunSpec, head: ClassifierHead, out: string): Promise<BundleManifest> {
  return exportBundle(spec, head, out, { precision: 'int8', fusion: 'contrib', wordEmbeddings: 'int8-rows' });
}
