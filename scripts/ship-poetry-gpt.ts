/**
 * Packages a finished scripts/train-poetry-gpt.ts run as the shipped poetry model and evaluates it:
 * F16 weights + config + vocab into `--out`, the loss curve (SVG, PNG via rsvg-convert when installed),
 * and `evaluation.json`: the training report's held-out loss/perplexity, then for each decoding mode of
 * the `poetry_generation` task, on the first line of every held-out poem, how often the answer has the
 * right form (，+ as many characters as the first line + 。) and how often it copies the real second line,
 * plus the answers for a fixed list of first lines.
 *   npx tsx scripts/ship-poetry-gpt.ts --run /work/runs/poetry/final --data /work/runs/poetry/data \
 *     --out models/poetry-gpt-zh
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { readSafetensors, writeSafetensors } from '../framework/checkpoint/safetensors.js';
import { trainingCurveSvg } from '../experiments/report/run-report.js';
import { TextGenerator } from '../inference/generation/generator.js';
import { POETRY_DECODING } from '../inference/taskflow/poetry-generation.js';

const { values: a } = parseArgs({
  options: {
    run: { type: 'string', default: '/work/runs/poetry/final' },
    data: { type: 'string', default: '/work/runs/poetry/data' },
    out: { type: 'string', default: 'models/poetry-gpt-zh' },
    'eval-only': { type: 'boolean', default: false },
  },
});
const out = a.out!;
const report = JSON.parse(readFileSync(join(a.run!, 'training_report.json'), 'utf8')) as {
  history: { step: number; loss?: number; dev?: number }[];
} & Record<string, unknown>;
if (!a['eval-only']) {
  mkdirSync(out, { recursive: true });
  for (const f of ['config.json', 'vocab.txt']) writeFileSync(join(out, f), readFileSync(join(a.run!, f)));
  writeSafetensors(join(out, 'model.safetensors'), readSafetensors(join(a.run!, 'model.safetensors')), {
    dtype: 'F16',
    metadata: { format: 'pt', producer: 'fewprompt scripts/train-poetry-gpt.ts' },
  });
  writeFileSync(
    join(out, 'loss-curve.svg'),
    trainingCurveSvg(report.history, 640, 280, { loss: 'training loss', dev: 'held-out next-char accuracy' }),
  );
  try {
    execFileSync('rsvg-convert', ['-o', join(out, 'loss-curve.png'), join(out, 'loss-curve.svg')]);
  } catch {
    /* SVG only */
  }
}

const heldout = readFileSync(join(a.data!, 'heldout.txt'), 'utf8').split('\n').filter(Boolean);
const firstLines = heldout.map((p) => p.slice(0, p.indexOf('，')));
const secondLines = heldout.map((p) => p.slice(p.indexOf('，'), p.indexOf('。') + 1));
const gen = await TextGenerator.load(out);
const FIXED = [
  '深山不见人',
  '床前明月光',
  '白日依山尽',
  '春眠不觉晓',
  '空山新雨后',
  '独坐幽篁里',
  '故人西辞黄鹤楼',
  '两个黄鹂鸣翠柳',
  '秋风吹不尽',
  '明月松间照',
];
const modes: Record<string, unknown> = {};
for (const [mode, options] of Object.entries(POETRY_DECODING)) {
  const started = Date.now();
  const answers = (await gen.generate(firstLines, { ...options, stopText: '。' })).map((g) => g.continuation);
  const seconds = (Date.now() - started) / 1000;
  const form = answers.filter((ans, i) =>
    new RegExp(`^，[\\u4e00-\\u9fff]{${[...firstLines[i]!].length}}。$`, 'u').test(ans),
  ).length;
  const exact = answers.filter((ans, i) => ans === secondLines[i]).length;
  const fixed = (await gen.generate(FIXED, { ...options, stopText: '。' })).map((g) => ({
    text: g.text,
    answer: g.continuation,
  }));
  modes[mode] = {
    options,
    heldoutFirstLines: firstLines.length,
    rightForm: form,
    rightFormRate: form / firstLines.length,
    exactSecondLine: exact,
    seconds,
    examples: fixed,
  };
  console.log(
    mode,
    form,
    '/',
    firstLines.length,
    'right form;',
    exact,
    'exact;',
    fixed.map((f) => f.text + f.answer).join(' '),
  );
}
const size = statSync(join(out, 'model.safetensors')).size;
const evaluation = {
  heldoutLoss: report['heldoutLoss'],
  heldoutPerplexity: report['heldoutPerplexity'],
  heldoutTokens: report['heldoutTokens'],
  modelBytes: size,
  modes,
};
writeFileSync(join(out, 'evaluation.json'), `${JSON.stringify(evaluation, null, 1)}\n`);
console.log(
  JSON.stringify({ ...evaluation, modes: undefined }),
  existsSync(join(out, 'loss-curve.png')) ? 'png' : 'svg only',
);
