// PET with its semi-supervised stage: a PET model trained on 32 labelled reviews soft-labels unlabeled ones
// (softmax(scores / 2)), then a new PET model from the same pretrained weights trains on both.
// (`fewprompt train --unlabeled 1000` does the same in one command.) Run: npx tsx
// experiments/examples/05-pet-self-training.ts
import {
  BertTokenizer,
  PetMethod,
  SoftTargetObjective,
  Trainer,
  evaluate,
  getTask,
  initBackend,
  loadPretrained,
  modelOrDefault,
  softLabels,
  summarizePseudoLabels,
  unlabeledPool,
} from '../../index.js';
import { exampleModel, maxSteps, testLimit } from './example-env.js';

await initBackend();
const { model, dir } = await loadPretrained(modelOrDefault(exampleModel));
const tokenizer = await BertTokenizer.fromPretrained(dir);
const task = getTask('eprstmt');
const [train, dev] = [task.load('train'), task.load('dev')];
const pet = new PetMethod({ model, tokenizer, task, maxSeqLen: 128, lr: 1e-4, seed: 42 });
const pretrained = pet.snapshot();

// 1. The teacher: PET on the labelled examples, best checkpoint on dev.
await new Trainer(pet, { epochs: 10, maxSteps: maxSteps ?? 60, batchSize: 8, seed: 42, warmupRatio: 0.1 }).fit(
  train,
  dev,
);

// 2. Soft labels for unlabeled reviews (never a test text: unlabeledPool leaves those out).
const { pool } = unlabeledPool(task, testLimit ?? 1000, 42);
const soft = softLabels(evaluate(pet, pool).scores, 2);
console.log('pseudo-labels:', summarizePseudoLabels(soft));

// 3. The student: the same method from the pretrained weights, on labelled (one-hot) + pseudo-labelled (soft) examples.
pet.restore(pretrained);
const student = new SoftTargetObjective(pet, new Map(pool.map((e, i) => [e, soft[i]!])), task.labels.length);
await new Trainer(student, { maxSteps: maxSteps ?? 200, evalEvery: 4, batchSize: 8, seed: 42, warmupRatio: 0.1 }).fit(
  [...train, ...pool],
  dev,
);
console.log('test_public accuracy:', evaluate(pet, task.load('test_public').slice(0, testLimit)).accuracy);
