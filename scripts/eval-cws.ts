/**
 * Word-segmentation precision / recall / F1 on a SIGHAN-style file (gold words separated by
 * spaces), for each `word_segmentation` mode and, when installed, Python jieba's default mode.
 * LAC's segmentation standard is not SIGHAN's: this reports, it does not tune.
 *
 *   npx tsx scripts/eval-cws.ts [--file ../shared/cws/sxu_test.txt] [--out bench/results/cws-sxu]
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { Taskflow } from '../inference/taskflow/index.js';

const { values } = parseArgs({
  options: {
    file: { type: 'string', default: '../shared/cws/sxu_test.txt' },
    out: { type: 'string', default: 'bench/results/cws-sxu' },
  },
});
const gold = readFileSync(values.file, 'utf8')
  .split(/\r?\n/)
  .map((l) => l.trim().split(/\s+/u).filter(Boolean))
  .filter((w) => w.length > 0);
const texts = gold.map((words) => words.join(''));

function spans(words: readonly string[]): Set<string> {
  const out = new Set<string>();
  let at = 0;
  for (const w of words) {
    const n = [...w].length;
    out.add(`${at}:${at + n}`);
    at += n;
  }
  return out;
}

function score(predicted: readonly (readonly string[])[]): { precision: number; recall: number; f1: number } {
  let correct = 0,
    pred = 0,
    ref = 0;
  predicted.forEach((words, i) => {
    const p = spans(words),
      g = spans(gold[i]!);
    for (const s of p) if (g.has(s)) correct++;
    pred += p.size;
    ref += g.size;
  });
  const precision = correct / pred,
    recall = correct / ref;
  const r4 = (x: number) => Math.round(x * 10000) / 10000;
  return { precision: r4(precision), recall: r4(recall), f1: r4((2 * precision * recall) / (precision + recall)) };
}

const results: Record<string, { precision: number; recall: number; f1: number }> = {};
results['base (LAC lac_small)'] = score(await Taskflow('word_segmentation')(texts));
results['fast (@node-rs/jieba, HMM)'] = score(await Taskflow('word_segmentation', { mode: 'fast' })(texts));
if (existsSync('/usr/bin/python3')) {
  const py = spawnSync(
    '/usr/bin/python3',
    [
      '-c',
      'import sys, json, jieba\njieba.setLogLevel(60)\n' +
        'print(json.dumps([list(jieba.cut(l)) for l in json.load(sys.stdin)]))',
    ],
    { input: JSON.stringify(texts), encoding: 'utf8', maxBuffer: 1 << 28 },
  );
  if (py.status === 0)
    results['Python jieba 0.42.1 (Debian, default mode)'] = score(JSON.parse(py.stdout) as string[][]);
  else console.error(`python jieba not available: ${py.stderr.split('\n').slice(-2).join(' ')}`);
}
const report = {
  file: basename(values.file),
  sentences: gold.length,
  words: gold.reduce((a, w) => a + w.length, 0),
  results,
};
writeFileSync(`${values.out}.json`, JSON.stringify(report, null, 1) + '\n');
const md = [
  `# Word segmentation on ${report.file}`,
  '',
  `${report.sentences} sentences, ${report.words} gold words (SIGHAN-2008 SXU standard; ` +
    'LAC follows its own standard, so lower scores are expected and not tuned away).',
  '',
  '| segmenter | precision | recall | F1 |',
  '|---|---|---|---|',
  ...Object.entries(results).map(
    ([k, r]) => `| ${k} | ${r.precision.toFixed(4)} | ${r.recall.toFixed(4)} | ${r.f1.toFixed(4)} |`,
  ),
  '',
].join('\n');
writeFileSync(`${values.out}.md`, md);
console.log(md);
