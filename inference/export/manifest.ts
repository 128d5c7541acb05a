/**
 * The `bundle.json` manifest of exported classifier bundles: the contract between export (`bundle.ts`) and the runtime
 * (`inference/runtime`). Its own module, with type-only imports, so that loading a bundle loads none of the export
 * code (tfjs, the ONNX graph builder, arktype). The NER bundle's manifest is `taskflow/ner/manifest.ts`.
 */
import type { TemplateConfig } from '../../templates/base.js';
import type { ManualVerbalizerConfig } from '../../verbalizers/index.js';
import type { Fusion, Precision } from '../../framework/onnx/choices.js';

export const BUNDLE_FORMAT_VERSION = 1;

/** `bundle.json`. */
export interface BundleManifest {
  readonly format: 'fewprompt-bundle';
  readonly formatVersion: number;
  readonly fewpromptVersion: string;
  readonly createdAt: string;
  /** The training method's kind (`pet`, `ptuning`, `efl`, `finetune`, or a registered one). */
  readonly method: string;
  readonly labels: string[];
  /** Fields a text fills, in order (one text → the first; pairs → the first two). */
  readonly textFields: string[];
  readonly maxSeqLen: number;
  readonly template?: TemplateConfig;
  readonly verbalizer?: ManualVerbalizerConfig;
  /**
   * EFL: every input is paired with each label's description (in label order) through `field`; scores =
   * log P(entail).
   */
  readonly pairs?: { readonly field: string; readonly texts: string[] };
  readonly model: {
    readonly file: 'model.onnx';
    readonly precision: Precision;
    readonly fusion: Fusion;
    readonly positionOffset: number;
    /** P-Tuning: soft slot k of the template is fed as id `softTokenOffset + k` (rows appended to the vocabulary). */
    readonly softTokenOffset?: number;
    readonly maxPositionEmbeddings: number;
    readonly hiddenSize: number;
    readonly numHiddenLayers: number;
    readonly nodesPerLayer: number;
    readonly nodes: number;
    readonly wordEmbeddings?: 'int8-rows';
  };
  readonly source: { readonly run: string; readonly metrics?: Record<string, unknown> };
}
