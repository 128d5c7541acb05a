import { parseArgs } from 'node:util';
import { ConfigError } from '../../framework/errors.js';
import type { BertTokenizer } from '../../framework/tokenizer/index.js';
import type { CompiledExample } from '../../templates/index.js';
import type { Command } from './command.js';
import { packagePath } from '../../framework/package-paths.js';

const DEFAULT_MODEL = packagePath('models/vocab/bert-base-chinese');

const usage = `usage: fewprompt template preview --template T --example JSON [--model DIR] [--max-seq-len N]

Compiles one example through a PaddleNLP-style template and prints the token sequence
(masks as [MASK], soft slots as [SOFT:k]), its length, the mask positions and what truncation cut.
  --template     the template string, e.g. "{'text': 'text_a'}这是一条{'mask': None, 'length': 2}评价。"
  --example      the example as a JSON object, e.g. '{"text_a": "很好"}'
  --model        model directory with vocab.txt or tokenizer.json (default: models/vocab/bert-base-chinese)
  --max-seq-len  maximum tokens including [CLS] and [SEP] (default 512)
A template that does not parse or does not fit exits with status 2 and the parser's message.`;

/**
 * One-screen rendering of a compiled example: tokens with soft slots as `[SOFT:k]`, length, masks, truncation.
 *
 * @example
 * formatPreview(template.compile({ a: '好' }, tok, { maxSeqLen: 16 }), tok, 16).split('\n')[0];
 * // => 'tokens: [CLS] 好 很 [MASK] [SEP]'
 */
export function formatPreview(compiled: CompiledExample, tokenizer: BertTokenizer, maxSeqLen: number): string {
  const soft = new Map(compiled.softPositions.map((p, i) => [p, compiled.softIds[i]]));
  const tokens = compiled.inputIds.map((id, i) => (soft.has(i) ? `[SOFT:${soft.get(i)}]` : tokenizer.idToToken(id)));
  const cut = compiled.truncated.map((t) => `${t.field} (block ${t.block}) -${t.removedTokens} tokens`);
  return [
    `tokens: ${tokens.join(' ')}`,
    `length: ${compiled.inputIds.length} / ${maxSeqLen}`,
    `masks at: ${compiled.maskPositions.length === 0 ? 'none' : compiled.maskPositions.join(', ')}`,
    `soft at: ${compiled.softPositions.length === 0 ? 'none' : compiled.softPositions.join(', ')}`,
    `token types: ${compiled.tokenTypeIds.join('')}`,
    `truncated: ${cut.length === 0 ? 'nothing' : cut.join('; ')}`,
  ].join('\n');
}

const FLAGS = {
  template: { type: 'string' },
  example: { type: 'string' },
  model: { type: 'string' },
  'max-seq-len': { type: 'string' },
} as const;

/** `fewprompt template preview`: see how a template and an example compile, before training on them. */
export const templateCommand: Command = {
  name: 'template',
  usage,
  options: FLAGS,
  async run(args) {
    const [sub, ...rest] = args;
    if (sub !== 'preview')
      throw new ConfigError(`template: unknown subcommand '${sub ?? ''}'; valid: preview\n${usage}`);
    let values: {
      template?: string | undefined;
      example?: string | undefined;
      model?: string | undefined;
      'max-seq-len'?: string | undefined;
    };
    try {
      ({ values } = parseArgs({ args: rest, options: FLAGS }));
    } catch (error) {
      throw new ConfigError(`template preview: ${(error as Error).message}\n${usage}`);
    }
    if (values.template === undefined) throw new ConfigError(`template preview needs --template\n${usage}`);
    if (values.example === undefined) throw new ConfigError(`template preview needs --example\n${usage}`);
    const maxSeqLen = Number(values['max-seq-len'] ?? '512');
    if (!Number.isInteger(maxSeqLen) || maxSeqLen < 2)
      throw new ConfigError(`--max-seq-len must be an integer >= 2, got '${values['max-seq-len']}'`);
    let example: unknown;
    try {
      example = JSON.parse(values.example);
    } catch (error) {
      throw new ConfigError(`--example is not valid JSON: ${(error as Error).message}`);
    }
    if (typeof example !== 'object' || example === null || Array.isArray(example)) {
      throw new ConfigError(
        `--example must be a JSON object of fields, e.g. '{"text_a": "很好"}', ` +
          `got ${Array.isArray(example) ? 'an array' : typeof example}`,
      );
    }
    // Loaded here: `template --help` must not wait for the tokenizer and template modules.
    const { BertTokenizer } = await import('../../framework/tokenizer/index.js');
    const { PromptTemplate } = await import('../../templates/index.js');
    const tokenizer = await BertTokenizer.fromPretrained(values.model ?? DEFAULT_MODEL);
    const template = PromptTemplate.fromString(values.template);
    const compiled = template.compile(Object.fromEntries(Object.entries(example)), tokenizer, { maxSeqLen });
    console.log(
      `template: ${template.source} (${template.kind}, ${template.numMasks} masks, ` +
        `${compiled.softPositions.length} soft slots)`,
    );
    console.log(formatPreview(compiled, tokenizer, maxSeqLen));
    return 0;
  },
};
