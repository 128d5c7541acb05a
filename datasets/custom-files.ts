/**
 * A {@link CustomTask} from the user's own files, as `fewprompt train --train … --dev …` builds it: the format from
 * the file extension, the label set from `--labels` (or the training file), and default prompts for single-text or
 * pair classification whose label words are the `--labels` words (or the labels themselves when they are Chinese
 * words of one length).
 */
import { basename, dirname, extname, resolve } from 'node:path';
import { ConfigError } from '../framework/errors.js';
import type { TaskDefaults } from './base.js';
import { type CustomFormat, CustomTask } from './custom-task.js';
import { loadCsv, loadTsv } from './generic/csv.js';
import { loadJsonl } from './generic/jsonl.js';

/** What the command line says about the files. */
export interface CustomFilesSpec {
  /** Labelled training examples. */
  readonly train: string;
  /** Labelled examples that choose the checkpoint. */
  readonly dev: string;
  /** Labelled examples scored at the end (FewCLUE's `test_public`); optional. */
  readonly test?: string | undefined;
  /** Column (CSV/TSV header) or key (JSONL) of the text. */
  readonly textField: string;
  /** Column or key of the second text of a pair (sentence-pair classification). */
  readonly textPairField?: string | undefined;
  /** Column or key of the label. */
  readonly labelField: string;
  /** Column or key of an example id (default: the line number). */
  readonly idField?: string | undefined;
  /**
   * Labels and their words, `label=word` comma-separated (`neg=差,pos=好`; several words `pos=好|棒`), or labels only
   * (`neg,pos`). Default: the training file's labels, sorted.
   */
  readonly labels?: string | undefined;
  /** Name in messages and file names (default: the training file's name without its extension). */
  readonly name?: string | undefined;
}

const FORMATS: Record<string, CustomFormat> = { '.csv': 'csv', '.tsv': 'tsv', '.jsonl': 'jsonl', '.json': 'jsonl' };

/** The file format from the extension; every file of a task must share it. */
function formatOf(files: readonly string[]): CustomFormat {
  const formats = new Set(
    files.map((file) => {
      const format = FORMATS[extname(file).toLowerCase()];
      if (format === undefined)
        throw new ConfigError(`${file}: unknown file type '${extname(file)}'; use .csv, .tsv, .jsonl or .json`);
      return format;
    }),
  );
  if (formats.size > 1) throw new ConfigError(`${files.join(', ')}: the files of a task must share one format`);
  return [...formats][0]!;
}

/**
 * `neg=差,pos=好|棒` → labels and words; `neg,pos` → labels only.
 * @example parseLabelSpec('neg=差,pos=好|棒'); // → { labels: ['neg', 'pos'], words: { neg: ['差'], pos: ['好', '棒'] } }
 */
export function parseLabelSpec(spec: string): { labels: string[]; words?: Record<string, string[]> } {
  const entries = spec.split(',').map((entry) => entry.trim());
  if (entries.some((e) => e === '')) throw new ConfigError(`--labels '${spec}': an empty entry`);
  const withWords = entries.filter((e) => e.includes('='));
  if (withWords.length > 0 && withWords.length < entries.length)
    throw new ConfigError(`--labels '${spec}': give a word for every label (label=word) or for none`);
  if (withWords.length === 0) return { labels: unique(entries, spec) };
  const pairs = entries.map((e) => {
    const [label, words] = [e.slice(0, e.indexOf('=')).trim(), e.slice(e.indexOf('=') + 1)];
    const list = words.split('|').map((w) => w.trim());
    if (label === '' || list.some((w) => w === '')) throw new ConfigError(`--labels '${spec}': '${e}' is incomplete`);
    return [label, list] as const;
  });
  return {
    labels: unique(
      pairs.map(([l]) => l),
      spec,
    ),
    words: Object.fromEntries(pairs),
  };
}

function unique(labels: string[], spec: string): string[] {
  const seen = labels.filter((l, i) => labels.indexOf(l) !== i);
  if (seen.length > 0) throw new ConfigError(`--labels '${spec}': label '${seen[0]}' is given twice`);
  if (labels.length < 2) throw new ConfigError(`--labels '${spec}': a classifier needs at least two labels`);
  return labels;
}

/**
 * Label words that can stand in for themselves: Chinese labels of one length up to four characters (`正面`, `负面`).
 * Anything else (`0`, `pos`) needs words from `--labels`.
 */
