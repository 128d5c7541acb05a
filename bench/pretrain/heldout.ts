/**
 * Held-out MLM accuracy and loss of several models on the same chunks: the pretraining corpus of
 * scripts/pretrain-zh-mini.json is read and split exactly as `fewprompt pretrain` does (1% of documents by
 * content hash), and every model is scored with character masking at 15% on fixed masks — on the first 200
 * held-out chunks (the starter card's protocol) and on all of them. Needs ../shared.
 *   npx tsx bench/pretrain/heldout.ts [--out NAME] MODEL_DIR [MODEL_DIR…]
 * Writes bench/results/NAME.{json,md} (default heldout-mlm).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { initBackend } from '../../framework/backend/select.js';
import { loadStateDict } from '../../framework/checkpoint/state-dict.js';
import { BertModel } from '../../framework/model/bert.js';
import { readBertConfig } from '../../framework/model/config.js';
import { evaluateHeldout, type HeldoutMetrics } from '../../framework/pretrain/batch.js';
import { resolvePretrainConfig } from '../../framework/pretrain/config.js';
import { prepareData } from '../../framework/pretrain/prepare.js';
import { readVocab } from '../../framework/pretrain/vocab.js';

const { values, positionals: dirs } = parseArgs({
  allowPositionals: true,
  options: { out: { type: 'string', default: 'heldout-mlm' } },
});
if (dirs.length === 0) {
  console.error('usage: npx tsx bench/pretrain/heldout.ts [--out NAME] MODEL_DIR [MODEL_DIR…]');
  process.exit(2);
}
await initBackend();
const config = resolvePretrainConfig(
  JSON.parse(readFileSync(new URL('../../scripts/pretrain-zh-mini.json', import.meta.url), 'utf8')),
);
const data = await prepareData({
  sources: config.corpus,
  baseVocab: readVocab(`${dirs[0]}/vocab.txt`),
  vocab: 'bert',
  clean: config.clean,
  maxSeqLen: config.maxSeqLen,
  heldoutPercent: config.heldoutPercent,
});
const tok = data.tokenizer;
const maskVocab = {
  maskId: tok.special.mask,
  isSpecial: (id: number) => tok.isSpecial(id),
  randomIds: Int32Array.from(data.vocab.keys()).filter((id) => !tok.isSpecial(id)),
};
const rows: { model: string; first200: HeldoutMetrics; all: HeldoutMetrics }[] = [];
for (const dir of dirs) {
  const model = BertModel.fromStateDict(readBertConfig(dir), loadStateDict(dir), { mlmHead: true });
  model.eval();
  const first200 = evaluateHeldout(model, data.heldout, maskVocab, { chunks: 200, batchSize: 16 });
  const all = evaluateHeldout(model, data.heldout, maskVocab, { chunks: data.heldout.size, batchSize: 16 });
  model.dispose();
  rows.push({ model: dir, first200, all });
  console.log(
    `${dir}: 200 chunks acc ${first200.accuracy.toFixed(4)} loss ${first200.loss.toFixed(3)}; ` +
      `all ${all.chunks} chunks acc ${all.accuracy.toFixed(4)} loss ${all.loss.toFixed(3)}`,
  );
}
const md = [
  '# Held-out masked-LM accuracy (same chunks, character masking 15%, fixed masks)',
  '',
  `Corpus of \`scripts/pretrain-zh-mini.json\`: ${data.heldout.size} held-out chunks of ${config.maxSeqLen} tokens ` +
    '(1% of documents by content hash).',
  '',
  '| model | acc (first 200 chunks) | loss (200) | acc (all chunks) | loss (all) | predictions (all) |',
  '|---|---|---|---|---|---|',
  ...rows.map(
    (r) =>
      `| ${basename(r.model)} | ${r.first200.accuracy.toFixed(4)} | ${r.first200.loss.toFixed(3)} ` +
      `| ${r.all.accuracy.toFixed(4)} | ${r.all.loss.toFixed(3)} | ${r.all.predictions} |`,
  ),
  '',
].join('\n');
mkdirSync(new URL('../results/', import.meta.url), { recursive: true });
writeFileSync(
  new URL(`../results/${values.out}.json`, import.meta.url),
  `${JSON.stringify({ date: new Date().toISOString(), heldoutChunks: data.heldout.size, rows }, null, 2)}\n`,
);
writeFileSync(new URL(`../results/${values.out}.md`, import.meta.url), md);
