/**
 * Packages a finished `fewprompt pretrain` run as the shipped model: copies weights (F16), config and
 * vocab into `models/<name>/`, draws the loss curve (SVG, and PNG when `rsvg-convert` is installed),
 * and writes MODEL_CARD.md from the run's MLflow metrics, its state and the cloze-probe results.
 *   npx tsx scripts/model-card.ts --run RUN_DIR --mlruns MLRUNS_DIR --out models/fewprompt-zh-mini \
 *     [--probes bench/results/cloze-probes.json]
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadStateDict, saveStateDict } from '../framework/checkpoint/state-dict.js';
import { trainingCurveSvg } from '../experiments/report/run-report.js';

const { values } = parseArgs({
  options: {
    run: { type: 'string' },
    mlruns: { type: 'string' },
    out: { type: 'string' },
    probes: { type: 'string' },
    baseline: { type: 'string' },
  },
});
if (!values.run || !values.mlruns || !values.out)
  throw new Error('usage: --run RUN_DIR --mlruns MLRUNS_DIR --out MODEL_DIR');
const run = values.run;
const out = values.out;
const modelDir = existsSync(join(run, 'config.json')) ? run : join(run, 'checkpoint');
const state = JSON.parse(readFileSync(join(run, 'checkpoint', 'state.json'), 'utf8')) as {
  step: number;
  tokensSeen: number;
  elapsedSeconds: number;
  config: Record<string, unknown>;
};

// The newest MLflow run whose metrics hold the pretraining loss.
const runs = readdirSync(values.mlruns)
  .flatMap((exp) => {
    const dir = join(values.mlruns!, exp);
    return statSync(dir).isDirectory()
      ? readdirSync(dir)
          .map((r) => join(dir, r))
          .filter((r) => existsSync(join(r, 'metrics', 'loss')))
      : [];
  })
  .sort((a, b) => statSync(join(b, 'metrics', 'loss')).mtimeMs - statSync(join(a, 'metrics', 'loss')).mtimeMs);
const metric = (name: string) =>
  runs
    .flatMap((r) =>
      existsSync(join(r, 'metrics', name))
        ? readFileSync(join(r, 'metrics', name), 'utf8')
            .trim()
            .split('\n')
            .map((l) => {
              const [, v, s] = l.split(' ');
              return { step: Number(s), value: Number(v) };
            })
        : [],
    )
    .sort((a, b) => a.step - b.step);
const loss = metric('loss');
const heldout = metric('heldout_mlm_accuracy');

mkdirSync(out, { recursive: true });
saveStateDict(out, loadStateDict(modelDir), { dtype: 'F16' });
for (const f of ['config.json', 'vocab.txt']) copyFileSync(join(modelDir, f), join(out, f));
const svg = trainingCurveSvg(
  [...loss.map((p) => ({ step: p.step, loss: p.value })), ...heldout.map((p) => ({ step: p.step, dev: p.value }))],
  640,
  280,
  { loss: 'training loss', dev: 'held-out MLM accuracy' },
);
writeFileSync(join(out, 'loss-curve.svg'), svg);
let png = false;
try {
  execFileSync('rsvg-convert', ['-o', join(out, 'loss-curve.png'), join(out, 'loss-curve.svg')]);
  png = true;
} catch {
  /* no rsvg-convert: the SVG stays the figure */
}

const probes =
  values.probes && existsSync(values.probes)
    ? (JSON.parse(readFileSync(values.probes, 'utf8')) as { model: string; top1: number; top5: number }[])
    : [];
const first = heldout[0];
const last = heldout[heldout.length - 1];
const probeLine = probes.length
  ? '- Cloze probes (20 everyday sentences, [bench/results/cloze-probes.md](../../bench/results/cloze-probes.md)): ' +
    `${probes.map((p) => `${p.model.split('/').pop()}: top-1 ${p.top1}/20, top-5 ${p.top5}/20`).join('; ')}.`
  : '';
const card = `# fewprompt-zh-mini

fewprompt's default masked language model: a small Chinese BERT (Hugging Face layout: \`config.json\`, \`vocab.txt\`,
\`model.safetensors\` in F16, keys as \`BertForMaskedLM\`; the MLM decoder is tied to the word embeddings) trained with
fewprompt's own \`fewprompt pretrain\` pipeline (tfjs, WebAssembly backend, 1 CPU core) by continued pretraining of
\`zh-mini-starter\` (shared/models, itself ~1 h of PyTorch on 2 cores).

## Recipe
- Architecture: ${JSON.stringify(state.config['model'])}, bert-base-chinese vocabulary (21,128), \
max length ${String(state.config['maxSeqLen'])}.
- Objective: masked LM, 15% of tokens (80/10/10), whole-word masking with jieba segmentation, dynamic per step; \
documents packed into ${String(state.config['maxSeqLen'])}-token chunks.
- Optimiser: AdamW lr ${String(state.config['lr'])}, warm-up ${String(state.config['warmupSteps'])} steps, \
${String(state.config['schedule'])} decay, batch ${String(state.config['batchSize'])}, \
weight decay ${String(state.config['weightDecay'])}, clip 1.0; seed ${String(state.config['seed'])}.
- Steps ${state.step}, tokens seen ${state.tokensSeen.toLocaleString('en')}, \
wall time ${(state.elapsedSeconds / 60).toFixed(1)} min (this stage; the starter's hour comes before it).
- Exact command: \`node bin/fewprompt.mjs pretrain --config scripts/pretrain-zh-mini.json\` \
(resumable with \`--resume\`).

## Corpus (from \`../shared\`; never FewCLUE \`test\` / \`test_public\` texts)
| source | licence |
|---|---|
| CLUECorpusSmall sample (dbiir/UER-py) | research use |
| THUCNews headlines (Mikky-Li/thuc) | research use |
| online_shopping_10_cats, waimai_10k, ChnSentiCorp hotel (SophonPlus/ChineseNlpCorpus) | research use |
| CMRC2018 dev/trial contexts (ymcui/cmrc2018) | CC BY-SA 4.0 |
| FewCLUE train/dev/unlabeled texts (CLUEbenchmark/FewCLUE) | research use |

## Results
- Held-out MLM accuracy (1% of documents held out, whole-word masking, ${'same chunks before and after'}): \
${first ? first.value.toFixed(4) : '?'} at the start (= the starter) → ${last ? last.value.toFixed(4) : '?'} \
at step ${last?.step ?? '?'}.
${probeLine}
- Loss curve (blue: training loss per logging window; red: held-out MLM accuracy): \
${png ? '![loss curve](loss-curve.png)' : '[loss-curve.svg](loss-curve.svg)'}

## Limits
Small and briefly trained: 2 CPU cores, no GPU. It is a default that makes every feature work out of the box, not a
substitute for ERNIE 1.0 / bert-base-chinese / chinese-roberta-wwm-ext, which load with \`--model\`.
`;
writeFileSync(join(out, 'MODEL_CARD.md'), card);
console.log(card);
