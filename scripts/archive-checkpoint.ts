/**
 * Keeps a pretraining run across machines: `runs/` lives on one machine (a new one starts without it), so at the end
 * of a session the run's last checkpoint is saved into the repository as a Hugging Face model folder — F16 weights
 * (half the size; the optimiser state, twice the weights, is left behind), config.json, vocab.txt, and the run's
 * `state.json` as `pretrain-state.json` (step, tokens seen, settings). The next stage starts from it with
 * `fewprompt pretrain --init DIR` (a fresh optimiser: each stage of the card warms up anyway).
 *   npx tsx scripts/archive-checkpoint.ts RUN/checkpoint OUT_DIR
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadStateDict, saveStateDict } from '../framework/checkpoint/state-dict.js';

const [checkpoint, out] = process.argv.slice(2);
if (!checkpoint || !out) {
  console.error('usage: npx tsx scripts/archive-checkpoint.ts RUN/checkpoint OUT_DIR');
  process.exit(2);
}
for (const file of ['model.safetensors', 'config.json', 'vocab.txt', 'state.json'])
  if (!existsSync(join(checkpoint, file))) {
    console.error(`${join(checkpoint, file)}: missing (expected a fewprompt pretrain checkpoint folder)`);
    process.exit(1);
  }
mkdirSync(out, { recursive: true });
const state = JSON.parse(readFileSync(join(checkpoint, 'state.json'), 'utf8')) as {
  tokensSeen: number;
  trainer: { step: number };
};
saveStateDict(out, loadStateDict(checkpoint), {
  dtype: 'F16',
  metadata: { step: String(state.trainer.step), tokensSeen: String(state.tokensSeen) },
});
copyFileSync(join(checkpoint, 'config.json'), join(out, 'config.json'));
copyFileSync(join(checkpoint, 'vocab.txt'), join(out, 'vocab.txt'));
copyFileSync(join(checkpoint, 'state.json'), join(out, 'pretrain-state.json'));
console.log(`${checkpoint} (step ${state.trainer.step}, ${state.tokensSeen} tokens) → ${out} (F16)`);
