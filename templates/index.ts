/**
 * The template DSL: parse PaddleNLP-style prompt strings (or build the same blocks in code),
 * print them back canonically, and render examples into typed segments.
 *
 * @example
 * import { parseTemplate, renderTemplate, segmentsToText } from './templates/index.js';
 * const t = parseTemplate("{'text': 'text_a'}这句话是{'mask'}面的。", { requireMask: true });
 * segmentsToText(renderTemplate(t, { text_a: '很好' })); // => '很好这句话是[MASK]面的。'
 */
export * from './blocks.js';
export { parseTemplate, type ParseOptions } from './parser.js';
export { KIND_KEYS, ATTRIBUTE_KEYS, VALID_KEYS } from './block-rules.js';
export {
  template,
  TemplateBuilder,
  toTemplateString,
  text,
  hard,
  mask,
  soft,
  sep,
  cls,
  options,
  type CommonOptions,
  type SoftOptions,
  type OptionsOptions,
} from './builder.js';
export {
  renderTemplate,
  softTokenLayout,
  segmentsToText,
  type Segment,
  type SegmentBase,
  type TextSegment,
  type HardSegment,
  type MaskSegment,
  type SoftSegment,
  type SpecialSegment,
  type OptionsSegment,
  type SoftLayout,
  type RenderOptions,
  type TokenCounter,
} from './render.js';
export type {
  CompiledBatch,
  CompiledExample,
  CompileOptions,
  SoftTable,
  TemplateConfig,
  TemplateKind,
} from './base.js';
export { compileSegments, collateCompiled, type CompileSegmentsOptions } from './compile.js';
export { PromptTemplate, TEMPLATE_KINDS, type PromptTemplateOptions } from './prompt-template.js';
export { PromptEncoder, type ParamFactory } from './prompt-encoder.js';
