import assert from 'node:assert/strict';
import { test } from 'vitest';
import { ConfigError } from '../../framework/errors.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getTask } from '../../datasets/index.js';
import { parseExperimentConfig } from '../config/experiment.js';
import { canonicalConfig, expandJobs, parseSplits, parseSuiteJob, parseVariants, withPinnedPrompt } from './jobs.js';
import { ResultStore } from './store.js';
import { parseSuiteOptions } from './suite.js';

test('parseSplits: ranges, lists, few_all; errors name the flag and the valid forms', () => {
  assert.deepEqual(parseSplits('0-4'), ['0', '1', '2', '3', '4']);
  assert.deepEqual(parseSplits('0,2'), ['0', '2']);
  assert.deepEqual(parseSplits('few_all'), ['few_all']);
  assert.deepEqual(parseSplits('1-2,0,few_all,2'), ['1', '2', '0', 'few_all']);
  assert.throws(
    () => parseSplits('3-7'),
    (e: unknown) => e instanceof ConfigError && /--splits '3-7': split 7 is out of range; valid: 0..4/.test(e.message),
  );
  assert.throws(() => parseSplits('a'), /'a' is not a split/);
  assert.throws(() => parseSplits('3-1'), /is empty/);
});

test('parseVariants: +rdrop entries, --rdrop adds an R-Drop variant per method, unknown methods listed', () => {
  assert.deepEqual(parseVariants(['pet', 'efl']), [
    { method: 'pet', rdrop: false },
    { method: 'efl', rdrop: false },
  ]);
  assert.deepEqual(parseVariants(['pet'], 0.1), [
    { method: 'pet', rdrop: false },
    { method: 'pet', rdrop: true },
  ]);
  assert.deepEqual(parseVariants(['pet+rdrop'], 0.1), [{ method: 'pet', rdrop: true }]);
  assert.throws(() => parseVariants(['bert']), /unknown method 'bert'; valid: pet, ptuning, efl, finetune/);
  assert.throws(() => parseVariants(['pet+rdrop']), /needs --rdrop ALPHA/);
});

test('+unlabeled variants: parsed with --unlabeled, and only they carry the self-training fields', () => {
  assert.deepEqual(parseVariants(['pet', 'finetune+unlabeled'], undefined, 1000), [
    { method: 'pet', rdrop: false },
    { method: 'finetune', rdrop: false, unlabeled: true },
  ]);
  assert.deepEqual(parseVariants(['pet'], undefined, 1000), [
    { method: 'pet', rdrop: false },
    { method: 'pet', rdrop: false, unlabeled: true },
  ]);
  assert.deepEqual(parseVariants(['pet+rdrop+unlabeled'], 0.5, 10), [{ method: 'pet', rdrop: true, unlabeled: true }]);
  assert.throws(() => parseVariants(['pet+unlabeled']), /needs --unlabeled N > 0/);
  assert.throws(
    () => parseVariants(['efl+unlabeled'], undefined, 10),
    /self-training needs a method that scores each example once per label/,
  );
  assert.deepEqual(
    parseVariants(['efl', 'pet'], undefined, 10).map((v) => `${v.method}${v.unlabeled ? '+unlabeled' : ''}`),
    ['efl', 'pet', 'pet+unlabeled'],
    'no EFL self-training variant is added',
  );
  const jobs = expandJobs({
    tasks: ['eprstmt'],
    variants: parseVariants(['pet', 'pet+unlabeled'], undefined, 100),
    splits: ['0'],
    base: { maxSteps: 2, unlabeled: 100, selfTrainSteps: 50 },
  });
  assert.deepEqual(
    jobs.map((j) => [j.id, j.config.unlabeled, j.config.selfTrainSteps]),
    [
      ['eprstmt/pet/0', undefined, undefined],
      ['eprstmt/pet+unlabeled/0', 100, 50],
    ],
  );
  assert.ok(!('unlabeled' in jobs[0]!.config), 'a plain job keeps the identity it had before self-training existed');
});

