// Your own data: a TSV file with label and text columns becomes a task the same trainer runs.
// Run: npx tsx experiments/examples/04-custom-dataset.ts [train.tsv dev.tsv test.tsv]
import { fileURLToPath } from 'node:url';
import {
  BertTokenizer,
  CustomTask,
  PetMethod,
  Trainer,
  evaluate,
  initBackend,
  loadPretrained,
  modelOrDefault,
} from '../../index.js';
import { exampleModel, maxSteps, testLimit } from './example-env.js';

const here = (f: string) => fileURLToPath(new URL(`./data/${f}`, import.meta.url));
const [train = here('hotel-train.tsv'), dev = here('hotel-dev.tsv'), test = here('hotel-test.tsv')] =
  process.argv.slice(2);
const task = new CustomTask({
  name: 'hotel',
  format: 'tsv',
  header: true,
  files: { train, dev, test_public: test },
  fields: { label: 'label', text_a: 'review' },
  labels: ['0', '1'],
  defaults: {
    pet: { template: "{'text': 'text_a'}这家酒店{'mask'}好。", verbalizer: { '0': ['不'], '1': ['很'] } },
    ptuning: {
      template: "{'mask'}{'soft': None, 'length': 6}{'text': 'text_a'}",
      verbalizer: { '0': ['不'], '1': ['很'] },
    },
    efl: {
      template: "这是一条{'text': 'candidate_label'}。{'text': 'text_a'}",
      descriptions: { '0': '差评', '1': '好评' },
    },
  },
});
await initBackend();
const { model, dir } = await loadPretrained(modelOrDefault(exampleModel));
const tokenizer = await BertTokenizer.fromPretrained(dir);
const pet = new PetMethod({ model, tokenizer, task, maxSeqLen: 128, lr: 5e-5, seed: 42 });
await new Trainer(pet, { epochs: 10, maxSteps, batchSize: 8, seed: 42 }).fit(task.load('train'), task.load('dev'));
console.log('test accuracy:', evaluate(pet, task.load('test_public').slice(0, testLimit)).accuracy);
