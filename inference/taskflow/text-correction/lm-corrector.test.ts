// The corrector with an `lm` section in csc.json: a random tiny network, a toy n-gram model that decides.
import { expect, test } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readVocab } from '../../../framework/pretrain/vocab.js';
import { createTinyModel, TINY_DECISIVE_CONFIG, VOCAB_FILE } from '../../../framework/testing/tiny-bert.js';
import { ConfusionSet } from './confusion.js';
import { Corrector, type CscManifest } from './corrector.js';
import { buildCscGraph } from './graph.js';
import { writeNgramLm } from './ngram-format.js';
import { estimateKneserNey } from './kneser-ney.js';
import { encodeCorpus } from './lm-corpus.js';
import { CscModel } from './model.js';
import { charTokens } from './train-data.js';

const CORPUS = ['遇到逆境时，我们必须勇于面对。', '逆境使人成长。', '我们必须面对逆境。', '安静的时候。', '竟然是他。'];

/** A model directory: random tiny network, a confusion set with 境/竟/静, a toy n-gram model, an `lm` rule. */
function writeModel(dir: string, lm: Partial<NonNullable<CscManifest['lm']>> = {}): void {
  const tokens = charTokens(readVocab(VOCAB_FILE));
  const config = { ...TINY_DECISIVE_CONFIG, vocabSize: tokens.length };
  const csc = CscModel.wrap(createTinyModel(3, config, { pooler: false }));
  writeFileSync(join(dir, 'model.onnx'), buildCscGraph(csc.stateDict(), config, { precision: 'fp32' }));
  csc.dispose();
  writeFileSync(join(dir, 'vocab.txt'), `${tokens.join('\n')}\n`);
  writeFileSync(join(dir, 'confusion.txt'), new ConfusionSet().addPinyin('境\t竟静\t\n').serialize());
  const { vocab, tokens: stream } = encodeCorpus(CORPUS, { minCount: 1 });
  writeFileSync(join(dir, 'lm.bin'), writeNgramLm(estimateKneserNey(stream, vocab, { order: 3 }).tables));
  const manifest: CscManifest = {
    format: 'fewprompt-csc',
    formatVersion: 1,
    maxSeqLen: 64,
    precision: 'fp32',
    thresholds: { confusion: { detect: 0, margin: -100 }, vocab: { detect: 0, margin: 0 } },
    lm: {
      files: ['lm.bin'],
      weights: [1],
      rules: { confusion: { neuralWeight: 0, threshold: 2, maxEdits: 2, maxCandidates: 0 } },
      ...lm,
    },
  };
  writeFileSync(join(dir, 'csc.json'), JSON.stringify(manifest));
}

test('with an n-gram rule, the corrector leaves a correct text alone and fixes an obvious error', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'csc-lm-'));
  try {
    writeModel(dir);
    const corrector = await Corrector.load(dir);
    expect(corrector.lm?.order).toBe(3);
    const [fine, fixed] = await corrector.correct(['遇到逆境时，我们必须勇于面对。', '遇到逆竟时，我们必须勇于面对。']);
    expect(fine!.errors).toEqual([]);
    expect(fixed).toEqual({
      source: '遇到逆竟时，我们必须勇于面对。',
      target: '遇到逆境时，我们必须勇于面对。',
      errors: [{ position: 3, correction: { 竟: '境' } }],
    });
    // A mode without a rule decides by the network's thresholds, as before (margin −100: every candidate wins).
    const [vocabMode] = await corrector.correct(['遇到逆境时'], { mode: 'vocab' });
    expect(vocabMode!.source).toBe('遇到逆境时');
    await corrector.release();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a broken lm section fails to load with one line', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'csc-lm-'));
  try {
    writeModel(dir, { files: ['missing.bin'] });
    await expect(Corrector.load(dir)).rejects.toThrow(/csc\.json: lm file missing\.bin is missing in /);
    writeModel(dir, { weights: [0.5] });
    await expect(Corrector.load(dir)).rejects.toThrow(/mixture weights must be ≥ 0 and sum to 1/);
    writeModel(dir);
    writeFileSync(join(dir, 'lm.bin'), 'not a model');
    await expect(Corrector.load(dir)).rejects.toThrow(/lm\.bin: not a valid n-gram model: no 'fpngram' header$/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
