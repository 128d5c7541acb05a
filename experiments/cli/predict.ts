import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ConfigError, DataError } from '../../framework/errors.js';
import { WINDOW_AGGREGATES, type WindowAggregate } from '../../inference/runtime/splitter.js';
import type { Command } from './command.js';

const usage = `usage: fewprompt predict --bundle DIR [--json] TEXT… | --input FILE

Classifies each TEXT (or each line of FILE) with an exported bundle on ONNX Runtime.
Texts longer than the model's limit are split on sentence boundaries and the windows joined.
  --bundle DIR      a bundle from 'fewprompt export'
  --input FILE      one text per line (UTF-8); output is JSONL {"text","label","score"}, one per line
  --json            JSONL output for TEXT arguments too (default: label<TAB>score<TAB>text)
  --batch-size N    windows per ONNX Runtime call (default 32)
  --threads N       ONNX Runtime intra-op threads (default: all cores)
  --split-join J    how a split text's windows join: ${WINDOW_AGGREGATES.join(', ')} (default mean)`;

const FLAGS = {
  bundle: { type: 'string' },
  json: { type: 'boolean', default: false },
  input: { type: 'string' },
  'batch-size': { type: 'string', default: '32' },
  threads: { type: 'string' },
  'split-join': { type: 'string', default: 'mean' },
} as const;

/** `fewprompt predict`. */
export const predictCommand: Command = {
  name: 'predict',
  usage,
  options: FLAGS,
  async run(args) {
    const { values, positionals } = parseArgs({ args, allowPositionals: true, options: FLAGS });
    if (values.bundle === undefined) throw new ConfigError(`predict needs --bundle DIR\n${usage}`);
    const texts = [...positionals];
    if (values.input !== undefined) {
      if (texts.length > 0) throw new ConfigError('give TEXT arguments or --input FILE, not both');
      try {
        texts.push(
          ...readFileSync(values.input, 'utf8')
            .split(/\r?\n/)
            .filter((line) => line.trim() !== ''),
        );
      } catch (error) {
        throw new DataError(`cannot read --input ${values.input}: ${(error as Error).message}`);
      }
    } else if (texts.length === 0) {
      throw new ConfigError(`predict needs TEXT arguments or --input FILE\n${usage}`);
    }
    const batchSize = Number(values['batch-size']);
    const join = values['split-join'];
    if (!(WINDOW_AGGREGATES as readonly string[]).includes(join))
      throw new ConfigError(`--split-join must be one of ${WINDOW_AGGREGATES.join(', ')}; got '${join}'`);
    const threads = values.threads === undefined ? undefined : Number(values.threads);
    // Loaded here: `predict --help` must not wait for ONNX Runtime.
    const { loadClassifier } = await import('../../inference/runtime/index.js');
    const clf = await loadClassifier(values.bundle, {
      split: { aggregate: join as WindowAggregate },
      ...(threads ? { threads } : {}),
    });
    try {
      const predictions = await clf.predict(texts, { batchSize });
      const jsonl = values.json || values.input !== undefined;
      for (const p of predictions) {
        console.log(
          jsonl
            ? JSON.stringify({ text: p.text, label: p.label, score: Number(p.score.toFixed(6)) })
            : `${p.label}\t${p.score.toFixed(4)}\t${p.text}`,
        );
      }
    } finally {
      await clf.release();
    }
    return 0;
  },
};
