import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'vitest';
import { fileURLToPath } from 'node:url';
import { prepareData } from './prepare.js';

const fx = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const VOCAB = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', ...'物流很快包装好叫爸那你我，。'];

test(`prepareData with decontaminate: corpus documents equal to a test text are never trained on, and \
counted`, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fewprompt-decon-'));
  try {
    // A FewCLUE-like test file holding one of the corpus fixture's sentences.
    const testFile = join(dir, 'test_public.json');
    writeFileSync(testFile, `${JSON.stringify({ id: 7, sentence: '物流很快，包装很好。' })}\n`);
    const base = {
      sources: [{ path: fx('fewclue.json'), fields: ['sentence', 'sentence1', 'sentence2'] }],
      baseVocab: VOCAB,
      maxSeqLen: 8,
      clean: { minChars: 2 },
    };
    const plain = await prepareData(base);
    const clean = await prepareData({ ...base, decontaminate: [{ path: testFile, format: 'jsonl' }] });
    assert.equal(plain.counts.contaminated, 0);
    assert.equal(clean.counts.contaminated, 1);
    assert.equal(clean.counts.excludedTexts, 1);
    assert.equal(clean.counts.kept, plain.counts.kept - 1);
    assert.equal(
      clean.counts.trainTokens + clean.counts.heldoutTokens < plain.counts.trainTokens + plain.counts.heldoutTokens,
      true,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test(`prepareData with source weights: 0 drops a source's training documents, 2 repeats each in a later round (never \
beside itself), a fraction keeps a fixed share; held-out documents are never weighted`, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fewprompt-weights-'));
  try {
    const a = join(dir, 'a.txt');
    const b = join(dir, 'b.txt');
    // Distinct documents: 3 characters each, from two sources.
    const chars = [...'物流很快包装好叫爸那你我'];
    const docs = (offset: number) =>
      Array.from({ length: 40 }, (_, i) => chars[(i + offset) % 11]! + chars[(i * 3 + offset) % 11]! + String(i));
    writeFileSync(a, `${docs(0).join('\n')}\n`);
    writeFileSync(b, `${docs(5).join('\n')}\n`);
    const prepare = (wa?: number, wb?: number) =>
      prepareData({
        sources: [
          { path: a, weight: wa },
          { path: b, weight: wb },
        ],
        baseVocab: [...VOCAB, ...'0123456789'],
        maxSeqLen: 8,
        clean: { minChars: 2, dedupe: false },
        heldoutPercent: 10,
      });
    const plain = await prepare();
    const dropped = await prepare(0, 1);
    const doubled = await prepare(2, 1);
    const half = await prepare(0.5, 1);
    assert.equal(plain.counts.heldoutTokens > 0, true);
    for (const run of [dropped, doubled, half]) assert.deepEqual(run.heldout.tokens, plain.heldout.tokens);
    const trainDocs = plain.counts.trainDocuments;
    assert.equal(doubled.counts.trainDocuments - trainDocs, trainDocs - dropped.counts.trainDocuments);
    assert.equal(half.counts.trainDocuments > dropped.counts.trainDocuments, true);
    assert.equal(half.counts.trainDocuments < trainDocs, true);
    assert.deepEqual((await prepare(0.5, 1)).train.tokens, half.train.tokens); // the same share every run
    // The first round is the plain stream; the repeats follow it.
    assert.deepEqual(doubled.train.tokens.subarray(0, plain.train.tokens.length), plain.train.tokens);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
