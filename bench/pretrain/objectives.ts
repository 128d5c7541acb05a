/**
 * MLM against ELECTRA at equal compute (issue #23): the same 4 × 256 encoder pretrained from scratch with each
 * objective for one FLOP budget (counted per token: ELECTRA's discriminator sees every token, its generator is
 * smaller), then each encoder fine-tuned the same way on ChnSentiCorp (`fewprompt train --method finetune`): the
 * downstream number the choice rests on, since held-out MLM accuracy does not exist for a discriminator. Needs
 * ../shared.
 *   npx tsx bench/pretrain/objectives.ts [--budget-steps 800] [--finetune-steps 300] [--generator-hidden 64]
 * `--budget-steps N`: N MLM steps of batch 32 × 128 tokens. Writes bench/results/pretrain-objectives.{json,md,svg}.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { initBackend } from '../../framework/backend/select.js';
import {
  benchBase,
  type Curve,
  curvesSvg,
  encoderFlops,
  pretrainForBudget,
  mlmFlopsPerToken,
  mlmHeadFlops,
  prepareBenchData,
} from './equal-compute.js';

const { values } = parseArgs({
  options: {
    'budget-steps': { type: 'string', default: '800' },
    'finetune-steps': { type: 'string', default: '300' },
    'generator-hidden': { type: 'string', default: '64' },
    lr: { type: 'string', default: '5e-4' },
    'max-documents': { type: 'string' },
  },
});
const [SEQ, BATCH, LAYERS, HIDDEN] = [128, 32, 4, 256];
const generatorHidden = Number(values['generator-hidden']);

/** ELECTRA's training FLOPs per token: the discriminator and its detection head on every token, plus the generator. */
function electraFlopsPerToken(): number {
  const discriminator = encoderFlops(LAYERS, HIDDEN, SEQ) + 2 * (HIDDEN * HIDDEN + HIDDEN);
  const generator = encoderFlops(LAYERS, generatorHidden, SEQ) + mlmHeadFlops(generatorHidden);
  return 3 * (discriminator + generator);
}

const budget = Number(values['budget-steps']) * BATCH * SEQ * mlmFlopsPerToken(LAYERS, HIDDEN, SEQ);
await initBackend();
const base = benchBase(SEQ, BATCH);
const maxDocuments = values['max-documents'] === undefined ? undefined : Number(values['max-documents']);
const data = await prepareBenchData(base, maxDocuments);

interface Row {
  objective: 'mlm' | 'electra';
  steps: number;
  tokens: number;
  flops: number;
  pretrainMinutes: number;
  heldout: Record<string, number>;
  finetune: { devAccuracy: number; testAccuracy: number; steps: number };
}
const rows: Row[] = [];
const curves: Curve[] = [];
for (const objective of ['mlm', 'electra'] as const) {
  const perStep = BATCH * SEQ * (objective === 'mlm' ? mlmFlopsPerToken(LAYERS, HIDDEN, SEQ) : electraFlopsPerToken());
  const out = `runs/objectives/${objective}`;
  const input = {
    ...base,
    out,
    model: { layers: LAYERS, hidden: HIDDEN, heads: 4, ffn: 4 * HIDDEN },
    objective,
    generatorHidden,
    lr: Number(values.lr),
    evalChunks: 400,
  };
  const { steps, result, curve, minutes } = await pretrainForBudget(objective, input, data, budget, perStep);
  curves.push(curve);
  const row: Row = {
    objective,
    steps,
    tokens: result.tokensSeen,
    flops: steps * perStep,
    pretrainMinutes: minutes,
    heldout: result.metrics ?? {},
    finetune: finetune(out, `runs/objectives/finetune-${objective}`),
  };
  rows.push(row);
  console.log(`${objective}: ${JSON.stringify(row)}`);
}

/** Fine-tunes the encoder in `model` on ChnSentiCorp (train → dev-selected → test) and reads its metrics. */
function finetune(model: string, out: string): Row['finetune'] {
  const shared = new URL('../../../shared/sentiment/', import.meta.url).pathname;
  const bin = new URL('../../bin/fewprompt.mjs', import.meta.url).pathname;
  const steps = values['finetune-steps'];
  const args = ['train', '--method', 'finetune', '--model', model, '--out', out, '--max-steps', steps];
  args.push('--train', `${shared}chnsenticorp_train.tsv`, '--dev', `${shared}chnsenticorp_dev.tsv`);
  args.push('--test', `${shared}chnsenticorp_test.tsv`, '--text-field', 'text_a', '--label-field', 'label');
  args.push('--batch-size', '32', '--lr', '5e-5', '--eval-every', String(Math.max(1, Math.round(+steps / 3))));
  execFileSync(process.execPath, [bin, ...args], { stdio: 'inherit' });
  const m = JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8')) as Row['finetune'];
  return { devAccuracy: m.devAccuracy, testAccuracy: m.testAccuracy, steps: m.steps };
}

const results = new URL('../results/', import.meta.url).pathname;
mkdirSync(results, { recursive: true });
const meta = { date: new Date().toISOString(), seq: SEQ, batch: BATCH, budgetFlops: budget, generatorHidden };
writeFileSync(join(results, 'pretrain-objectives.json'), `${JSON.stringify({ ...meta, rows, curves }, null, 1)}\n`);
writeFileSync(join(results, 'pretrain-objectives.svg'), curvesSvg(curves));
const pct = (x: number) => (100 * x).toFixed(2);
const md = [
  '# MLM against ELECTRA at equal compute (`bench/pretrain/objectives.ts`)',
  '',
  `${meta.date.slice(0, 10)}: a 4 × 256 encoder from scratch on the same data (${SEQ}-token chunks, batch ${BATCH}, ` +
    `AdamW lr ${values.lr}, 10% warm-up) for ${(budget / 1e12).toFixed(1)} TFLOP each (ELECTRA: generator ` +
    `${LAYERS} × ${generatorHidden}, λ 50), then fine-tuned on ChnSentiCorp for ${values['finetune-steps']} steps ` +
    '(batch 32, lr 5e-5, checkpoint chosen on dev).',
  '',
  '| objective | steps | tokens | held-out | fine-tuned dev | fine-tuned test | pretraining minutes |',
  '|---|---:|---:|---|---:|---:|---:|',
  ...rows.map(
    (r) =>
      `| ${r.objective} | ${r.steps} | ${(r.tokens / 1e6).toFixed(2)} M | ` +
      `${Object.entries(r.heldout)
        .map(([k, v]) => `${k} ${v.toFixed(4)}`)
        .join('; ')} | ${pct(r.finetune.devAccuracy)} | ${pct(r.finetune.testAccuracy)} | ` +
      `${r.pretrainMinutes.toFixed(1)} |`,
  ),
  '',
  'Training loss against FLOPs (the two losses are not on one scale: ELECTRA adds 50 × the detection loss): ' +
    '[pretrain-objectives.svg](pretrain-objectives.svg).',
  '',
];
writeFileSync(join(results, 'pretrain-objectives.md'), md.join('\n'));
