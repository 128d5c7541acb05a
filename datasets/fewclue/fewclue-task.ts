/**
 * The shared part of FewCLUE's nine tasks: where the files are (`dataDir` option → `FEWCLUE_DIR` →
 * the copy bundled with the package, EPRSTMT only), which file a part/split is, and label checks.
 * Each task file only says how one JSON record becomes an {@link Example}.
 */
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ConfigError, DataError } from '../../framework/errors.js';
import {
  PARTS,
  SPLIT_IDS,
  TaskDefinition,
  type Example,
  type LoadOptions,
  type Part,
  type SplitId,
  type SubmissionFormat,
} from '../base.js';
import { readJsonlRecords } from '../generic/jsonl.js';
import { at, type Where } from '../generic/record.js';

/** Environment variable naming the FewCLUE root (the folder holding `eprstmt/`, `csl/`, …). */
export const FEWCLUE_DIR_ENV = 'FEWCLUE_DIR';

/** Constructor options of every FewCLUE task. */
export interface FewClueTaskOptions {
  /** FewCLUE root; used when `load` gets no `dataDir`. Wins over `FEWCLUE_DIR`. */
  readonly dataDir?: string;
  /**
   * The command-line flag that sets the data root, named in "data not found" messages (default `--data-dir`;
   * `fewprompt pretrain --probe` reads FewCLUE through `--probe-data-dir`). Not part of the task's config.
   */
  readonly dataDirFlag?: string;
}

/** JSON config of a FewCLUE task. */
export interface FewClueTaskConfig {
  readonly type: string;
  readonly dataDir?: string;
}

/**
 * The file name of a part: `train_0.json`, `dev_few_all.json`, `test_public.json`, …
 *
 * @example
 * fewClueFileName('dev', 'few_all'); // => 'dev_few_all.json'
 * fewClueFileName('test');           // => 'test.json'
 */
export function fewClueFileName(part: Part, split: SplitId = '0'): string {
  if (!PARTS.includes(part)) throw new ConfigError(`unknown part '${String(part)}'; valid: ${PARTS.join(', ')}`);
  if (part !== 'train' && part !== 'dev') return `${part}.json`;
  if (!SPLIT_IDS.includes(split))
    throw new ConfigError(`unknown FewCLUE split '${String(split)}'; valid: ${SPLIT_IDS.join(', ')}`);
  return `${part}_${split}.json`;
}

/**
 * Base of the nine FewCLUE tasks. Subclasses set `kind`, labels, defaults and {@link parse}.
 *
 * @example
 * const csl = new CslTask({ dataDir: '../shared/fewclue' });
 * csl.load('train', { split: 'few_all' }).length; // => 160
 * csl.getConfig();                                 // => { type: 'csl', dataDir: '../shared/fewclue' }
 */
export abstract class FewClueTask extends TaskDefinition {
  /** Data root given at construction (see {@link FewClueTaskOptions}). */
  readonly dataDir?: string;
  /** Folder holding this task's files inside the package, if it ships with it (EPRSTMT). */
  protected readonly bundledDir?: string;
  /** The flag that sets the data root, for messages (see {@link FewClueTaskOptions.dataDirFlag}). */
  protected readonly dataDirFlag: string = '--data-dir';
  /** The data's key for the label (`label`, or `answer` for CHID), for messages. */
  protected readonly labelKey: string = 'label';
  /** FewCLUE leaderboard file name; tasks whose test set changed carry an `f` (`cslf_predict.json`). */
  protected abstract readonly submissionFile: string;

  constructor(options: FewClueTaskOptions = {}) {
    super();
    if (options.dataDir !== undefined) this.dataDir = options.dataDir;
    if (options.dataDirFlag !== undefined) this.dataDirFlag = options.dataDirFlag;
  }

  get submission(): SubmissionFormat {
    return { fileName: this.submissionFile, labelKey: 'label', labelType: 'string' };
  }

