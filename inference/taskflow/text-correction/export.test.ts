import { test } from 'vitest';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tf, tidyRead } from '../../../framework/backend/tf.js';
import { readVocab } from '../../../framework/pretrain/vocab.js';
import { createTinyModel, TINY_DECISIVE_CONFIG, VOCAB_FILE } from '../../../framework/testing/tiny-bert.js';
import { CharVocab } from './char-vocab.js';
import { ConfusionSet } from './confusion.js';
import { Corrector, decide, type CscManifest } from './corrector.js';
import { buildCscGraph } from './graph.js';
import { CscModel } from './model.js';
import { charTokens } from './train-data.js';

const TEXTS = ['遇到逆竟时，我们必须勇于面对', '人生就是如此,经过磨练才能让自己更加拙壮', 'ok', ''];

/** A random tiny CSC model written as an exported model directory; returns tfjs references. */
function writeModel(dir: string, precision: 'fp32' | 'int8', maxSeqLen = 64) {
  const tokens = charTokens(readVocab(VOCAB_FILE));
  const config = { ...TINY_DECISIVE_CONFIG, vocabSize: tokens.length };
  const csc = CscModel.wrap(createTinyModel(3, config, { pooler: false }));
  csc.detectW.assign(tf.randomNormal([config.hiddenSize, 1], 0, 0.5, 'float32', 9));
  const confusion = new ConfusionSet().addPinyin('境\t竟静\t景\n竟\t境\t\n').addStroke('拙\t茁\t绌\n');
  writeFileSync(join(dir, 'model.onnx'), buildCscGraph(csc.stateDict(), config, { precision }));
  writeFileSync(join(dir, 'vocab.txt'), `${tokens.join('\n')}\n`);
  writeFileSync(join(dir, 'confusion.txt'), confusion.serialize());
  const manifest: CscManifest = {
    format: 'fewprompt-csc',
    formatVersion: 1,
    maxSeqLen,
    precision,
    thresholds: { confusion: { detect: 0, margin: -100 }, vocab: { detect: 0, margin: 0 } },
  };
  writeFileSync(join(dir, 'csc.json'), JSON.stringify(manifest));
  return { csc, vocab: new CharVocab(tokens) };
}

/** tfjs detection probabilities and vocabulary log-probabilities of one text. */
function reference(csc: CscModel, vocab: CharVocab, text: string): { detect: number[]; logprobs: number[][] } {
  const ids = [vocab.cls, ...vocab.encode(text).ids, vocab.sep];
  return tidyRead(
    () => {
      const hidden = csc.bert.encode({ inputIds: tf.tensor2d([ids], [1, ids.length], 'int32') }, { training: false });
      const rows = tf.slice(tf.reshape(hidden, [ids.length, -1]), [1, 0], [ids.length - 2, -1]);
      return { detect: tf.sigmoid(csc.detectLogits(rows)), logprobs: tf.logSoftmax(csc.bert.mlmLogits(rows)) };
    },
    (r) => ({ detect: Array.from(r.detect.dataSync()), logprobs: r.logprobs.arraySync() as number[][] }),
  );
}

test('exported graph matches tfjs: detection, candidate log-probabilities, top token (FP32)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'csc-export-'));
  try {
    const { csc, vocab } = writeModel(dir, 'fp32');
    const corrector = await Corrector.load(dir);
    for (const mode of ['confusion', 'vocab'] as const) {
      const scores = await corrector.score(TEXTS, mode, 2);
      TEXTS.forEach((text, i) => {
        const ref = reference(csc, vocab, text);
        assert.equal(scores[i]!.length, Array.from(text).length);
        scores[i]!.forEach((s, t) => {
          assert.ok(Math.abs(s.detect - ref.detect[t]!) < 1e-4, `detect ${text}[${t}]`);
          assert.ok(
            Math.abs(s.sourceLogprob - ref.logprobs[t]![vocab.id(s.char)]!) < 1e-4,
            `source logprob ${text}[${t}]`,
          );
          if (s.best !== undefined)
            assert.ok(
              Math.abs(s.bestLogprob - ref.logprobs[t]![vocab.id(s.best)]!) < 1e-4,
              `best logprob ${text}[${t}]`,
            );
          if (mode === 'confusion' && s.best !== undefined)
            assert.ok(corrector.confusion.candidates(s.char).has(s.best));
          if (mode === 'vocab' && s.best !== undefined) {
            const row = ref.logprobs[t]!;
            assert.ok(Math.abs(Math.max(...row) - s.bestLogprob) < 1e-4);
          }
        });
      });
    }
    // Confusion mode with permissive thresholds: only confusion-set characters change, positions index characters.
    const [r] = await corrector.correct([TEXTS[0]!]);
    assert.equal(r!.source, TEXTS[0]);
    for (const e of r!.errors)
      assert.ok(
        ['竟'].includes(Object.keys(e.correction)[0]!) &&
          Array.from(TEXTS[0]!)[e.position] === Object.keys(e.correction)[0],
      );
    await corrector.release();
    csc.dispose();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('INT8 export agrees with FP32 on the top token; long texts are corrected in windows', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'csc-int8-'));
  try {
    const { csc } = writeModel(dir, 'int8', 8);
    const corrector = await Corrector.load(dir);
    const long = TEXTS[1]!.repeat(3);
    const [scores] = await corrector.score([long], 'vocab');
    assert.equal(scores!.length, Array.from(long).length);
    const [r] = await corrector.correct([long], { mode: 'vocab' });
    assert.equal(Array.from(r!.target).length, Array.from(long).length);
    await corrector.release();
    csc.dispose();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("decide applies both thresholds and reports Taskflow's shape", () => {
  const s = (char: string, detect: number, best?: string, gain = 2) => ({
    char,
    detect,
    sourceLogprob: -5,
    bestLogprob: best ? -5 + gain : -Infinity,
    ...(best ? { best } : {}),
  });
  const scores = [s('遇', 0.9), s('到', 0.1, '道'), s('逆', 0.2), s('竟', 0.8, '境'), s('时', 0.9, '是', 0.5)];
  assert.deepEqual(decide('遇到逆竟时', scores, { detect: 0.5, margin: 1 }), {
    source: '遇到逆竟时',
    target: '遇到逆境时',
    errors: [{ position: 3, correction: { 竟: '境' } }],
  });
  assert.equal(decide('遇到逆竟时', scores, { detect: 0, margin: 0 }).errors.length, 3);
});
