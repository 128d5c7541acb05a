/**
 * `bundle.json` of a token-classification (NER) bundle: the contract between export (`bundle.ts`) and the runtime
 * (`token-classifier.ts`). Its own module, with type-only imports, so that loading a bundle loads none of the export
 * code.
 */
import type { Precision } from '../../../framework/onnx/choices.js';
import type { LacTagFeatures } from './lac-char-tags.js';

export const TOKEN_BUNDLE_FORMAT = 'fewprompt-token-bundle';
export const TOKEN_BUNDLE_FORMAT_VERSION = 1;

/** `bundle.json` of a token-classification bundle. */
export interface TokenBundleManifest {
  readonly format: typeof TOKEN_BUNDLE_FORMAT;
  readonly formatVersion: number;
  readonly createdAt: string;
  readonly method: 'token-classification';
  /** Tag per output column (`O`, `B-<type>`, `I-<type>`, …). */
  readonly tags: string[];
  /** Tokens per window, `[CLS]` and `[SEP]` included. */
  readonly maxSeqLen: number;
  /** LAC character tags the tag layer reads (graph input `lac_tag_ids`); absent in bundles without them. */
  readonly lacTags?: LacTagFeatures;
  readonly model: {
    readonly file: 'model.onnx';
    readonly precision: Precision;
    readonly positionOffset: number;
    readonly hiddenSize: number;
    readonly numHiddenLayers: number;
    readonly nodes: number;
  };
  readonly source: { readonly run: string; readonly metrics?: Record<string, unknown> };
}
