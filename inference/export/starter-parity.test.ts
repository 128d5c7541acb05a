import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'vitest';
import { loadPretrained } from '../../framework/model/pretrained.js';
import { useBackend } from '../../framework/testing/backends.js';
import { BertTokenizer } from '../../framework/tokenizer/index.js';
import { loadClassifier } from '../runtime/classifier.js';
import {
  exportTinyRun,
  SAMPLE_TEXTS,
  TINY_LABEL_WORDS,
  TINY_LABELS,
  TINY_TEMPLATE,
  tfjsPetScores,
} from '../testing/tiny-run.js';

const STARTER = fileURLToPath(new URL('../../../shared/models/zh-mini-starter', import.meta.url));

test(`real weights (zh-mini-starter, when ../shared has it): PET FP32 export matches tfjs (cpu backend) within \
1e-4`, async (ctx) => {
  if (!existsSync(join(STARTER, 'model.safetensors'))) ctx.skip('no ../shared/models/zh-mini-starter');
  await useBackend('cpu');
  const run = mkdtempSync(join(tmpdir(), 'fewprompt-starter-'));
  try {
    cpSync(STARTER, join(run, 'model'), { recursive: true });
    writeFileSync(
      join(run, 'method.json'),
      JSON.stringify({
        kind: 'pet',
        maxSeqLen: 128,
        template: TINY_TEMPLATE,
        labels: TINY_LABELS,
        labelWords: TINY_LABEL_WORDS,
      }),
    );
    await exportTinyRun(run, join(run, 'bundle'));
    const { model, dir } = await loadPretrained(join(run, 'model'), { parts: { pooler: false, mlmHead: true } });
    const tokenizer = await BertTokenizer.fromPretrained(dir);
    const ref = tfjsPetScores(model, tokenizer, SAMPLE_TEXTS, 128);
    model.dispose();
    const clf = await loadClassifier(join(run, 'bundle'));
    const got = await clf.scores(SAMPLE_TEXTS);
    await clf.release();
    const worst = Math.max(...ref.flatMap((r, i) => r.map((v, j) => Math.abs(v - got[i]![j]!))));
    assert.ok(worst < 1e-4, `max |ort - tfjs| = ${worst}`);
    ref.forEach((r, i) => assert.equal(r[0]! > r[1]!, got[i]![0]! > got[i]![1]!));
  } finally {
    rmSync(run, { recursive: true, force: true });
  }
});
