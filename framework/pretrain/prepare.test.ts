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