function labelsAsWords(labels: readonly string[]): Record<string, string[]> | undefined {
  const lengths = new Set(labels.map((l) => [...l].length));
  const chinese = labels.every((l) => /^\p{Script=Han}+$/u.test(l));
  return chinese && lengths.size === 1 && [...lengths][0]! <= 4
    ? Object.fromEntries(labels.map((l) => [l, [l]]))
    : undefined;
}

/**
 * The default prompts of a custom task (documented in the README; `--template`, `--label-words` and `--descriptions`
 * override them). One mask per character of the label words, which must all be one length.
 * @example
 * defaultPrompts({ neg: ['差'], pos: ['好'] }, false).pet.template; // → "{'text': 'text_a'}这是{'mask'}的。"
 */
export function defaultPrompts(words: Record<string, string[]> | undefined, pair: boolean): TaskDefaults {
  const lengths = new Set(Object.values(words ?? {}).flatMap((list) => list.map((w) => [...w].length)));
  if (lengths.size > 1)
    throw new ConfigError(
      `label words must all have one length (the template has one mask per character): ${JSON.stringify(words)}`,
    );
  const masks = "{'mask'}".repeat([...lengths][0] ?? 1);
  const verbalizer = words ?? {};
  const descriptions = Object.fromEntries(Object.entries(verbalizer).map(([label, list]) => [label, list[0]!]));
  return pair
    ? {
        pet: { template: `{'text': 'text_a'}？${masks}，{'text': 'text_b'}`, verbalizer },
        ptuning: { template: `{'text': 'text_a'}{'soft': None, 'length': 4}${masks}{'text': 'text_b'}`, verbalizer },
        efl: { template: "{'text': 'text_a'}？{'text': 'candidate_label'}，{'text': 'text_b'}", descriptions },
      }
    : {
        pet: { template: `{'text': 'text_a'}这是${masks}的。`, verbalizer },
        ptuning: { template: `${masks}{'soft': None, 'length': 6}{'text': 'text_a'}`, verbalizer },
        efl: { template: "这是{'text': 'candidate_label'}的。{'text': 'text_a'}", descriptions },
      };
}

/**
 * Builds the task; every path is made absolute, so the config round-trips to worker processes.
 * @example
 * const task = customTaskFromFiles({ train: 'hotel/train.csv', dev: 'hotel/dev.csv', textField: 'review',
 *   labelField: 'label', labels: '0=差,1=好' });
 * task.labels; // → ['0', '1']
 */
export function customTaskFromFiles(spec: CustomFilesSpec): CustomTask {
  const files = {
    train: resolve(spec.train),
    dev: resolve(spec.dev),
    ...(spec.test ? { test_public: resolve(spec.test) } : {}),
  };
  const format = formatOf(Object.values(files));
  const fields = {
    text_a: spec.textField,
    ...(spec.textPairField ? { text_b: spec.textPairField } : {}),
    label: spec.labelField,
    ...(spec.idField ? { id: spec.idField } : {}),
  };
  const given = spec.labels === undefined ? undefined : parseLabelSpec(spec.labels);
  const labels = given?.labels ?? labelsInFile(files.train, format, fields);
  const words = given?.words ?? labelsAsWords(labels);
  return new CustomTask({
    name: spec.name ?? nameOf(files.train),
    format,
    files,
    fields,
    labels,
    defaults: defaultPrompts(words, spec.textPairField !== undefined),
  });
}

/** A task name from its training file: `reviews/train.csv` → `reviews`, `hotel.csv` → `hotel`. */
function nameOf(train: string): string {
  const stem = basename(train, extname(train));
  const name = /^(train|training)([_-].*)?$/i.test(stem) ? basename(dirname(train)) : stem;
  // Suite job ids, result paths and report columns use the name: lower-case letters, digits and '_'.
  return name.toLowerCase().replace(/[^a-z0-9_]/g, '_') || 'custom';
}

/** The distinct labels of a file, sorted. */
function labelsInFile(file: string, format: CustomFormat, fields: Record<string, string>): string[] {
  const load = format === 'csv' ? loadCsv : format === 'tsv' ? loadTsv : loadJsonl;
  const labels = [...new Set(load(file, { fields }).map((e) => e.label!))].sort();
  if (labels.length < 2)
    throw new ConfigError(`${file}: found ${labels.length} label(s) in '${fields['label']}'; a classifier needs two`);
  return labels;
}