test('expandJobs: task-major order, stable ids, validated configs with R-Drop α only on +rdrop jobs', () => {
  const jobs = expandJobs({
    tasks: ['eprstmt', 'csl'],
    variants: parseVariants(['pet', 'efl'], 0.5),
    splits: parseSplits('0-1'),
    rdropAlpha: 0.5,
    base: { maxSteps: 2 },
    track: false,
  });
  assert.equal(jobs.length, 2 * 4 * 2);
  assert.deepEqual(
    jobs.slice(0, 4).map((j) => j.id),
    ['eprstmt/pet/0', 'eprstmt/pet/1', 'eprstmt/pet+rdrop/0', 'eprstmt/pet+rdrop/1'],
  );
  assert.equal(jobs[8]!.id, 'csl/pet/0');
  assert.equal(jobs[2]!.config.rdropAlpha, 0.5);
  assert.equal(jobs[0]!.config.rdropAlpha, 0);
  assert.equal(jobs[0]!.config.maxSteps, 2);
  assert.equal(jobs[0]!.track, false);
  // Specs survive JSON (queue payloads, IPC) unchanged.
  assert.deepEqual(parseSuiteJob(JSON.parse(JSON.stringify(jobs[3]))), jobs[3]);
  assert.throws(
    () => expandJobs({ tasks: ['eprstmt'], variants: parseVariants(['pet']), splits: ['0'], base: { lr: -1 } }),
    /job eprstmt\/pet\/0: lr must be positive/,
  );
  assert.throws(
    () => parseSuiteJob({ id: 'x' }, 'queue job'),
    (e: unknown) => e instanceof ConfigError && /queue job: .*id/.test(e.message) && /variant/.test(e.message),
  );
  assert.equal(canonicalConfig({ b: 1, a: { d: 2, c: 3 } }), '{"a":{"c":3,"d":2},"b":1}');
});

test('parseSuiteOptions: defaults, and errors that name the field', () => {
  const o = parseSuiteOptions({ out: '/tmp/x' });
  assert.equal(o.tasks.length, 9);
  assert.deepEqual([o.methods, o.splits, o.workers, o.track, o.maxAttempts], [['pet'], '0-4', 1, true, 2]);
  assert.throws(() => parseSuiteOptions({ out: '/tmp/x', workers: 0 }), /workers must be at least 1 \(was 0\)/);
  assert.throws(
    () => parseSuiteOptions({ out: '/tmp/x', tasks: ['eprstmt', 'sst2'] }),
    /tasks\[1\]: unknown task 'sst2'; valid: eprstmt/,
  );
  assert.throws(() => parseSuiteOptions({ out: '/tmp/x', train: { task: 'csl' } }), /train.task is set by the suite/);
  assert.throws(() => parseSuiteOptions({ out: '/tmp/x', nope: 1 }), /nope/);
  assert.throws(() => parseSuiteOptions({ out: '/tmp/x', queue: 'redis://h:1', workers: 2 }), /exclusive/);
});

test('suite jobs carry their prompt, so a result trained with another default pattern is refused, not reused', () => {
  const [pet, efl, finetune, chid] = [
    ...expandJobs({ tasks: ['eprstmt'], variants: parseVariants(['pet', 'efl', 'finetune']), splits: ['0'], base: {} }),
    ...expandJobs({ tasks: ['chid'], variants: parseVariants(['ptuning']), splits: ['0'], base: {} }),
  ];
  const defaults = getTask('eprstmt').defaults;
  assert.equal(pet!.config.template, defaults.pet.template);
  assert.deepEqual(pet!.config.labelWords, { Negative: ['不'], Positive: ['很'] });
  assert.equal(efl!.config.template, defaults.efl.template);
  assert.deepEqual(efl!.config.descriptions, defaults.efl.descriptions);
  assert.equal(finetune!.config.template, undefined);
  assert.equal(chid!.config.template, getTask('chid').defaults.ptuning.template);
  assert.equal(chid!.config.labelWords, undefined, 'multiple choice: the candidates are the words');
  // A template given by the user is kept.
  assert.equal(
    withPinnedPrompt(parseExperimentConfig({ task: 'eprstmt', template: "{'text': 'sentence'}{'mask'}。" })).template,
    "{'text': 'sentence'}{'mask'}。",
  );

  const dir = mkdtempSync(join(tmpdir(), 'fewprompt-pin-'));
  try {
    const store = new ResultStore(dir);
    const result = {
      task: 'eprstmt',
      method: 'pet',
      split: '0',
      devAccuracy: 0.5,
      testAccuracy: 0.5,
      testExamples: 1,
      bestStep: 1,
      steps: 1,
      trainSeconds: 1,
      history: [],
    };
    const stale = { ...pet!, config: { ...pet!.config, template: "{'text': 'sentence'}这句话表示我{'mask'}满意。" } };
    store.write({ job: stale, result, worker: 'test', attempts: 1, finishedAt: '2026-12-06T00:00:00Z' });
    assert.throws(
      () => store.isDone(pet!),
      (e: unknown) => e instanceof ConfigError && /different config \(template: /.test(e.message),
    );
    store.write({ job: pet!, result, worker: 'test', attempts: 1, finishedAt: '2026-12-06T00:00:00Z' });
    assert.equal(store.isDone(pet!), true);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
