import { parseArgs } from 'node:util';
import { initBackend } from '../../framework/backend/select.js';
import { ConfigError } from '../../framework/errors.js';
import { modelOrDefault } from '../../framework/model/default.js';
import { loadPretrained } from '../../framework/model/pretrained.js';
import { fillMask } from '../../framework/pipelines/fill-mask.js';
import { BertTokenizer } from '../../framework/tokenizer/index.js';
import type { Command } from './command.js';

const usage = `usage: fewprompt fill-mask [--model DIR|ORG/NAME] [--top-k K] [--json] TEXT

Predicts the tokens at each [MASK] of TEXT (Hugging Face's fill-mask pipeline).
  --model   local Hugging Face model directory or Hub id (default: the shipped fewprompt-zh-mini)
  --top-k   candidates per mask (default 5)
  --json    JSON output: for one mask an array [{"token", "token_id", "score"}, …], best first;
            for several masks an array of such arrays`;

/** `fewprompt fill-mask`. */
export const fillMaskCommand: Command = {
  name: 'fill-mask',
  usage,
  async run(args) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        model: { type: 'string' },
        'top-k': { type: 'string', default: '5' },
        json: { type: 'boolean', default: false },
      },
    });
    if (positionals.length === 0) throw new ConfigError(`fill-mask needs a TEXT with [MASK]\n${usage}`);
    const topK = Number(values['top-k']);
    if (!Number.isInteger(topK) || topK < 1)
      throw new ConfigError(`--top-k must be a positive integer, got '${values['top-k']}'`);
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
