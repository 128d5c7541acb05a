// Builds bundles (tiny random PET/finetune runs + the default model as a PET run) and records, per bundle, the int32
// feeds and the scores onnxruntime-node gives; scripts/check-python-ort.py then checks Python onnxruntime gives the
// same.
//   npx tsx scripts/python-ort-cases.ts OUT_DIR && python3 scripts/check-python-ort.py OUT_DIR
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { initBackend } from '../framework/backend/select.js';
import { exportRun } from '../experiments/export-run.js';
import { METHOD_SPEC_VERSION } from '../inference/export/method-spec.js';
import { loadClassifier } from '../inference/runtime/classifier.js';
import {
  SAMPLE_TEXTS,
  TINY_LABEL_WORDS,
  TINY_LABELS,
  TINY_TEMPLATE,
  writeTinyRun,
} from '../inference/testing/tiny-run.js';
await initBackend();
const root = process.argv[2] ?? 'runs/python-ort';
mkdirSync(root, { recursive: true });
const runs: Record<string, string> = {};
for (const m of ['pet', 'finetune'] as const) {
  const d = join(root, 'runs', `run-${m}`);
  (await writeTinyRun(d, m)).model.dispose();
  runs[`tiny-${m}`] = d;
}
const mini = join(root, 'runs', 'run-mini-pet');
cpSync('models/fewprompt-zh-mini', join(mini, 'model'), { recursive: true });
writeFileSync(
  join(mini, 'method.json'),
  JSON.stringify({
    formatVersion: METHOD_SPEC_VERSION,
    kind: 'pet',
    task: { type: 'eprstmt' },
    textFields: ['sentence'],
    maxSeqLen: 128,
    template: TINY_TEMPLATE,
    labels: TINY_LABELS,
    labelWords: TINY_LABEL_WORDS,
  }),
);
writeFileSync(join(mini, 'metrics.json'), JSON.stringify({ testAccuracy: 0 }));
runs['mini-pet'] = mini;
const texts = [...SAMPLE_TEXTS, '这个手机的屏幕很清楚，电池也耐用，就是价格有点贵。', '物流太慢了，包装也破了'];
const cases: unknown[] = [];
for (const [name, dir] of Object.entries(runs)) {
  for (const precision of name === 'mini-pet' ? (['int8', 'fp16'] as const) : (['fp32', 'fp16', 'int8'] as const)) {
    const out = join(root, `${name}-${precision}`);
    await exportRun(dir, out, { precision });
    const clf = await loadClassifier(out);
    const batch = (
      clf as unknown as {
        featurizer: { batch(x: unknown[]): { feeds: Record<string, { data: Int32Array; dims: number[] }> } };
      }
    ).featurizer.batch(texts);
    const scores = await clf.scores(texts);
    cases.push({
      bundle: `${name}-${precision}`,
      feeds: Object.fromEntries(Object.entries(batch.feeds).map(([k, v]) => [k, { data: [...v.data], dims: v.dims }])),
      scores: scores.map((s) => [...s]),
    });
  }
}
writeFileSync(join(root, 'cases.json'), JSON.stringify(cases));
console.log(cases.length, 'cases');
