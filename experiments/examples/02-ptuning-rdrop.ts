// P-Tuning with R-Drop: six soft tokens re-parameterised by an LSTM, trained at their own learning rate,
// and a symmetric-KL term between two dropout passes. Run: npx tsx experiments/examples/02-ptuning-rdrop.ts
import {
  BertTokenizer,
  Trainer,
  evaluate,
  getTask,
  initBackend,
  loadPretrained,
  modelOrDefault,
  PTuningMethod,
} from '../../index.js';
import { exampleModel, maxSteps, testLimit } from './example-env.js';

await initBackend();
const { model, dir } = await loadPretrained(modelOrDefault(exampleModel));
const tokenizer = await BertTokenizer.fromPretrained(dir);
const task = getTask('eprstmt');
const method = new PTuningMethod(
  { model, tokenizer, task, maxSeqLen: 128, lr: 5e-5, promptLr: 3e-4, rdropAlpha: 0.5, seed: 42 },
  {
    template: "{'mask'}{'soft': None, 'length': 6, 'encoder': 'lstm'}{'text': 'sentence'}",
  },
);
await new Trainer(method, { epochs: 10, maxSteps, batchSize: 8, seed: 42, warmupRatio: 0.1 }).fit(
  task.load('train'),
  task.load('dev'),
);
console.log('test_public accuracy:', evaluate(method, task.load('test_public').slice(0, testLimit)).accuracy);
