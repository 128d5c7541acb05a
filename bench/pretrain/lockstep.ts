/**
 * fewprompt's side of the lock-step check (see lockstep.py): the batches PyTorch trained on, the same initial
 * weights, no dropout, AdamW with BERT's decay groups, clipping at 1 and the same schedule; prints the loss per step
 * as JSON, then the largest difference from PyTorch's when its JSON is given.
 *   npx tsx bench/pretrain/lockstep.ts MODEL_DIR BATCHES.bin [torch.json]
 */
import { readFileSync } from 'node:fs';
import { tf } from '../../framework/backend/tf.js';
import { initBackend } from '../../framework/backend/select.js';
import { loadStateDict } from '../../framework/checkpoint/state-dict.js';
import { BertModel } from '../../framework/model/bert.js';
import { readBertConfig } from '../../framework/model/config.js';
import { AdamW } from '../../framework/optim/adamw.js';
import { lrSchedule } from '../../framework/optim/schedule.js';
import { type HostBatch, mlmLossAndGrads } from '../../framework/pretrain/batch.js';

const [modelDir, batchFile, torchJson] = process.argv.slice(2);
if (!modelDir || !batchFile) {
  console.error('usage: npx tsx bench/pretrain/lockstep.ts MODEL_DIR BATCHES.bin [torch.json]');
  process.exit(2);
}
await initBackend();
const bytes = readFileSync(batchFile);
const ints = new Int32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
const [steps, rows, seq] = [ints[0]!, ints[1]!, ints[2]!];
// No dropout on either side (lockstep.py runs PyTorch's modules in eval mode), whatever config.json says.
const config = { ...readBertConfig(modelDir), hiddenDropoutProb: 0, attentionProbsDropoutProb: 0 };
const model = BertModel.fromStateDict(config, loadStateDict(modelDir), { mlmHead: true });
const opt = new AdamW(model.params.decayGroups(1e-3, 0.01), { maxGradNorm: 1 });
const schedule = lrSchedule({ kind: 'linear', warmupSteps: 20, totalSteps: steps });
model.train();
const losses: number[] = [];
let at = 3;
for (let s = 0; s < steps; s++) {
  const masked = ints[at++]!;
  const take = (n: number) => ints.slice(at, (at += n));
  const batch: HostBatch = {
    inputIds: take(rows * seq),
    batch: rows,
    seq,
    positions: take(masked),
    labels: take(masked),
  };
  const { loss, grads } = mlmLossAndGrads(model, batch, s + 1);
  opt.step(grads, schedule(s));
  tf.dispose(Object.values(grads));
  losses.push(Math.round(loss * 1e6) / 1e6);
}
const result: Record<string, unknown> = { engine: tf.getBackend(), losses };
if (torchJson) {
  const reference = (JSON.parse(readFileSync(torchJson, 'utf8')) as { losses: number[] }).losses;
  const diffs = losses.map((l, i) => Math.abs(l - reference[i]!));
  const at10 = (k: number) => diffs.slice(k - 10, k).reduce((a, b) => a + b, 0) / 10;
  result['maxAbsDiff'] = Math.max(...diffs);
  result['meanAbsDiffBySpan'] = [10, 50, 100, 200, steps].filter((k) => k <= steps).map((k) => [k, at10(k)]);
  result['meanLoss'] = [10, 50, 100, 200, steps]
    .filter((k) => k <= steps)
    .map((k) => [
      k,
      losses.slice(k - 10, k).reduce((a, b) => a + b, 0) / 10,
      reference.slice(k - 10, k).reduce((a, b) => a + b, 0) / 10,
    ]);
}
console.log(JSON.stringify(result));
