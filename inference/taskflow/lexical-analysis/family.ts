/**
 * The lexical-analysis family as data (PaddleNLP's LAC on ONNX Runtime, and jieba): its two tasks. LAC is converted
 * (`convert-lac.ts`), not trained here, so the family has no recipe; `ner`'s `fast` mode uses it too.
 */
import { taskflowFamily, taskflowTask } from '../family.js';

export const WORD_SEGMENTATION_TASK = taskflowTask({
  kind: 'word_segmentation',
  summary: "the words of each text (base: LAC; fast: jieba's dictionary and HMM)",
  modes: { base: 'lac', fast: 'jieba' },
  defaultMode: 'base',
  load: async () => (await import('./word-segmentation.js')).WordSegmentationTask,
});

export const POS_TAGGING_TASK = taskflowTask({
  kind: 'pos_tagging',
  summary: "[word, tag] pairs: LAC's 24 part-of-speech tags plus PER, LOC, ORG and TIME",
  modes: { base: 'lac' },
  defaultMode: 'base',
  load: async () => (await import('./pos-tagging.js')).PosTaggingTask,
});

/** `inference/taskflow/lexical-analysis/`. */
export const LEXICAL_ANALYSIS_FAMILY = taskflowFamily({
  name: 'lexical-analysis',
  tasks: [WORD_SEGMENTATION_TASK, POS_TAGGING_TASK],
});
