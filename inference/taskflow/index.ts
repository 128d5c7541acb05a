/**
 * Every Taskflow task. Add a task by adding its file and one entry to `TASKS`; the task names,
 * the CLI's list and `Taskflow()`'s result types all come from this array.
 */
import { DependencyParsingTask } from './dependency-parsing/task.js';
import { NerTask } from './ner/task.js';
import { PoetryGenerationTask } from './poetry-generation/task.js';
import { PosTaggingTask } from './lexical-analysis/pos-tagging.js';
import { QuestionAnsweringTask } from './question-answering/task.js';
import { SentimentAnalysisTask } from './sentiment-analysis/task.js';
import { TextCorrectionTask } from './text-correction/task.js';
import { WordSegmentationTask } from './lexical-analysis/word-segmentation.js';

export const TASKS = [
  WordSegmentationTask,
  PosTaggingTask,
  NerTask,
  TextCorrectionTask,
  DependencyParsingTask,
  SentimentAnalysisTask,
  PoetryGenerationTask,
  QuestionAnsweringTask,
] as const;

const seen = new Set<string>();
for (const t of TASKS) {
  if (seen.has(t.kind)) throw new Error(`duplicate Taskflow task '${t.kind}' in inference/taskflow/index.ts`);
  seen.add(t.kind);
}

/** A registered task class. */
export type TaskClass = (typeof TASKS)[number];
/** The registered task names. */
export type TaskName = TaskClass['kind'];

export { Task, type TaskConfig, type TaskflowOptions } from './base.js';
export {
  DependencyParsingTask,
  NerTask,
  PoetryGenerationTask,
  PosTaggingTask,
  QuestionAnsweringTask,
  SentimentAnalysisTask,
  TextCorrectionTask,
  WordSegmentationTask,
};
export { Taskflow, type TaskflowPipeline, type TaskInput, type TaskOutput } from './taskflow.js';
