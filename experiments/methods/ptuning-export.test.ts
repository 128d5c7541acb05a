import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, test } from 'vitest';
import { writeSafetensors } from '../../framework/checkpoint/safetensors.js';
import { BertModel } from '../../framework/model/bert.js';
import { savePretrained } from '../../framework/model/pretrained.js';
import { useBackend } from '../../framework/testing/backends.js';
import { BertTokenizer } from '../../framework/tokenizer/index.js';
import { getTask } from '../../datasets/index.js';
import { loadClassifier } from '../../inference/runtime/classifier.js';
import { TINY_DECISIVE_CONFIG, VOCAB_FILE } from '../../framework/testing/tiny-bert.js';
import { SAMPLE_TEXTS, TINY_LABEL_WORDS } from '../../inference/testing/tiny-run.js';
import { exportRun } from '../export-run.js';
import { PTuningMethod } from './ptuning/method.js';

const root = mkdtempSync(join(tmpdir(), 'fewprompt-ptuning-export-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

// Soft tokens before (random init) and after the text (initialised from words), through one LSTM prompt encoder.
const TEMPLATE =
  "{'soft': None, 'length': 3, 'encoder': 'lstm'}{'text': 'sentence'}{'soft': '这句话'}表示我{'mask'}满意。";

for (const precision of ['fp32', 'int8'] as const) {
  test(`P-Tuning export (${precision}): prompt encoder rows ride on the vocabulary; scores match tfjs`, async () => {
    await useBackend('cpu');
    const model = BertModel.create(TINY_DECISIVE_CONFIG, { pooler: true, mlmHead: true }, 3);
    const tokenizer = BertTokenizer.fromVocabFile(VOCAB_FILE);
    const task = getTask('eprstmt');
    const method = new PTuningMethod(
      { model, tokenizer, task, maxSeqLen: 48, lr: 1e-4, seed: 5 },
      { template: TEMPLATE, labelWords: TINY_LABEL_WORDS },
    );
    const run = join(root, `run-${precision}`);
    savePretrained(model, join(run, 'model'));
    await tokenizer.save(join(run, 'model'));
    writeSafetensors(
      join(run, 'method.safetensors'),
      new Map([...method.snapshot()].filter(([k]) => k.startsWith('method.'))),
    );
    writeFileSync(join(run, 'method.json'), JSON.stringify(method.getConfig()));
    const examples = SAMPLE_TEXTS.map((t, i) => ({ id: i, fields: { sentence: t } }));
    const ref = method.scores(method.makeBatch(examples));

    const manifest = await exportRun(run, join(root, `bundle-${precision}`), { precision });
    assert.equal(manifest.method, 'ptuning');
    assert.equal(manifest.model.softTokenOffset, TINY_DECISIVE_CONFIG.vocabSize);
    const clf = await loadClassifier(join(root, `bundle-${precision}`));
    const got = await clf.scores(SAMPLE_TEXTS);
    let worst = 0;
    let agree = 0;
    ref.forEach((r, i) => {
      r.forEach((v, j) => {
        worst = Math.max(worst, Math.abs(v - got[i]![j]!));
      });
      if (r[1]! > r[0]! === got[i]![1]! > got[i]![0]!) agree++;
    });
    assert.ok(worst < (precision === 'fp32' ? 1e-4 : 0.03), `max |ort - tfjs| = ${worst}`);
    if (precision === 'fp32') assert.equal(agree, ref.length);
    await clf.release();
    model.dispose();
  });
}
