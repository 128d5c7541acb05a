/**
 * What every dataset in fewprompt is: a {@link TaskDefinition} (fields, label set, metric, default
 * PET / P-Tuning / EFL prompts) that loads {@link Example}s. FewCLUE's nine tasks (`fewclue/`) and
 * user datasets ({@link CustomTask}, `custom-task.ts`) share this shape, so one trainer runs both.
 */

/** A field's value: text, or a list of texts (CSL keywords, CHID candidates). */
export type FieldValue = string | string[];

/**
 * One example, independent of the file it came from.
 *
 * @example
 * const ex: Example = { id: 0, fields: { sentence: '物流很快' }, label: 'Positive' };
 */
export interface Example {
  /** The id as written in the data (FewCLUE submissions echo it back unchanged). */
  readonly id: string | number;
  /** Text fields read by templates as `{'text': '<name>'}`. */
  readonly fields: Record<string, FieldValue>;
  /** The label key as it appears in {@link TaskDefinition.labels}; absent for `test` / `unlabeled`. */
  readonly label?: string;
  /** Anything else worth keeping (span offsets, original label descriptions, …). */
  readonly meta?: Record<string, unknown>;
}

/** The evaluation metric; FewCLUE scores all nine tasks by accuracy. */
export type Metric = 'accuracy';

/** Which part of a task's data to load. `train` / `dev` also need a {@link SplitId}. */
export type Part = 'train' | 'dev' | 'test_public' | 'test' | 'unlabeled';

/** FewCLUE's five sampled splits and their de-duplicated union. */
export type SplitId = '0' | '1' | '2' | '3' | '4' | 'few_all';

/** Every {@link Part}, in file order. */
export const PARTS: readonly Part[] = ['train', 'dev', 'test_public', 'test', 'unlabeled'];

/** Every {@link SplitId}. */
export const SPLIT_IDS: readonly SplitId[] = ['0', '1', '2', '3', '4', 'few_all'];

/**
 * Options for {@link TaskDefinition.load}.
 *
 * @example
 * task.load('train', { split: '0', dataDir: '../shared/fewclue' });
 */
export interface LoadOptions {
  /** Which sampled split for `train` / `dev`; default `'0'`. Ignored for the other parts. */
  readonly split?: SplitId;
  /** FewCLUE root (holding `<task>/train_0.json` …); overrides the task's own and `FEWCLUE_DIR`. */
  readonly dataDir?: string;
}

/**
 * A masked-LM prompt: a template in the `templates/` DSL and, per label, its label words. All words
 * of one verbalizer have the same number of characters, which equals the template's mask count.
 *
 * @example
 * const pet: MaskedPrompt = {
 *   template: "{'text': 'sentence'}这句话表示我{'mask'}满意。",
 *   verbalizer: { Negative: ['不'], Positive: ['很'] },
 * };
 */
export interface MaskedPrompt {
  readonly template: string;
  /** Label key → label words. Empty for multiple-choice tasks, whose words are each example's candidates. */
  readonly verbalizer: Readonly<Record<string, readonly string[]>>;
}

/**
 * A verbalizer's label words as a mutable copy (the shape configs and `ManualVerbalizer` take).
 * @example labelWordsOf({ Negative: ['不'], Positive: ['很'] }); // → { Negative: ['不'], Positive: ['很'] }
 */
export function labelWordsOf(verbalizer: MaskedPrompt['verbalizer']): Record<string, string[]> {
  return Object.fromEntries(Object.entries(verbalizer).map(([k, v]) => [k, [...v]]));
}

/**
 * An EFL prompt: the template reads `{'text': 'candidate_label'}`, filled in turn with each label's
 * description, and the model scores each filled pair as entailed or not.
 *
 * @example
 * const efl: EflPrompt = {
 *   template: "这表达了{'text': 'candidate_label'}的情感。{'text': 'sentence'}",
 *   descriptions: { Negative: '不满意', Positive: '满意' },
 * };
 */
export interface EflPrompt {
  readonly template: string;
  /** Label key → text put in `candidate_label`. Empty for multiple-choice tasks (the candidates are used). */
  readonly descriptions: Readonly<Record<string, string>>;
}

/** Default prompts per method, shipped with each task as data. */
export interface TaskDefaults {
  readonly pet: MaskedPrompt;
  readonly ptuning: MaskedPrompt;
  readonly efl: EflPrompt;
}

/**
 * Marks a task whose answer is one of each example's candidates (CHID): the label is the index of the
 * right candidate (as a string), and methods score every candidate instead of a fixed label set.
 *
 * @example
 * const mc: MultipleChoice = { candidatesField: 'candidates', wordLength: 4 };
 */
export interface MultipleChoice {
  /** The `string[]` field holding the candidates. */
  readonly candidatesField: string;
  /** Every candidate's length in characters (= mask count in the PET / P-Tuning templates). */
  readonly wordLength: number;
}

/**
 * How predictions for `test` are written for the leaderboard: one JSON object per line.
 *
 * @example
 * const s: SubmissionFormat = { fileName: 'chidf_predict.json', labelKey: 'answer', labelType: 'number' };
 */
export interface SubmissionFormat {
  readonly fileName: string;
  /** `label` for most tasks, `answer` for CHID. */
  readonly labelKey: 'label' | 'answer';
  /** Write the label key as a JSON string, or as a number (CHID's candidate index). */
  readonly labelType: 'string' | 'number';
}

/** A task's JSON-safe config: `type` is the registry key. */
export interface TaskConfig {
  readonly type: string;
}

/**
 * One classification task: its label set, its metric and its default prompts, and how to load it.
 * Subclasses set `static readonly kind` (the registry key) and implement {@link load}.
 *
 * @example
 * const task = getTask('eprstmt');          // from datasets/index.ts
 * task.labels;                              // => ['Negative', 'Positive']
 * task.load('train', { split: '0' }).length; // => 32
 */
export abstract class TaskDefinition {
  /** Registry key; equals the instance's {@link kind}. */
  static readonly kind: string;
  abstract readonly kind: string;
  /** Label keys exactly as written in the data. */
  abstract readonly labels: readonly string[];
  /** Chinese description of each label key, where the data has one. */
  abstract readonly labelNames?: Readonly<Record<string, string>>;
  /** Fields that hold the text a model reads (templates may also use derived fields). */
  abstract readonly textFields: readonly string[];
  abstract readonly defaults: TaskDefaults;
  abstract readonly submission: SubmissionFormat;
  readonly metric: Metric = 'accuracy';
  /** Set for multiple-choice tasks (CHID). */
  readonly multipleChoice?: MultipleChoice;

  /** Load one part of the data; throws `DataError` naming the file and line of a bad record. */
  /** Whether the task has data for `part` (FewCLUE tasks have every part; a custom task the files it was given). */
  hasPart(_part: Part): boolean {
    return true;
  }

  abstract load(part: Part, options?: LoadOptions): Example[];

  /** JSON-safe config; `fromConfig(getConfig())` rebuilds an equal task. */
  abstract getConfig(): TaskConfig;
}
