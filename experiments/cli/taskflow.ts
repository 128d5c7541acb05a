import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ConfigError, DataError } from '../../framework/errors.js';
import type { TaskflowOptions } from '../../inference/taskflow/base.js';
import { helpLines } from '../../framework/settings.js';
import { isTaskName, taskHelpRows, taskNames } from '../../inference/taskflow/catalog.js';
import type { Command } from './command.js';

/** The usage text, read when asked: it lists the tasks registered by then. */
const usage = (): string => `usage: fewprompt taskflow TASK [--mode M] [--json] TEXT… | --input FILE
       fewprompt taskflow question_answering --question Q --context TEXT | --context-file FILE

Runs a Taskflow task (PaddleNLP's one-line API) on each TEXT, or on each line of FILE.
  TASK            a task below
  --mode M        task variant (word_segmentation: base = LAC, fast = jieba)
  --input FILE    one text per line (UTF-8); output is JSONL, one result per line (question_answering: one JSON
                  object {"question": …, "context": …} per line)
  --question Q    question_answering: the question …
  --context TEXT  … and the passage that answers it,
  --context-file FILE  or the passage read from FILE (UTF-8); the answer: {"answer", "start", "end", "score"}
  --json          JSONL output for TEXT arguments too
  --user-dict F   forced words, LAC customisation format (word/TAG pieces separated by spaces); ner accurate:
                  entities, one 实体/类型 per line (types: address, book, company, …)
  --entity-only   ner: keep only PER/LOC/ORG/TIME spans
  --batch-size N  sequences per network call (default 32)
  --task-path D   the task's model directory instead of the shipped one (LAC: converted layout or PaddlePaddle's;
                  the others: a directory of the layout in models/taskflow/)
  --home-path D   where converted models are cached (default ~/.fewprompt)
  --backend B     auto (default), onnx or js
The npm package carries LAC and jieba (word_segmentation, pos_tagging, ner fast); the other tasks' models are in the
git repository's models/ folder (README: Taskflow models).
tasks (modes: the default first):
${helpLines(taskHelpRows(), 22)}`;

function show(result: unknown): string {
  if (!Array.isArray(result))
    return typeof result === 'object' && result !== null ? JSON.stringify(result) : String(result);
  return result.map((item) => (Array.isArray(item) ? item.join('/') : String(item))).join(' ');
}

const FLAGS = {
  mode: { type: 'string' },
  json: { type: 'boolean', default: false },
  input: { type: 'string' },
  'user-dict': { type: 'string' },
  'entity-only': { type: 'boolean' },
  'batch-size': { type: 'string' },
  'task-path': { type: 'string' },
  'home-path': { type: 'string' },
  backend: { type: 'string' },
  question: { type: 'string' },
  context: { type: 'string' },
  'context-file': { type: 'string' },
} as const;

type Values = ReturnType<typeof parseArgs<{ args: string[]; allowPositionals: true; options: typeof FLAGS }>>['values'];

/** The lines of `--input FILE` (a last empty line dropped). */
function inputLines(file: string): string[] {
  try {
    return readFileSync(file, 'utf8')
      .split(/\r?\n/)
      .filter((line, i, all) => i < all.length - 1 || line !== '');
  } catch (error) {
    throw new DataError(`cannot read --input ${file}: ${(error as Error).message}`);
  }
}

/** question_answering's inputs: --question with --context or --context-file, or JSON lines of --input. */
function questionInputs(values: Values, texts: readonly string[]): { question: string; context: string }[] {
  const { question, context, input } = values;
  const file = values['context-file'];
  if (texts.length > 0)
    throw new ConfigError('question_answering takes --question and --context (or --context-file), not TEXT arguments');
  if (input !== undefined) {
    if (question !== undefined || context !== undefined || file !== undefined)
      throw new ConfigError('give --input FILE or --question with --context, not both');
    return inputLines(input).map((line, i) => {
      try {
        return JSON.parse(line) as { question: string; context: string };
      } catch {
        throw new DataError(`--input ${input} line ${i + 1}: not a JSON object {"question": …, "context": …}`);
      }
    });
  }
  if (question === undefined || (context === undefined) === (file === undefined))
    throw new ConfigError(`question_answering needs --question and one of --context or --context-file\n${usage()}`);
  if (file === undefined) return [{ question, context: context! }];
  try {
    return [{ question, context: readFileSync(file, 'utf8') }];
  } catch (error) {
    throw new DataError(`cannot read --context-file ${file}: ${(error as Error).message}`);
  }
}

/** `fewprompt taskflow`. */
export const taskflowCommand: Command = {
  name: 'taskflow',
  get usage() {
    return usage();
  },
  options: FLAGS,
  async run(args) {
    const { values, positionals } = parseArgs({ args, allowPositionals: true, options: FLAGS });
    const [task, ...texts] = positionals;
    if (task === undefined) throw new ConfigError(`taskflow needs a TASK\n${usage()}`);
    if (!isTaskName(task)) throw new ConfigError(`unknown Taskflow task '${task}'; valid: ${taskNames().join(', ')}`);
    const backend = values.backend;
    if (backend !== undefined && backend !== 'auto' && backend !== 'onnx' && backend !== 'js') {
      throw new ConfigError(`--backend must be auto, onnx or js; got '${backend}'`);
    }
    const options: TaskflowOptions = {
      ...(values.mode === undefined ? {} : { mode: values.mode }),
      ...(values['user-dict'] === undefined ? {} : { userDict: values['user-dict'] }),
      ...(values['entity-only'] === undefined ? {} : { entityOnly: values['entity-only'] }),
      ...(values['batch-size'] === undefined ? {} : { batchSize: Number(values['batch-size']) }),
      ...(values['task-path'] === undefined ? {} : { taskPath: values['task-path'] }),
      ...(values['home-path'] === undefined ? {} : { homePath: values['home-path'] }),
      ...(backend === undefined ? {} : { backend }),
    };
    const asks = task === 'question_answering';
    if (!asks && ['question', 'context', 'context-file'].some((k) => values[k as keyof Values] !== undefined))
      throw new ConfigError('--question, --context and --context-file apply to question_answering only');
    const inputs: unknown[] = asks ? questionInputs(values, texts) : texts;
    if (!asks && values.input !== undefined) {
      if (texts.length > 0) throw new ConfigError('give TEXT arguments or --input FILE, not both');
      inputs.push(...inputLines(values.input));
    } else if (inputs.length === 0) {
      throw new ConfigError(`taskflow ${task} needs TEXT arguments or --input FILE\n${usage()}`);
    }
    const { Taskflow } = await import('../../inference/taskflow/index.js'); // here: --help loads no task
    const results: unknown[] = await (Taskflow(task, options) as (inputs: unknown[]) => Promise<unknown[]>)(inputs);
    const jsonl = values.json || values.input !== undefined;
    for (const result of results) console.log(jsonl ? JSON.stringify(result) : show(result));
    return 0;
  },
};