  /**
   * The folder this task's files are read from, or a `DataError` saying how to point at them.
   *
   * @example
   * new EprstmtTask().resolveDir();                              // => '<package>/datasets/fewclue/eprstmt/data'
   * new CslTask().resolveDir({ dataDir: '../shared/fewclue' });  // => '<cwd>/../shared/fewclue/csl'
   */
  resolveDir(options: LoadOptions = {}): string {
    const root = options.dataDir ?? this.dataDir ?? nonEmpty(process.env[FEWCLUE_DIR_ENV]);
    if (root === undefined) {
      if (this.bundledDir !== undefined) return this.bundledDir;
      throw new DataError(
        `FewCLUE task '${this.kind}' is not bundled with the package: ` +
          `pass ${this.dataDirFlag} <FewCLUE root> (dataDir) or set ${FEWCLUE_DIR_ENV}, ` +
          `so that <root>/${this.kind}/train_0.json exists (no dataDir was given and ${FEWCLUE_DIR_ENV} is unset)`,
      );
    }
    const dir = resolve(root, this.kind);
    if (!existsSync(dir) || !statSync(dir).isDirectory()) {
      const from = options.dataDir !== undefined || this.dataDir !== undefined ? 'dataDir' : FEWCLUE_DIR_ENV;
      throw new DataError(
        `FewCLUE task '${this.kind}': data directory ${dir} not found (from ${from}=${root}); ` +
          `pass ${this.dataDirFlag} <FewCLUE root> or set ${FEWCLUE_DIR_ENV} to the folder holding '${this.kind}/'`,
      );
    }
    return dir;
  }

  /**
   * Load a part: `load('train', { split: '0' })`, `load('dev', { split: 'few_all' })`,
   * `load('test_public')` (labelled), `load('test')` (no labels), `load('unlabeled')`.
   *
   * @example
   * getTask('eprstmt').load('test_public').length; // => 610
   */
  load(part: Part, options: LoadOptions = {}): Example[] {
    const file = join(this.resolveDir(options), fewClueFileName(part, options.split ?? '0'));
    if (!existsSync(file)) {
      const hint =
        this.bundledDir !== undefined && options.dataDir === undefined && this.dataDir === undefined
          ? ` (the bundled copy of '${this.kind}' leaves it out; pass ${this.dataDirFlag} or set ${FEWCLUE_DIR_ENV})`
          : '';
      throw new DataError(`FewCLUE task '${this.kind}' has no ${part} file: ${file} not found${hint}`);
    }
    const labelled = part !== 'test' && part !== 'unlabeled';
    return readJsonlRecords(file).map(({ record, where }) => {
      const ex = this.parse(record, where, labelled);
      if (labelled) {
        if (ex.label === undefined)
          throw new DataError(`${at(where)}: missing field '${this.labelKey}' in a labelled part (${part})`);
        if (!this.labels.includes(ex.label)) {
          throw new DataError(
            `${at(where)}: field '${this.labelKey}' has label '${ex.label}', ` +
              `expected one of: ${this.labels.join(', ')}`,
          );
        }
      }
      return ex;
    });
  }

  getConfig(): FewClueTaskConfig {
    return { type: this.kind, ...(this.dataDir === undefined ? {} : { dataDir: this.dataDir }) };
  }

  /**
   * Rebuild a task from {@link getConfig}'s output.
   *
   * @example
   * EprstmtTask.fromConfig({ type: 'eprstmt' }).kind; // => 'eprstmt'
   */
  static fromConfig<T extends FewClueTask>(this: FewClueTaskClass<T>, config: FewClueTaskConfig): T {
    // `this` is the subclass that fromConfig was called on: its kind is the one checked.
    // biome-ignore lint/complexity/noThisInStatic: polymorphic `this` in a static method
    return taskFromConfig(this, config);
  }

  /** One JSON record → an example; `labelled` says whether this part carries labels. */
  protected abstract parse(record: Readonly<Record<string, unknown>>, where: Where, labelled: boolean): Example;
}

/** A concrete FewCLUE task class: what `fromConfig` is called on. */
type FewClueTaskClass<T extends FewClueTask> = { new (options?: FewClueTaskOptions): T; readonly kind: string };

/** `fromConfig` of the class `cls` (the subclass it was called on, so its own `kind` is checked). */
function taskFromConfig<T extends FewClueTask>(cls: FewClueTaskClass<T>, config: FewClueTaskConfig): T {
  if (config.type !== cls.kind) throw new ConfigError(`config type '${config.type}' does not match task '${cls.kind}'`);
  if (config.dataDir !== undefined && typeof config.dataDir !== 'string') {
    throw new ConfigError(`task '${cls.kind}': dataDir must be a string, got ${typeof config.dataDir}`);
  }
  return new cls(config.dataDir === undefined ? {} : { dataDir: config.dataDir });
}

function nonEmpty(s: string | undefined): string | undefined {
  return s === undefined || s === '' ? undefined : s;
}
