/** `fewprompt train --train FILE --dev FILE …`: the flags that describe the user's own data as a custom task. */
import { ConfigError } from '../../framework/errors.js';
import { customTaskFromFiles } from '../../datasets/custom-files.js';
import type { CustomTask } from '../../datasets/custom-task.js';

/** Flags that describe the user's own files (`customTaskFromFiles`). */
export const TASK_FILE_FLAGS = {
  train: { type: 'string' },
  dev: { type: 'string' },
  test: { type: 'string' },
  'text-field': { type: 'string' },
  'text-pair-field': { type: 'string' },
  'label-field': { type: 'string' },
  'id-field': { type: 'string' },
  labels: { type: 'string' },
  'task-name': { type: 'string' },
} as const;

export const TASK_FILE_HELP = [
  { head: '--train FILE --dev FILE', help: 'labelled training and dev examples (dev chooses the checkpoint)' },
  { head: '--test FILE', help: 'labelled examples scored at the end (optional)' },
  { head: '--text-field NAME', help: 'column (header) or JSON key of the text' },
  { head: '--text-pair-field NAME', help: 'the second text of a pair (sentence-pair classification)' },
  { head: '--label-field NAME', help: 'column or key of the label' },
  { head: '--id-field NAME', help: 'column or key of an example id (default: the line number)' },
  {
    head: '--labels SPEC',
    help:
      "labels and their words, 'neg=差,pos=好' (several: 'pos=好|棒'), or labels only 'neg,pos' " +
      "(default: the training file's labels; Chinese labels of one length are their own words)",
  },
  { head: '--task-name NAME', help: "name in messages and file names (default: the training file's name)" },
];

/** The custom task the file flags describe, or undefined without `--train`. */
export function customTaskFromFlags(values: Record<string, string | boolean | undefined>): CustomTask | undefined {
  const flag = (name: keyof typeof TASK_FILE_FLAGS) =>
    typeof values[name] === 'string' ? (values[name] as string) : undefined;
  const train = flag('train');
  const used = Object.keys(TASK_FILE_FLAGS).filter((f) => values[f] !== undefined);
  if (train === undefined) {
    if (used.length > 0) throw new ConfigError(`--${used[0]} describes your own data and needs --train FILE`);
    return undefined;
  }
  const dev = flag('dev');
  const textField = flag('text-field');
  const labelField = flag('label-field');
  if (dev === undefined || textField === undefined || labelField === undefined)
    throw new ConfigError('your own data needs --train FILE --dev FILE --text-field NAME --label-field NAME');
  if (typeof values['task'] === 'string')
    throw new ConfigError('--task names a FewCLUE task; with --train, name yours with --task-name');
  return customTaskFromFiles({
    train,
    dev,
    textField,
    labelField,
    test: flag('test'),
    textPairField: flag('text-pair-field'),
    idField: flag('id-field'),
    labels: flag('labels'),
    name: flag('task-name'),
  });
}
