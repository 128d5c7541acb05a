import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, test } from 'vitest';
import type { BertModel } from '../../framework/model/bert.js';
import { useBackend } from '../../framework/testing/backends.js';
import { loadClassifier } from '../runtime/classifier.js';
import { exportTinyRun, SAMPLE_TEXTS, writeTinyRun } from '../testing/tiny-run.js';
import { quantizeRows } from './int8-embeddings.js';

const root = mkdtempSync(join(tmpdir(), 'fewprompt-int8-emb-'));
const models: BertModel[] = [];
beforeAll(() => useBackend('cpu'));
afterAll(() => {
  for (const m of models) m.dispose();
  rmSync(root, { recursive: true, force: true });
});

test('quantizeRows: one scale per row, every value within half a step', () => {
  const rows = 3;
  const cols = 5;
  const w = Float32Array.from({ length: rows * cols }, (_, i) => Math.sin(i * 0.7) * (1 + (i % cols)));
  w.fill(0, 10, 15); // an all-zero row keeps scale 1
  const q = quantizeRows(w, rows, cols);
  assert.equal(q.scales[2], 1);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const i = r * cols + c;
      assert.ok(Math.abs(q.values[i]! * q.scales[r]! - w[i]!) <= q.scales[r]! / 2 + 1e-7, `row ${r} col ${c}`);
    }
  }
  assert.deepEqual(Array.from(quantizeRows(Float32Array.of(1, -0.5, 0, 0.25), 2, 2).values), [127, -63, 0, 127]);
});

/** Short reviews cut at several lengths. */
const MANY = SAMPLE_TEXTS.flatMap((t) => [4, 8, 12, 20, 30].map((n) => [...t].slice(0, n).join('')));

test(`compact bundle (int8 word embeddings): smaller file, same labels as the INT8 bundle, probabilities \
close`, async () => {
  for (const method of ['pet', 'finetune'] as const) {
    const run = join(root, method);
    models.push((await writeTinyRun(run, method)).model);
    await exportTinyRun(run, join(root, `${method}-int8`), { precision: 'int8' });
    const manifest = await exportTinyRun(run, join(root, `${method}-compact`), {
      precision: 'int8',
      wordEmbeddings: 'int8-rows',
    });
    assert.equal(manifest.model.precision, 'int8');
    const size = (d: string) => statSync(join(root, d, 'model.onnx')).size;
    // The tiny model's table is 21,128 × 32: float32 2.7 MB, int8 0.7 MB.
    assert.ok(
      size(`${method}-compact`) < size(`${method}-int8`) - 1.5e6,
      `${method}: ${size(`${method}-compact`)} vs ${size(`${method}-int8`)} bytes`,
    );
    const [base, compact] = [
      await loadClassifier(join(root, `${method}-int8`)),
      await loadClassifier(join(root, `${method}-compact`)),
    ];
    const [a, b] = [await base.predict(MANY), await compact.predict(MANY)];
    const agree = b.filter((p, i) => p.label === a[i]!.label).length / MANY.length;
    const diff = Math.max(...b.map((p, i) => Math.abs(p.score - a[i]!.score)));
    assert.ok(agree >= 0.95, `${method}: label agreement ${agree}`);
    assert.ok(diff < 0.05, `${method}: max probability difference ${diff}`);
    await base.release();
    await compact.release();
  }
});
