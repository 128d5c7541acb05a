// PET on EPRSTMT (bundled) with the shipped model: hard template + label words, best checkpoint on dev.
// Run: npx tsx experiments/examples/01-pet-eprstmt.ts
import {
  BertTokenizer,
  Trainer,
  evaluate,
  getTask,
  initBackend,
  loadPretrained,
  modelOrDefault,
  PetMethod,
} from '../../index.js';
import { exampleModel, maxSteps, testLimit } from './example-env.js';

await initBackend();
const { model, dir } = await loadPretrained(modelOrDefault(exampleModel));
const tokenizer = await BertTokenizer.fromPretrained(dir);
const task = getTask('eprstmt');
const pet = new PetMethod(
  { model, tokenizer, task, maxSeqLen: 128, lr: 5e-5, seed: 42 },
  {
    template: "{'text': 'sentence'}这句话表示我{'mask'}满意。",
    labelWords: { Negative: ['不'], Positive: ['很'] },
  },
);
await new Trainer(pet, { epochs: 10, maxSteps, batchSize: 8, seed: 42, warmupRatio: 0.1 }).fit(
  task.load('train'),
  task.load('dev'),
);
console.log('test_public accuracy:', evaluate(pet, task.load('test_public').slice(0, testLimit)).accuracy);
