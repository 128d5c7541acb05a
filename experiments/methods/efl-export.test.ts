import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, test } from 'vitest';
import { writeSafetensors } from '../../framework/checkpoint/safetensors.js';
import { ExportError } from '../../framework/errors.js';
import { BertModel } from '../../framework/model/bert.js';
import { savePretrained } from '../../framework/model/pretrained.js';
import { useBackend } from '../../framework/testing/backends.js';
import { BertTokenizer } from '../../framework/tokenizer/index.js';
import { getTask } from '../../datasets/index.js';
import { loadClassifier } from '../../inference/runtime/classifier.js';
import { TINY_DECISIVE_CONFIG, VOCAB_FILE } from '../../framework/testing/tiny-bert.js';
import { SAMPLE_TEXTS } from '../../inference/testing/tiny-run.js';
import { exportRun } from '../export-run.js';
import { EflMethod } from './efl/method.js';

const root = mkdtempSync(join(tmpdir(), 'fewprompt-efl-export-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

test('EFL export: each text is paired with every label description; log P(entail) per label matches tfjs', async () => {
  await useBackend('cpu');
  const model = BertModel.create(TINY_DECISIVE_CONFIG, { pooler: true, mlmHead: true }, 4);
  const tokenizer = BertTokenizer.fromVocabFile(VOCAB_FILE);
  const task = getTask('eprstmt');
  const descriptions = { Negative: '这是一条差评。', Positive: '这是一条好评，我很满意。' };
  const method = new EflMethod({ model, tokenizer, task, maxSeqLen: 48, lr: 1e-4, seed: 9 }, { descriptions });
  const run = join(root, 'run');
  savePretrained(model, join(run, 'model'));
  await tokenizer.save(join(run, 'model'));
  writeSafetensors(
    join(run, 'method.safetensors'),
    new Map([...method.snapshot()].filter(([k]) => k.startsWith('method.'))),
  );
  writeFileSync(join(run, 'method.json'), JSON.stringify({ ...method.getConfig(), descriptions: undefined }));
  await assert.rejects(
    exportRun(run, join(root, 'nope')),
    (e: unknown) =>
      e instanceof ExportError && /description for every label; missing: Negative, Positive/.test(e.message),
  );

  const examples = SAMPLE_TEXTS.map((t, i) => ({ id: i, fields: { sentence: t } }));
  const ref = method.scores(method.makeBatch(examples, false));
  writeFileSync(join(run, 'method.json'), JSON.stringify(method.getConfig()));
  const manifest = await exportRun(run, join(root, 'bundle'));
  assert.deepEqual(manifest.pairs, {
    field: 'candidate_label',
    texts: [descriptions.Negative, descriptions.Positive],
  });
  assert.deepEqual(manifest.textFields, ['sentence']);
  const clf = await loadClassifier(join(root, 'bundle'));
  const got = await clf.scores(SAMPLE_TEXTS);
  let worst = 0;
  ref.forEach((r, i) =>
    r.forEach((v, j) => {
      worst = Math.max(worst, Math.abs(v - got[i]![j]!));
    }),
  );
  assert.ok(worst < 1e-4, `max |ort - tfjs| = ${worst}`);
  const predicted = await clf.predict(SAMPLE_TEXTS, { batchSize: 3 });
  predicted.forEach((p, i) => assert.equal(p.label, task.labels[ref[i]![1]! > ref[i]![0]! ? 1 : 0]));
  await clf.release();
  model.dispose();
});
