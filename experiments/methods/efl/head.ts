import { ExportError } from '../../../framework/errors.js';
import type { ClassifierHead } from '../../../inference/export/bundle.js';
import { clsClassifierHead } from '../../../inference/export/heads.js';
import { PromptTemplate } from '../../../templates/index.js';
import { EFL_PAIR_FIELD } from './method.js';

/**
 * EFL's export head: every input is paired with each label's description through the pair template; the `[CLS]`
 * classifier gives (not entail, entail) per pair and the runtime takes log P(entail) as the label's score.
 * @example await exportBundle(readRunSpec('runs/efl'), eflHead, 'bundles/efl');
 */
export const eflHead: ClassifierHead = ({ spec, tokenizer, methodWeights }) => {
  if (spec.template === undefined) throw new ExportError(`run ${spec.dir}: an EFL export needs the pair template`);
  const missing = spec.labels.filter((l) => spec.descriptions?.[l] === undefined);
  if (missing.length > 0)
    throw new ExportError(
      `run ${spec.dir}: an EFL export needs a description for every label; missing: ${missing.join(', ')}`,
    );
  const template = PromptTemplate.fromString(spec.template, { maxSeqLen: spec.maxSeqLen, tokenizer });
  return {
    template,
    pairs: { field: EFL_PAIR_FIELD, texts: spec.labels.map((l) => spec.descriptions![l]!) },
    emit: (bert, hidden) => clsClassifierHead(bert, hidden, methodWeights, 2),
  };
};
