/**
 * fewprompt's public API: everything a user script needs, from one import.
 * @example
 * import { initBackend, loadPretrained, BertTokenizer, getTask, PetMethod, Trainer, evaluate } from 'fewprompt';
 */
export { initBackend, currentBackend, BACKEND_PREFERENCE, type BackendName } from './framework/backend/select.js';
export { tf } from './framework/backend/tf.js';
export * from './framework/errors.js';
export { BertModel, type BertInputs, type ForwardOptions } from './framework/model/bert.js';
export { bertConfigFromJson, readBertConfig, BERT_DEFAULTS, type BertConfig } from './framework/model/config.js';
export { loadPretrained, savePretrained, type LoadedModel } from './framework/model/pretrained.js';
export { DEFAULT_MODEL_DIR, DEFAULT_MODEL_NAME, modelOrDefault } from './framework/model/default.js';
export { BertTokenizer, type Encoding, type EncodeOptions } from './framework/tokenizer/index.js';
export { AdamW, lrSchedule, GradientAccumulator } from './framework/optim/index.js';
export { RDropLoss, softmaxCrossEntropy } from './framework/losses/index.js';
export { Trainer, evaluate, type TrainerOptions, type FitResult, type Objective } from './framework/trainer/index.js';
export { fillMask, type FillMaskCandidate } from './framework/pipelines/fill-mask.js';
export { GptModel, type GptInputs, type GptOutput, type KvCache } from './inference/taskflow/poetry-generation/gpt.js';
export {
  gptConfigFromJson,
  readGptConfig,
  GPT_DEFAULTS,
  type GptConfig,
} from './inference/taskflow/poetry-generation/gpt-config.js';
export { CausalLmObjective } from './inference/taskflow/poetry-generation/gpt-objective.js';
export { loadGpt, saveGpt } from './inference/taskflow/poetry-generation/gpt-pretrained.js';
export { TfjsCachedSource, TfjsNaiveSource } from './inference/taskflow/poetry-generation/tfjs-source.js';
export {
  generate,
  resolveGenerationArgs,
  CharVocab,
  STRATEGIES,
  type GenerationArgs,
  type GenerationOptions,
  type GenerationResult,
  type GenerationRun,
  type LogitsSource,
  type Strategy,
} from './framework/generation/index.js';
export { createTracker, NullTracker } from './framework/tracking/index.js';
export { DataParallel } from './framework/parallel/data-parallel.js';
export { PromptTemplate, parseTemplate, template, toTemplateString } from './templates/index.js';
export { ManualVerbalizer, SoftVerbalizer, EflDescriptions } from './verbalizers/index.js';
export { getTask, taskFromConfig, TASK_KINDS, CustomTask, loadJsonl, loadCsv, loadTsv } from './datasets/index.js';
export type { Example, TaskDefinition } from './datasets/base.js';
export {
  PetMethod,
  PTuningMethod,
  EflMethod,
  FinetuneMethod,
  createMethod,
  getMethod,
  methodFromConfig,
  methodKinds,
  registerMethod,
  type MethodDefinition,
  type MethodPrediction,
  type MethodSetup,
} from './experiments/methods/index.js';
export { exportRun } from './experiments/export-run.js';
export {
  Classifier,
  loadClassifier,
  type LoadOptions,
  type Prediction,
  type PredictOptions,
} from './inference/runtime/index.js';
export { PredictionServer, classifierModel, type ServedModel, type ServerOptions } from './inference/serve/server.js';
export { customTaskFromFiles, type CustomFilesSpec } from './datasets/custom-files.js';
export { exportBundle, readRunSpec, type ClassifierHead, type MethodSpec } from './inference/export/bundle.js';
export { parseExperimentConfig, type ExperimentConfig } from './experiments/config/experiment.js';
export { runExperiment, type ExperimentResult } from './experiments/run-experiment.js';
export {
  SoftTargetObjective,
  softLabels,
  summarizePseudoLabels,
  unlabeledPool,
  type PseudoLabelSummary,
} from './experiments/self-training.js';
export { Taskflow } from './inference/taskflow/index.js';
export { DependencyParsingTask, type DependencyParse } from './inference/taskflow/dependency-parsing/task.js';
export { DependencyParser, type Parse } from './inference/taskflow/dependency-parsing/parser.js';
export { QuestionAnsweringTask } from './inference/taskflow/question-answering/task.js';
export { QuestionAnswerer, type QaInput, type AnswerOptions } from './inference/taskflow/question-answering/reader.js';
export type { QaAnswer } from './inference/taskflow/question-answering/decode.js';
export { readSquad, type QaExample } from './inference/taskflow/question-answering/squad.js';
export { cmrcExactMatch, cmrcF1, cmrcScore } from './inference/taskflow/question-answering/evaluate.js';
export { TextCorrectionTask } from './inference/taskflow/text-correction/task.js';
export {
  Corrector,
  type CandidateMode,
  type CorrectionResult,
} from './inference/taskflow/text-correction/corrector.js';
export { readSighanJson, readSighanTruthFiles, type CscPair } from './inference/taskflow/text-correction/sighan.js';
export { sentenceMetrics, type CscMetrics } from './inference/taskflow/text-correction/metrics.js';
export {
  TextGenerator,
  type TextGeneration,
  type TextGenerationOptions,
} from './inference/taskflow/poetry-generation/generator.js';
export { OrtCachedSource } from './inference/taskflow/poetry-generation/ort-source.js';
export { buildGptGraph, exportGptOnnx } from './inference/taskflow/poetry-generation/graph.js';
export { SentimentAnalysisTask, type SentimentResult } from './inference/taskflow/sentiment-analysis/task.js';
export { balancedBias, classScores, type ClassScores } from './inference/taskflow/sentiment-analysis/evaluate.js';
export {
  TokenClassificationMethod,
  type TokenClassificationSetup,
} from './inference/taskflow/ner/token-classification.js';
export { loadCluener, CLUENER_TYPES, type NerExample, type EntitySpan } from './inference/taskflow/ner/cluener.js';
export { loadMsraBio, chunkExample, MSRA_TYPES } from './inference/taskflow/ner/msra.js';
export { exportTokenBundle, type TokenBundleManifest } from './inference/taskflow/ner/bundle.js';
export { loadTokenClassifier, TokenClassifier, type Entity } from './inference/taskflow/ner/token-classifier.js';
export { bioTags, spansToTagIds, tagIdsToSpans } from './inference/taskflow/ner/bio.js';
export { entityF1 } from './inference/taskflow/ner/evaluate.js';
export { chnSentiCorpTask } from './datasets/chnsenticorp/chnsenticorp.js';
export { exportCompactBundle } from './inference/export/compact-bundle.js';
