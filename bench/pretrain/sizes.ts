/**
 * Model size at equal compute (issue #23): several encoder sizes pretrained from scratch on the same prepared data
 * (scripts/pretrain-zh-v2-s32.json's corpus and decontamination), each for as many steps as one FLOP budget buys, then
 * held-out MLM loss and accuracy on the same chunks and masks. FLOPs are counted, not timed, so a busy machine slows
 * the runs without biasing the comparison. Needs ../shared.
 *   npx tsx bench/pretrain/sizes.ts [--budget-steps 600] [--sizes 2x128,4x256,6x384] [--lr 7e-4]
 * `--budget-steps N`: the budget is N steps of the 4 × 256 model. Writes bench/results/pretrain-sizes.{json,md,svg}.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { initBackend } from '../../framework/backend/select.js';
import { resolvePretrainConfig } from '../../framework/pretrain/config.js';
import { pretrain } from '../../framework/pretrain/pretrain.js';
import { loadJieba, prepareData } from '../../framework/pretrain/prepare.js';
import { readVocab } from '../../framework/pretrain/vocab.js';

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
const VOCAB = 21_128;

/** Training FLOPs per token (forward + backward = 3 × forward) of an L × H encoder with the MLM head on 15%. */
function flopsPerToken(layers: number, hidden: number): number {
  const perLayer = 24 * hidden * hidden + 4 * SEQ * hidden; // dense (12H² MACs) + attention scores and context
  const head = 0.15 * 2 * (hidden * hidden + VOCAB * hidden); // transform + tied decoder at masked positions
  return 3 * (layers * perLayer + head);
}

const sizes = values.sizes.split(',').map((s) => {
  const [layers, hidden] = s.split('x').map(Number) as [number, number];
  if (!(layers > 0 && hidden > 0 && hidden % 64 === 0)) throw new Error(`bad size '${s}' (expected LxH, H % 64 = 0)`);
  return { name: s, layers, hidden, heads: hidden / 64, ffn: 4 * hidden };
});
const budget = Number(values['budget-steps']) * BATCH * SEQ * flopsPerToken(4, 256);

await initBackend();
const recipe = JSON.parse(readFileSync(new URL('../../scripts/pretrain-zh-v2-s32.json', import.meta.url), 'utf8'));
const vocabFile = new URL('../../models/fewprompt-zh-mini/vocab.txt', import.meta.url).pathname;
const base = { ...recipe, init: undefined, vocabFile, track: false, maxSeqLen: SEQ, batchSize: BATCH };
const maxDocuments = values['max-documents'] === undefined ? undefined : Number(values['max-documents']);
const first = resolvePretrainConfig({ ...base, out: 'runs/sizes/data', maxDocuments });
const data = await prepareData({
  sources: first.corpus,
  decontaminate: first.decontaminate,
  baseVocab: readVocab(vocabFile),
  vocab: first.vocab,
  minCount: first.minCount,
  clean: first.clean,
  maxSeqLen: SEQ,
  heldoutPercent: first.heldoutPercent,
  segmenter: await loadJieba(),
  maxDocuments,
});

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
  curve: { flops: number; loss: number }[];
}
const rows: Row[] = [];
for (const s of sizes) {
  const perStep = BATCH * SEQ * flopsPerToken(s.layers, s.hidden);
  const steps = Math.max(10, Math.round(budget / perStep));
  const config = resolvePretrainConfig({
    ...base,
    out: `runs/sizes/${s.name}`,
    model: { layers: s.layers, hidden: s.hidden, heads: s.heads, ffn: s.ffn },
    lr: Number(values.lr),
    warmupSteps: Math.round(steps / 10),
    maxSteps: steps,
    evalEvery: steps,
    evalChunks: 800,
    checkpointMinutes: 1e6,
  });
  const started = Date.now();
  const result = await pretrain(config, { data });
  const window = Math.max(1, Math.round(steps / 60));
  const curve: { flops: number; loss: number }[] = [];
  for (let i = window; i <= result.losses.length; i += window) {
    const mean = result.losses.slice(i - window, i).reduce((a, b) => a + b, 0) / window;
    curve.push({ flops: i * perStep, loss: mean });
  }
  const row: Row = {
    size: s.name,
    params: s.layers * 12 * s.hidden * s.hidden,
    steps,
    tokens: result.tokensSeen,
    flops: steps * perStep,
    heldoutLoss: result.heldout?.loss ?? Number.NaN,
    heldoutAccuracy: result.heldout?.accuracy ?? Number.NaN,
    heldoutChunks: result.heldout?.chunks ?? 0,
    minutes: (Date.now() - started) / 60_000,
    curve,
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
writeFileSync(join(out, 'pretrain-sizes.json'), `${JSON.stringify({ ...meta, rows }, null, 1)}\n`);
writeFileSync(join(out, 'pretrain-sizes.svg'), curvesSvg(rows));
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

/** Training loss (windowed means) of every size against FLOPs, one coloured line each. */
function curvesSvg(all: readonly Row[]): string {
  const [w, h, l, b] = [640, 300, 56, 36];
  const points = all.flatMap((r) => r.curve);
  const maxX = Math.max(...points.map((p) => p.flops));
  const [minY, maxY] = [Math.min(...points.map((p) => p.loss)), Math.max(...points.map((p) => p.loss))];
  const x = (v: number) => l + ((w - l - 16) * v) / maxX;
  const y = (v: number) => h - b - ((h - b - 16) * (v - minY)) / Math.max(1e-9, maxY - minY);
  const colours = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd'];
  const lines = all.map((r, i) => {
    const d = r.curve.map((p, k) => `${k ? 'L' : 'M'}${x(p.flops).toFixed(1)},${y(p.loss).toFixed(1)}`).join('');
    const c = colours[i % colours.length];
    const label = `<text x="${w - 120}" y="${24 + 16 * i}" fill="${c}">${r.size}</text>`;
    return `<path d="${d}" fill="none" stroke="${c}" stroke-width="1.5"/>${label}`;
  });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" font-family="sans-serif" font-size="12">`,
    `<line x1="${l}" y1="${h - b}" x2="${w - 16}" y2="${h - b}" stroke="#888"/>`,
    `<line x1="${l}" y1="16" x2="${l}" y2="${h - b}" stroke="#888"/>`,
    `<text x="${w / 2}" y="${h - 8}" text-anchor="middle">training FLOPs (max ${(maxX / 1e12).toFixed(1)} T)</text>`,
    `<text x="12" y="${h / 2}" transform="rotate(-90 12 ${h / 2})" text-anchor="middle">training loss ` +
      `(${minY.toFixed(2)}–${maxY.toFixed(2)})</text>`,
    ...lines,
    '</svg>',
    '',
  ].join('\n');
}
