// EFL: every label becomes a description, every example a set of entailment pairs.
// Run: npx tsx experiments/examples/03-efl.ts
import {
  BertTokenizer,
  EflMethod,
  Trainer,
  evaluate,
  getTask,
  initBackend,
  loadPretrained,
  modelOrDefault,
} from '../../index.js';
import { exampleModel, maxSteps, testLimit } from './example-env.js';

await initBackend();
const { model, dir } = await loadPretrained(modelOrDefault(exampleModel));
const tokenizer = await BertTokenizer.fromPretrained(dir);
const task = getTask('eprstmt');
const efl = new EflMethod(
  { model, tokenizer, task, maxSeqLen: 128, lr: 5e-5, seed: 42 },
  {
    descriptions: { Negative: '我对这个商品不满意', Positive: '我对这个商品很满意' },
    negativeNum: 1,
  },
);
await new Trainer(efl, { epochs: 10, maxSteps, batchSize: 8, seed: 42, warmupRatio: 0.1 }).fit(
  task.load('train'),
  task.load('dev'),
);
console.log('test_public accuracy:', evaluate(efl, task.load('test_public').slice(0, testLimit)).accuracy);
