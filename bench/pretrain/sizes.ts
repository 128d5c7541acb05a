/**
 * Model size at equal compute (issue #23): several encoder sizes pretrained from scratch on the same prepared data
 * (scripts/pretrain-zh-v2-s32.json's corpus and decontamination), each for as many steps as one FLOP budget buys, then
 * held-out MLM loss and accuracy on the same chunks and masks. FLOPs are counted, not timed, so a busy machine slows
 * the runs without biasing the comparison. Needs ../shared.
 *   npx tsx bench/pretrain/sizes.ts [--budget-steps 600] [--sizes 2x128,4x256,6x384] [--lr 7e-4]
 * `--budget-steps N`: the budget is N steps of the 4 × 256 model. Writes bench/results/pretrain-sizes.{json,md,svg}.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { initBackend } from '../../framework/backend/select.js';
import {
  benchBase,
  type Curve,
  curvesSvg,
  mlmFlopsPerToken,
  prepareBenchData,
  pretrainForBudget,
} from './equal-compute.js';

const { values } = parseArgs({
  options: {
    'budget-steps': { type: 'string', default: '600' },
    sizes: { type: 'string', default: '2x128,4x256,6x384' },
    lr: { type: 'string', default: '7e-4' },
    'max-documents': { type: 'string' },
  },
});
const SEQ = 32;
const BATCH = 128;

const sizes = values.sizes.split(',').map((s) => {
  const [layers, hidden] = s.split('x').map(Number) as [number, number];
  if (!(layers > 0 && hidden > 0 && hidden % 64 === 0)) throw new Error(`bad size '${s}' (expected LxH, H % 64 = 0)`);
  return { name: s, layers, hidden, heads: hidden / 64, ffn: 4 * hidden };
});
const budget = Number(values['budget-steps']) * BATCH * SEQ * mlmFlopsPerToken(4, 256, SEQ);

await initBackend();
const base = benchBase(SEQ, BATCH);
const maxDocuments = values['max-documents'] === undefined ? undefined : Number(values['max-documents']);
const data = await prepareBenchData(base, maxDocuments);

interface Row {
  size: string;
  params: number;
  steps: number;
  tokens: number;
  flops: number;
  heldoutLoss: number;
  heldoutAccuracy: number;
  heldoutChunks: number;
  minutes: number;
}
const rows: Row[] = [];
const curves: Curve[] = [];
for (const s of sizes) {
  const perStep = BATCH * SEQ * mlmFlopsPerToken(s.layers, s.hidden, SEQ);
  const input = {
    ...base,
    out: `runs/sizes/${s.name}`,
    model: { layers: s.layers, hidden: s.hidden, heads: s.heads, ffn: s.ffn },
    lr: Number(values.lr),
    evalChunks: 800,
  };
  const { steps, result, curve, minutes } = await pretrainForBudget(s.name, input, data, budget, perStep);
  curves.push(curve);
  const row: Row = {
    size: s.name,
    params: s.layers * 12 * s.hidden * s.hidden,
    steps,
    tokens: result.tokensSeen,
    flops: steps * perStep,
    heldoutLoss: result.heldout?.loss ?? Number.NaN,
    heldoutAccuracy: result.heldout?.accuracy ?? Number.NaN,
    heldoutChunks: result.heldout?.chunks ?? 0,
    minutes,
  };
  rows.push(row);
  console.log(
    `${s.name}: ${steps} steps, ${(row.flops / 1e12).toFixed(1)} TFLOP, held-out loss ${row.heldoutLoss.toFixed(3)} ` +
      `acc ${row.heldoutAccuracy.toFixed(4)} (${row.minutes.toFixed(1)} min)`,
  );
}

const out = new URL('../results/', import.meta.url).pathname;
mkdirSync(out, { recursive: true });
const meta = { date: new Date().toISOString(), seq: SEQ, batch: BATCH, lr: Number(values.lr), budgetFlops: budget };
writeFileSync(join(out, 'pretrain-sizes.json'), `${JSON.stringify({ ...meta, rows, curves }, null, 1)}\n`);
writeFileSync(join(out, 'pretrain-sizes.svg'), curvesSvg(curves));
const md = [
  '# Model size at equal compute (`bench/pretrain/sizes.ts`)',
  '',
  `${meta.date.slice(0, 10)}: each size from scratch on the same data (${SEQ}-token chunks, batch ${BATCH}, ` +
    `AdamW lr ${meta.lr}, 10% warm-up, linear decay over its own steps), for ${(budget / 1e12).toFixed(1)} TFLOP ` +
    `(training FLOPs counted per token, forward + backward). Held-out: ${rows[0]?.heldoutChunks} chunks, fixed masks.`,
  '',
  '| size | non-embedding params | steps | tokens | held-out loss | held-out accuracy | minutes |',
  '|---|---:|---:|---:|---:|---:|---:|',
  ...rows.map(
    (r) =>
      `| ${r.size} | ${(r.params / 1e6).toFixed(2)} M | ${r.steps} | ${(r.tokens / 1e6).toFixed(2)} M | ` +
      `${r.heldoutLoss.toFixed(3)} | ${r.heldoutAccuracy.toFixed(4)} | ${r.minutes.toFixed(1)} |`,
  ),
  '',
  'Training loss against FLOPs: [pretrain-sizes.svg](pretrain-sizes.svg).',
  '',
];
writeFileSync(join(out, 'pretrain-sizes.md'), md.join('\n'));
