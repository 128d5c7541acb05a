import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ConfigError, DataError } from '../../framework/errors.js';
import type { TaskflowOptions } from '../../inference/taskflow/base.js';
import { isTaskName, TASK_NAMES, taskModesHelp } from '../../inference/taskflow/catalog.js';
import type { Command } from './command.js';

const usage = `usage: fewprompt taskflow TASK [--mode M] [--json] TEXT… | --input FILE

Runs a Taskflow task (PaddleNLP's one-line API) on each TEXT, or on each line of FILE.
  TASK            ${taskModesHelp().join('; ')}
  --mode M        task variant (word_segmentation: base = LAC, fast = jieba)
  --input FILE    one text per line (UTF-8); output is JSONL, one result per line
  --json          JSONL output for TEXT arguments too
  --user-dict F   forced words, LAC customisation format (word/TAG pieces separated by spaces)
  --entity-only   ner: keep only PER/LOC/ORG/TIME spans
  --batch-size N  sequences per network call (default 32)
  --task-path D   the task's model directory instead of the shipped one (LAC: converted layout or PaddlePaddle's;
                  the others: a directory of the layout in models/taskflow/)
  --home-path D   where converted models are cached (default ~/.fewprompt)
  --backend B     auto (default), onnx or js
The npm package carries LAC and jieba (word_segmentation, pos_tagging, ner fast); the other tasks' models are in the
git repository's models/ folder (README: Taskflow models).`;

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
} as const;

/** `fewprompt taskflow`. */
export const taskflowCommand: Command = {
  name: 'taskflow',
  usage,
  options: FLAGS,
  async run(args) {
    const { values, positionals } = parseArgs({ args, allowPositionals: true, options: FLAGS });
    const [task, ...texts] = positionals;
    if (task === undefined) throw new ConfigError(`taskflow needs a TASK\n${usage}`);
    if (!isTaskName(task)) throw new ConfigError(`unknown Taskflow task '${task}'; valid: ${TASK_NAMES.join(', ')}`);
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
    if (values.input !== undefined) {
      if (texts.length > 0) throw new ConfigError('give TEXT arguments or --input FILE, not both');
      try {
        texts.push(
          ...readFileSync(values.input, 'utf8')
            .split(/\r?\n/)
            .filter((line, i, all) => i < all.length - 1 || line !== ''),
        );
      } catch (error) {
        throw new DataError(`cannot read --input ${values.input}: ${(error as Error).message}`);
      }
    } else if (texts.length === 0) {
      throw new ConfigError(`taskflow ${task} needs TEXT arguments or --input FILE\n${usage}`);
    }
    const { Taskflow } = await import('../../inference/taskflow/index.js'); // here: --help loads no task
    const results: unknown[] = await Taskflow(task, options)(texts);
    const jsonl = values.json || values.input !== undefined;
    for (const result of results) console.log(jsonl ? JSON.stringify(result) : show(result));
    return 0;
  },
};
