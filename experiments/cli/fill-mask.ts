import { parseArgs } from 'node:util';
import { ConfigError } from '../../framework/errors.js';
import type { Command } from './command.js';

const usage = `usage: fewprompt fill-mask [--model DIR|ORG/NAME] [--top-k K] [--json] TEXT

Predicts the tokens at each [MASK] of TEXT (Hugging Face's fill-mask pipeline).
  --model   local Hugging Face model directory or Hub id (default: the shipped fewprompt-zh-mini)
  --top-k   candidates per mask (default 5)
  --json    JSON output: for one mask an array [{"token", "token_id", "score"}, …], best first;
            for several masks an array of such arrays`;

const FLAGS = {
  model: { type: 'string' },
  'top-k': { type: 'string', default: '5' },
  json: { type: 'boolean', default: false },
} as const;

/** `fewprompt fill-mask`. */
export const fillMaskCommand: Command = {
  name: 'fill-mask',
  usage,
  options: FLAGS,
  async run(args) {
    const { values, positionals } = parseArgs({ args, allowPositionals: true, options: FLAGS });
    if (positionals.length === 0) throw new ConfigError(`fill-mask needs a TEXT with [MASK]\n${usage}`);
    const topK = Number(values['top-k']);
    if (!Number.isInteger(topK) || topK < 1)
      throw new ConfigError(`--top-k must be a positive integer, got '${values['top-k']}'`);
    // Loaded here: `fill-mask --help` must not wait for tfjs.
    const { initBackend } = await import('../../framework/backend/select.js');
    const { modelOrDefault } = await import('../../framework/model/default.js');
    const { loadPretrained } = await import('../../framework/model/pretrained.js');
    const { fillMask } = await import('../../framework/pipelines/fill-mask.js');
    const { BertTokenizer } = await import('../../framework/tokenizer/index.js');
    await initBackend();
    const { model, dir } = await loadPretrained(modelOrDefault(values.model));
    const tokenizer = await BertTokenizer.fromPretrained(dir);
    const text = positionals.join(' ');
    const results = fillMask(model, tokenizer, text, topK);
    if (values.json) {
      console.log(JSON.stringify(results.length === 1 ? results[0] : results));
    } else {
      results.forEach((candidates, m) => {
        if (results.length > 1) console.log(`[MASK] #${m + 1}`);
        for (const c of candidates) console.log(`${c.token}\t${c.score.toFixed(4)}\t(id ${c.token_id})`);
      });
    }
    model.dispose();
    return 0;
  },
};
