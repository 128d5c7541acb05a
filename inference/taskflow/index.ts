/**
 * Taskflow's public API: `Taskflow()`, the task classes, and the registry of families. The families are listed once,
 * in `families.ts` (`FAMILIES`); a program adds one with `registerTaskflowFamily`. The task names, the CLI's lists and
 * `Taskflow()`'s result types all derive from the families' descriptors.
 */
export { Task, type TaskConfig, type TaskflowOptions, taskConfig } from './base.js';
export {
  findTaskflowTask,
  isTaskName,
  registerTaskflowFamily,
  taskflowRecipes,
  taskflowTasks,
  taskNames,
} from './catalog.js';
export {
  type TaskClass,
  type TaskflowFamily,
  type TaskflowRecipe,
  type TaskflowTask,
  taskflowFamily,
  taskflowRecipe,
  taskflowTask,
} from './family.js';
export { type CustomTaskflowTasks, FAMILIES, type TaskName } from './families.js';
export { DependencyParsingTask } from './dependency-parsing/task.js';
export { NerTask } from './ner/task.js';
export { PoetryGenerationTask } from './poetry-generation/task.js';
export { PosTaggingTask } from './lexical-analysis/pos-tagging.js';
export { QuestionAnsweringTask } from './question-answering/task.js';
export { SentimentAnalysisTask } from './sentiment-analysis/task.js';
export { TextCorrectionTask } from './text-correction/task.js';
export { WordSegmentationTask } from './lexical-analysis/word-segmentation.js';
export { Taskflow, type TaskflowPipeline, type TaskInput, type TaskOutput } from './taskflow.js';
