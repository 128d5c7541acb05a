import { afterEach, test, vi } from 'vitest';
import assert from 'node:assert/strict';
import { ConfigError } from '../../framework/errors.js';
import { DEPENDENCY_PARSER_SETTINGS } from '../../inference/taskflow/dependency-parsing/train-options.js';
import { NER_SETTINGS } from '../../inference/taskflow/ner/train-options.js';
import { POETRY_SETTINGS } from '../../inference/taskflow/poetry-generation/train-options.js';
import { QUESTION_ANSWERING_SETTINGS } from '../../inference/taskflow/question-answering/train-options.js';
import { SENTIMENT_SETTINGS } from '../../inference/taskflow/sentiment-analysis/train-options.js';
import {
  CORRECTION_LM_SETTINGS,
  TEXT_CORRECTION_SETTINGS,
} from '../../inference/taskflow/text-correction/train-options.js';
import { main } from './main.js';
import { findTaskflowRecipe } from '../../inference/taskflow/catalog.js';
import { taskflowTrainCommand, trainOptionsFromFlags } from './taskflow-train.js';

const parsing = findTaskflowRecipe('dependency_parsing');
const reading = findTaskflowRecipe('question_answering');
afterEach(() => {
  vi.restoreAllMocks();
});

test('--help lists each trainable task and every setting of its table as a flag, with its default', () => {
  const usage = taskflowTrainCommand.usage;
  assert.match(
    usage,
    /^ {2}dependency_parsing +biaffine parser on UD Chinese GSD \(inference\/taskflow\/dependency-parsing\/\)$/m,
  );
  assert.match(usage, /^ {2}ner +mode accurate: token classification with LAC's tags on CLUENER2020/m);
  assert.match(usage, /^ {2}poetry_generation +character-level GPT on Tang quatrains/m);
  assert.match(usage, /^ {2}question_answering +span reader on CMRC 2018 trial and DRCD/m);
  assert.match(usage, /^ {2}sentiment_analysis +PET on ChnSentiCorp and more review sets/m);
  assert.match(usage, /^ {2}text_correction +spelling corrector network/m);
  assert.match(usage, /^ {2}text_correction_lm +the spelling corrector's character n-gram models/m);
  const keys = [
    DEPENDENCY_PARSER_SETTINGS,
    NER_SETTINGS,
    POETRY_SETTINGS,
    QUESTION_ANSWERING_SETTINGS,
    SENTIMENT_SETTINGS,
    TEXT_CORRECTION_SETTINGS,
    CORRECTION_LM_SETTINGS,
  ].flatMap(Object.keys);
  for (const key of keys) {
    const flag = key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
    assert.match(usage, new RegExp(`^ {2}--${flag}\\b`, 'm'), flag);
  }
  assert.match(usage, /--max-tokens N +training sentences over this many tokens are skipped \(default 128\)/);
  assert.match(usage, /--precision fp32\|fp16\|int8\s+the bundle's weights \(default fp16\)/);
  assert.match(usage, /question_answering options:[\s\S]*--max-seq-len N +tokens per window.*\(default 256\)/);
});

test("ner: scripts/train-ner.ts's flags parse to the recipe's options", () => {
  const ner = findTaskflowRecipe('ner');
  const options = trainOptionsFromFlags(ner, [
    ...['--msra-steps', '250', '--max-steps', '500', '--batch-size', '32', '--lac-tag-size', '32'],
    ...['--checkpoint-every', '50', '--out', 'runs/ner-msra', '--msra', 'm.zip', '--from-checkpoint'],
  ]);
  assert.deepEqual(options, {
    out: 'runs/ner-msra',
    maxSteps: 500,
    batchSize: 32,
    checkpointEvery: 50,
    lacTagSize: 32,
    msra: 'm.zip',
    msraSteps: 250,
    fromCheckpoint: true,
  });
});

test('question_answering: repeated training files, the time limit and the window settings parse', () => {
  const options = trainOptionsFromFlags(reading, [
    ...['--train', 'a.json', '--train', 'b.json', '--train-traditional', 'c.json', '--max-minutes', '30'],
    ...['--max-seq-len', '384', '--doc-stride', '128', '--threshold', '0.1', '--precision', 'int8', '--resume'],
  ]);
  assert.deepEqual(options, {
    train: ['a.json', 'b.json'],
    trainTraditional: ['c.json'],
    maxMinutes: 30,
    maxSeqLen: 384,
    docStride: 128,
    threshold: 0.1,
    precision: 'int8',
    resume: true,
  });
});

test("text_correction and text_correction_lm: the old scripts' flags parse to the recipes' options", () => {
  const correction = findTaskflowRecipe('text_correction');
  const lm = findTaskflowRecipe('text_correction_lm');
  const network = trainOptionsFromFlags(correction, [
    ...['--out', 'RUN', '--phases', 'export,eval', '--bundle', 'B', '--max-steps', '240', '--batch-size', '48'],
    ...['--crop', '32', '--keep-rate', '0.2', '--precision', 'fp16', '--resume'],
  ]);
  assert.deepEqual(network, {
    out: 'RUN',
    bundle: 'B',
    phases: 'export,eval',
    maxSteps: 240,
    batchSize: 48,
    keepRate: 0.2,
    crop: 32,
    precision: 'fp16',
    resume: true,
  });
  const ngram = trainOptionsFromFlags(lm, ['--out', 'L', '--phases', 'tune,eval', '--min-counts', '1,1,2']);
  assert.deepEqual(ngram, { out: 'L', phases: 'tune,eval', minCounts: '1,1,2' });
  assert.throws(() => trainOptionsFromFlags(correction, ['--precision', 'fp8']), /one of fp32, fp16, int8/);
});

test("scripts/train-dep-parser.ts's flags parse to the recipe's options (numbers, repeated files, switches)", () => {
  const options = trainOptionsFromFlags(parsing, [
    ...['--train', 't.conllu', '--dev', 'd.conllu', '--model', 'M', '--out', 'RUN', '--bundle', 'B'],
    ...['--epochs', '4', '--max-steps', '10', '--max-tokens', '96', '--batch-tokens', '1024', '--max-sentences', '32'],
    ...['--lr', '5e-4', '--head-lr', '5e-3', '--arc-size', '64', '--rel-size', '32', '--tag-size', '0'],
    ...['--max-distance', '0', '--vocab-size', '4000', '--vocab-corpus', 'a.txt', '--vocab-corpus', 'b.txt'],
    ...['--limit', '100', '--dev-limit', '50', '--seed', '7', '--precision', 'int8', '--resume', '--export-only'],
  ]);
  assert.deepEqual(options, {
    train: 't.conllu',
    dev: 'd.conllu',
    model: 'M',
    out: 'RUN',
    bundle: 'B',
    epochs: 4,
    maxSteps: 10,
    maxTokens: 96,
    batchTokens: 1024,
    maxSentences: 32,
    lr: 5e-4,
    headLr: 5e-3,
    arcSize: 64,
    relSize: 32,
    tagSize: 0,
    maxDistance: 0,
    vocabSize: 4000,
    vocabCorpus: ['a.txt', 'b.txt'],
    limit: 100,
    devLimit: 50,
    seed: 7,
    precision: 'int8',
    resume: true,
    exportOnly: true,
  });
  assert.deepEqual(trainOptionsFromFlags(parsing, []), {});
});

test('bad flags are refused before anything loads: numbers, choices, unknown flags, unknown tasks', async () => {
  assert.throws(
    () => trainOptionsFromFlags(parsing, ['--epochs', 'four']),
    (e: Error) => e instanceof ConfigError && e.message === "--epochs must be a number, got 'four'",
  );
  assert.throws(
    () => trainOptionsFromFlags(parsing, ['--precision', 'fp8']),
    (e: Error) => e instanceof ConfigError && /--precision must be one of fp32, fp16, int8; got 'fp8'/.test(e.message),
  );
  assert.throws(() => trainOptionsFromFlags(parsing, ['--epoch', '3']), /Unknown option '--epoch'/);
  const errors: string[] = [];
  vi.spyOn(console, 'error').mockImplementation((line: string) => void errors.push(line));
  assert.equal(await main(['taskflow-train', 'pos_tagging']), 2);
  assert.equal(await main(['taskflow-train', '--epochs', '3']), 2);
  assert.equal(await main(['taskflow-train', 'dependency_parsing', '--lr', 'fast']), 2);
  assert.match(errors[0]!, /unknown trainable Taskflow task 'pos_tagging'; valid: ner, text_correction, /);
  assert.match(errors[1]!, /taskflow-train needs a TASK first \(ner, text_correction, text_correction_lm, /);
  assert.match(errors[1]!, /dependency_parsing, sentiment_analysis, poetry_generation, question_answering\)/);
  assert.match(errors[2]!, /--lr must be a number, got 'fast'/);
});
