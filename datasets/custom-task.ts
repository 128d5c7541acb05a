/**
 * A user's own dataset as a task: files per part, a loader format, a field mapping, a label set and
 * default prompts. It loads and serializes like the FewCLUE tasks, so the same trainer runs it.
 */
import { ConfigError, DataError } from '../framework/errors.js';
import {
  PARTS,
  TaskDefinition,
  type Example,
  type LoadOptions,
  type Part,
  type SubmissionFormat,
  type TaskDefaults,
} from './base.js';
import { loadCsv, loadTsv } from './generic/csv.js';
import { loadJsonl } from './generic/jsonl.js';
import type { FieldMapping } from './generic/record.js';

/** File formats a {@link CustomTask} reads. */
export type CustomFormat = 'jsonl' | 'csv' | 'tsv';

/**
 * Everything that defines a {@link CustomTask}; JSON-safe, and with `type: 'custom'` it is the config.
 *
 * @example
 * const opts: CustomTaskOptions = {
 *   name: 'hotel', format: 'csv', files: { train: 'hotel/train.csv', test_public: 'hotel/test.csv' },
 *   fields: { label: 'label', text_a: 'review' }, labels: ['0', '1'],
 *   defaults: {
 *     pet: { template: "{'text': 'text_a'}这家酒店{'mask'}好。", verbalizer: { '0': ['不'], '1': ['很'] } },
 *     ptuning: {
 *       template: "{'mask'}{'soft': None, 'length': 6}{'text': 'text_a'}",
 *       verbalizer: { '0': ['不'], '1': ['很'] },
 *     },
 *     efl: { template: "这是一条{'text': 'candidate_label'}。{'text': 'text_a'}", descriptions: { '0': '差评', '1': '好评' } },
 *   },
 * };
 */
export interface CustomTaskOptions {
  /** Name used in messages and the prediction file name (`<name>_predict.json`). */
  readonly name: string;
  readonly format: CustomFormat;
  /** Path of each available part (`train`, `dev`, `test_public`, `test`, `unlabeled`). */
  readonly files: Readonly<Partial<Record<Part, string>>>;
  readonly fields: FieldMapping;
  readonly labels: readonly string[];
  readonly labelNames?: Readonly<Record<string, string>>;
  /** Default: every mapped field but `label` and `id`. */
  readonly textFields?: readonly string[];
  readonly defaults: TaskDefaults;
  /** CSV/TSV only: delimiter, header row, quote character (see `loadCsv`). */
  readonly delimiter?: string;
  readonly header?: boolean;
  readonly quote?: string | null;
}

/** {@link CustomTask}'s config. */
export interface CustomTaskConfig extends CustomTaskOptions {
  readonly type: 'custom';
}

/**
 * A task over the user's own files.
 *
 * @example
 * const task = new CustomTask(opts);
 * task.load('train');                 // => [{ id: 2, fields: { text_a: '…' }, label: '1' }, …]
 * CustomTask.fromConfig(task.getConfig()).getConfig(); // deep-equals task.getConfig()
 */
export class CustomTask extends TaskDefinition {
  static override readonly kind = 'custom';
  readonly kind = CustomTask.kind;
  readonly labels: readonly string[];
  override readonly labelNames?: Readonly<Record<string, string>>;
  readonly textFields: readonly string[];
  readonly defaults: TaskDefaults;
  readonly submission: SubmissionFormat;
  private readonly options: CustomTaskOptions;

  constructor(options: CustomTaskOptions) {
    super();
    if (options.labels.length === 0) throw new ConfigError(`custom task '${options.name}': labels must not be empty`);
    this.options = structuredClone(options);
    this.labels = [...options.labels];
    if (options.labelNames !== undefined) this.labelNames = { ...options.labelNames };
    this.textFields = options.textFields ?? Object.keys(options.fields).filter((k) => k !== 'label' && k !== 'id');
    this.defaults = structuredClone(options.defaults);
    this.submission = { fileName: `${options.name}_predict.json`, labelKey: 'label', labelType: 'string' };
  }

  /**
   * Load a configured part; `options` (split, dataDir) do not apply to custom files.
   *
   * @example
   * task.load('unlabeled');
   * // throws DataError: custom task 'hotel' has no file for 'unlabeled'; configured: train, test_public
   */
  load(part: Part, _options: LoadOptions = {}): Example[] {
    const path = this.options.files[part];
    if (path === undefined) {
      throw new DataError(
        `custom task '${this.options.name}' has no file for '${part}'; ` +
          `configured: ${Object.keys(this.options.files).join(', ')}`,
      );
    }
    const labelled = part !== 'test' && part !== 'unlabeled';
    const common = { fields: this.options.fields, labels: this.labels, requireLabel: labelled };
    const { delimiter, header, quote } = this.options;
    const csv = {
      ...common,
      ...(delimiter === undefined ? {} : { delimiter }),
      ...(header === undefined ? {} : { header }),
      ...(quote === undefined ? {} : { quote }),
    };
    switch (this.options.format) {
      case 'jsonl':
        return loadJsonl(path, common);
      case 'csv':
        return loadCsv(path, csv);
      case 'tsv':
        return loadTsv(path, csv);
    }
  }

  override hasPart(part: Part): boolean {
    return this.options.files[part] !== undefined;
  }

  getConfig(): CustomTaskConfig {
    return { type: 'custom', ...structuredClone(this.options) };
  }

  /**
   * Rebuild from {@link getConfig}.
   *
   * @example
   * CustomTask.fromConfig({ type: 'custom', ...opts }).labels; // => ['0', '1']
   */
  static fromConfig(config: CustomTaskConfig): CustomTask {
    if (config.type !== 'custom') throw new ConfigError(`config type '${String(config.type)}' is not 'custom'`);
    for (const key of ['name', 'format', 'files', 'fields', 'labels', 'defaults'] as const) {
      if (config[key] === undefined) throw new ConfigError(`custom task config is missing '${key}'`);
    }
    if (!['jsonl', 'csv', 'tsv'].includes(config.format))
      throw new ConfigError(`custom task format '${config.format}'; valid: jsonl, csv, tsv`);
    const bad = Object.keys(config.files).filter((p) => !PARTS.some((q) => q === p));
    if (bad.length > 0)
      throw new ConfigError(`custom task files has unknown parts ${bad.join(', ')}; valid: ${PARTS.join(', ')}`);
    const { type: _type, ...options } = config;
    return new CustomTask(options);
  }
}
