import { ExportError } from '../../../framework/errors.js';
import type { ClassifierHead } from '../../../inference/export/bundle.js';
import { maskedLmLabelHead } from '../../../inference/export/heads.js';
import { PromptTemplate } from '../../../templates/index.js';
import { ManualVerbalizer } from '../../../verbalizers/index.js';

/**
 * PET's export head: the template and label words as trained; the graph scores the label words at the masks with the
 * masked-LM head, as `PetMethod.logits` does in tfjs.
 * @example await exportBundle(readRunSpec('runs/pet'), petHead, 'bundles/pet');
 */
export const petHead: ClassifierHead = ({ spec, tokenizer }) => {
  if (spec.template === undefined || spec.labelWords === undefined)
    throw new ExportError(`run ${spec.dir}: a ${spec.kind} export needs the template and the label words`);
  const template = PromptTemplate.fromString(spec.template, {
    requireMask: true,
    maxSeqLen: spec.maxSeqLen,
    tokenizer,
  });
  const verbalizer = new ManualVerbalizer({ labelWords: spec.labelWords, numMasks: template.numMasks }, tokenizer);
  return { template, verbalizer, emit: (bert, hidden) => maskedLmLabelHead(bert, hidden, verbalizer, spec.labels) };
};
