/**
 * Taskflow throughput in characters per second: each `word_segmentation` mode at batch 1 and 32
 * (LAC on ONNX Runtime and on our TypeScript kernels), beside `@node-rs/jieba` called directly
 * and Python jieba (when installed), all on the same text in the same run.
 *
 *   npx tsx bench/taskflow/bench.ts [--file ../shared/cws/sxu_test.txt] [--lines 1000]
 * Writes bench/results/taskflow.json and bench/results/taskflow.md.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { Jieba } from '@node-rs/jieba';
import { dict } from '@node-rs/jieba/dict.js';
import { Taskflow } from '../../inference/taskflow/index.js';

const { values } = parseArgs({ options: {
  file: { type: 'string', default: '../shared/cws/sxu_test.txt' }, lines: { type: 'string', default: '1000' },
  'js-lines': { type: 'string', default: '40' },
} });
const all = readFileSync(values.file, 'utf8').split(/\r?\n/).map((l) => l.replace(/\s+/gu, '')).filter(Boolean);
const texts = all.slice(0, Number(values.lines));
const chars = (ts: readonly string[]) => ts.reduce((a, t) => a + [...t].length, 0);

interface Row { name: string; batch: number; texts: number; chars: number; seconds: number; charsPerSecond: number }
const rows: Row[] = [];

/** Times `run` over `ts` in batches of `batch` (after one warm-up call). */
async function measure(name: string, batch: number, ts: readonly string[], run: (b: string[]) => unknown): Promise<void> {
  await run(ts.slice(0, Math.min(batch, ts.length)));
  const start = performance.now();
  for (let i = 0; i < ts.length; i += batch) await run(ts.slice(i, i + batch));
  const seconds = (performance.now() - start) / 1000;
  const n = chars(ts);
  rows.push({ name, batch, texts: ts.length, chars: n, seconds: Math.round(seconds * 1000) / 1000, charsPerSecond: Math.round(n / seconds) });
  console.log(`${name} batch ${batch}: ${Math.round(n / seconds)} chars/s`);
}

for (const batch of [1, 32]) {
  await measure('word_segmentation base (LAC, ONNX Runtime)', batch, texts, Taskflow('word_segmentation', { batchSize: batch, backend: 'onnx' }));
}
const jsTexts = texts.slice(0, Number(values['js-lines']));
for (const batch of [1, 32]) {
  await measure('word_segmentation base (LAC, TypeScript kernels)', batch, jsTexts, Taskflow('word_segmentation', { batchSize: batch, backend: 'js' }));
}
for (const batch of [1, 32]) await measure('word_segmentation fast (jieba via Taskflow)', batch, texts, Taskflow('word_segmentation', { mode: 'fast' }));
const jieba = Jieba.withDict(dict);
await measure('@node-rs/jieba cut(text, hmm) direct', 1, texts, (b) => b.map((t) => jieba.cut(t, true)));

let python: Row | undefined;
if (existsSync('/usr/bin/python3')) {
  const code = 'import sys, json, time, jieba\njieba.setLogLevel(60)\nts = json.load(sys.stdin)\njieba.initialize()\nlist(jieba.cut(ts[0]))\n'
    + 's = time.perf_counter()\nfor t in ts: list(jieba.cut(t))\nprint(time.perf_counter() - s)';
  const py = spawnSync('/usr/bin/python3', ['-c', code], { input: JSON.stringify(texts), encoding: 'utf8' });
  if (py.status === 0) {
    const seconds = Number(py.stdout.trim());
    python = { name: 'Python jieba 0.42.1 cut (default mode)', batch: 1, texts: texts.length, chars: chars(texts), seconds, charsPerSecond: Math.round(chars(texts) / seconds) };
    rows.push(python);
    console.log(`${python.name}: ${python.charsPerSecond} chars/s`);
  }
}

const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}, load average ${loadavg().map((l) => l.toFixed(1)).join(' / ')} at the end (the cores are shared)`;
writeFileSync('bench/results/taskflow.json', JSON.stringify({ file: values.file, machine, date: new Date().toISOString(), rows }, null, 1) + '\n');
writeFileSync('bench/results/taskflow.md', [
  '# Taskflow throughput', '', `Text: the first ${texts.length} sentences of ${values.file} (spaces removed), ${machine}.`,
  'The TypeScript-kernel rows use the first ' + jsTexts.length + ' sentences only (they are ~50× slower).', '',
  '| what | batch | texts | chars | seconds | chars/s |', '|---|---|---|---|---|---|',
  ...rows.map((r) => `| ${r.name} | ${r.batch} | ${r.texts} | ${r.chars} | ${r.seconds} | ${r.charsPerSecond.toLocaleString('en-US')} |`), '',
].join('\n'));
