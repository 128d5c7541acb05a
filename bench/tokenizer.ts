/**
 * Tokenizer throughput: sentences/s of `BertTokenizer` for single texts and padded batches, next to
 * the Rust Hugging Face tokenizers (`@anush008/tokenizers`, when installed) and the JavaScript
 * `@huggingface/tokenizers`, on FewCLUE sentences (or, without `../shared`, the parity fixture).
 * Also counts how many of the benchmark sentences give the same ids as the Rust reference.
 *
 * Usage: `npx tsx bench/tokenizer.ts [--limit N] [--fewclue DIR]`; writes `bench/results/tokenizer.{json,md}`.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Tokenizer as JsTokenizer } from '@huggingface/tokenizers';
import { BertTokenizer } from '../framework/tokenizer/index.js';
import { readFixture } from '../framework/tokenizer/fixtures/parity.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const option = (name: string): string | undefined => {
  const index = args.indexOf(name);
  return index >= 0 ? args[index + 1] : undefined;
};
const limit = Number(option('--limit') ?? 10_000);
const fewclueDir = option('--fewclue') ?? join(root, '../shared/fewclue');
const BATCH = 32;

/** Every text field of every FewCLUE task's few-shot train/dev and public test files. */
function fewclueTexts(dir: string): string[] {
  const texts: string[] = [];
  for (const task of readdirSync(dir).sort()) {
    for (const file of ['train_few_all.json', 'dev_few_all.json', 'test_public.json']) {
      const path = join(dir, task, file);
      if (!existsSync(path)) continue;
      for (const line of readFileSync(path, 'utf8').split('\n')) {
        if (line.trim() === '') continue;
        const row = JSON.parse(line) as Record<string, unknown>;
        for (const key of ['sentence', 'sentence1', 'sentence2', 'content', 'text', 'abst']) {
          const value = row[key];
          if (typeof value === 'string' && value !== '') texts.push(value);
        }
      }
    }
  }
  return texts;
}

const source = existsSync(fewclueDir) ? 'FewCLUE' : 'parity fixture';
const all =
  source === 'FewCLUE'
    ? fewclueTexts(fewclueDir)
    : readFixture(join(root, 'framework/tokenizer/fixtures/parity.json.gz'))
        .cases.flatMap((c) => [c.text, c.pair ?? ''])
        .filter((t) => t !== '');
const step = Math.max(1, Math.floor(all.length / limit));
const texts = all.filter((_, i) => i % step === 0).slice(0, limit);
const chars = texts.reduce((n, t) => n + t.length, 0);
const batches: string[][] = [];
for (let i = 0; i < texts.length; i += BATCH) batches.push(texts.slice(i, i + BATCH));

/** Median of three timed runs after one warm-up, in sentences per second. */
async function measure(run: () => unknown): Promise<number> {
  await run();
  const times: number[] = [];
  for (let r = 0; r < 3; r++) {
    const start = performance.now();
    await run();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return texts.length / ((times[1] ?? 1) / 1000);
}

interface Row {
  tokenizer: string;
  mode: string;
  sentencesPerSecond: number;
}
const rows: Row[] = [];
const tok = BertTokenizer.fromVocabFile(join(root, 'models/vocab/bert-base-chinese/vocab.txt'));
rows.push({
  tokenizer: 'fewprompt BertTokenizer',
  mode: 'single',
  sentencesPerSecond: await measure(() => texts.map((t) => tok.encode(t, { maxLength: 512 }))),
});
rows.push({
  tokenizer: 'fewprompt BertTokenizer',
  mode: `batch ${BATCH}, padded`,
  sentencesPerSecond: await measure(() =>
    batches.map((b) => tok.encodeBatch(b, { maxLength: 512, padding: 'longest' })),
  ),
});

const js = new JsTokenizer(tok.toTokenizerJson(), { do_lower_case: true });
rows.push({
  tokenizer: '@huggingface/tokenizers 0.2 (JS, no offsets/truncation)',
  mode: 'single',
  sentencesPerSecond: await measure(() => texts.map((t) => js.encode(t))),
});

let parity: { checked: number; equal: number } | undefined;
let reference = 'not installed';
try {
  const ref = await import('@anush008/tokenizers');
  reference = '@anush008/tokenizers 0.6.0 (Rust tokenizers)';
  const rust = ref.Tokenizer.fromString(JSON.stringify(tok.toTokenizerJson()));
  rust.setTruncation(512);
  rows.push({
    tokenizer: 'Rust reference',
    mode: 'single (await each)',
    sentencesPerSecond: await measure(async () => {
      for (const t of texts) await rust.encode(t);
    }),
  });
  rust.setPadding({});
  rows.push({
    tokenizer: 'Rust reference',
    mode: `batch ${BATCH}, padded (Rust threads)`,
    sentencesPerSecond: await measure(async () => {
      for (const b of batches) await rust.encodeBatch(b);
    }),
  });
  rust.disablePadding();
  let equal = 0;
  for (const t of texts)
    if ((await rust.encode(t)).getIds().join() === tok.encode(t, { maxLength: 512 }).inputIds.join()) equal++;
  parity = { checked: texts.length, equal };
} catch (error) {
  console.error(`reference skipped: ${(error as Error).message}`);
}

const ours = rows[0]?.sentencesPerSecond ?? 0;
const result = {
  date: new Date().toISOString(),
  node: process.version,
  cpu: cpus()[0]?.model ?? 'unknown',
  cores: cpus().length,
  source,
  sentences: texts.length,
  meanChars: Math.round(chars / texts.length),
  maxLength: 512,
  reference,
  parity,
  rows: rows.map((r) => ({
    ...r,
    sentencesPerSecond: Math.round(r.sentencesPerSecond),
    oursOverThis: Number((ours / r.sentencesPerSecond).toFixed(2)),
  })),
};
const out = join(root, 'bench/results');
mkdirSync(out, { recursive: true });
writeFileSync(join(out, 'tokenizer.json'), `${JSON.stringify(result, null, 2)}\n`);
const md = [
  `# Tokenizer throughput`,
  '',
  `${result.sentences} ${source} sentences (mean ${result.meanChars} chars), ` +
    'bert-base-chinese vocab, truncation at 512; ' +
    `Node ${result.node}, ${result.cpu} (${result.cores} cores, shared). Median of 3 runs after a warm-up. ` +
    `"ours ×" is fewprompt single-text throughput over the row's.`,
  '',
  '| tokenizer | mode | sentences/s | ours × |',
  '|---|---|---:|---:|',
  ...result.rows.map(
    (r) => `| ${r.tokenizer} | ${r.mode} | ${r.sentencesPerSecond.toLocaleString('en-US')} | ${r.oursOverThis} |`,
  ),
  '',
  parity === undefined
    ? 'Reference not installed: no parity count.'
    : `Ids equal to the Rust reference: ${parity.equal} / ${parity.checked} sentences.`,
  '',
].join('\n');
writeFileSync(join(out, 'tokenizer.md'), md);
console.log(md);
