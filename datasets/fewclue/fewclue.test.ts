import { test } from 'vitest';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { DataError, UnknownKindError, ConfigError } from '../../framework/errors.js';
import {
  ChidTask,
  CluewscTask,
  EprstmtTask,
  FEWCLUE_TASKS,
  fewClueFileName,
  fillBlank,
  getTask,
  markSpans,
  taskFromConfig,
} from '../index.js';

/** Tiny real samples of every task (first lines of each file), laid out as a FewCLUE root. */
const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));
const WITH_UNLABELED = new Set(['eprstmt', 'tnews', 'bustm', 'chid']);

for (const cls of FEWCLUE_TASKS) {
  test(`${cls.kind}: loads every fixture part with valid labels`, () => {
    const task = getTask(cls.kind, { dataDir: FIXTURES });
    const labels: readonly string[] = task.labels;
    const train = task.load('train', { split: '0' });
    assert.equal(train.length, 3);
    assert.equal(task.load('dev').length, 2);
    assert.equal(task.load('train', { split: 'few_all' }).length, 2);
    for (const ex of [...train, ...task.load('test_public')]) {
      assert.ok(ex.label !== undefined && labels.includes(ex.label), `label ${ex.label}`);
      for (const f of task.textFields) assert.equal(typeof ex.fields[f], 'string', `field ${f}`);
    }
    const testPart = task.load('test');
    assert.equal(testPart.length, 2);
    assert.ok(testPart.every((ex) => ex.label === undefined));
    if (WITH_UNLABELED.has(task.kind)) assert.equal(task.load('unlabeled').length, 2);
    else
      assert.throws(
        () => task.load('unlabeled'),
        (e: unknown) => e instanceof DataError && /has no unlabeled file/.test(e.message),
      );
  });

  test(`${cls.kind}: config round-trip`, () => {
    const task = getTask(cls.kind, { dataDir: FIXTURES });
    const config = task.getConfig();
    assert.deepEqual(config, { type: cls.kind, dataDir: FIXTURES });
    assert.deepEqual(taskFromConfig(config).getConfig(), config);
    assert.deepEqual(JSON.parse(JSON.stringify(config)), config);
  });
}

test('EPRSTMT is bundled: loads with no data dir; its unlabeled file as a 1,000-example sample', (t) => {
  const saved = process.env['FEWCLUE_DIR'];
  delete process.env['FEWCLUE_DIR'];
  t.onTestFinished(() => {
    if (saved !== undefined) process.env['FEWCLUE_DIR'] = saved;
  });
  const task = new EprstmtTask();
  assert.equal(task.load('train', { split: '0' }).length, 32);
  assert.equal(task.load('dev', { split: 'few_all' }).length, 160);
  assert.equal(task.load('test_public').length, 610);
  assert.equal(task.load('test').length, 753);
  assert.deepEqual(task.load('train')[0], {
    id: 0,
    fields: {
      sentence:
        '物流很快，早上下单，下午就到了。包装也很高档。就是耳机音质很差，煲了一百多小时，音质和同事的一百多元的耳机差不多，1580元买这耳机亏大了。',
    },
    label: 'Negative',
  });
  assert.equal(task.load('unlabeled').length, 1000);
  assert.equal(task.load('unlabeled')[0]!.label, undefined);
});

test('other tasks need a data dir; the error says how and names the path looked at', (t) => {
  const saved = process.env['FEWCLUE_DIR'];
  delete process.env['FEWCLUE_DIR'];
  t.onTestFinished(() => {
    if (saved === undefined) delete process.env['FEWCLUE_DIR'];
    else process.env['FEWCLUE_DIR'] = saved;
  });
  assert.throws(
    () => getTask('csl').load('train'),
    (e: unknown) => e instanceof DataError && /--data-dir/.test(e.message) && /FEWCLUE_DIR/.test(e.message),
  );
  // `fewprompt pretrain --probe` reads FewCLUE through its own flag; its message names that one.
  const probed = getTask('csl', { dataDirFlag: '--probe-data-dir' });
  assert.throws(
    () => probed.load('train'),
    (e: unknown) => e instanceof DataError && /pass --probe-data-dir <FewCLUE root>/.test(e.message),
  );
  assert.deepEqual(probed.getConfig(), { type: 'csl' }, 'the flag is not part of the config');
  assert.throws(
    () => getTask('csl', { dataDir: '/nowhere' }).load('train'),
    /data directory \/nowhere\/csl not found \(from dataDir=\/nowhere\)/,
  );
  process.env['FEWCLUE_DIR'] = FIXTURES;
  assert.equal(getTask('csl').load('train').length, 3);
  assert.equal(getTask('eprstmt').load('train').length, 3, 'FEWCLUE_DIR wins over the bundled copy');
  assert.equal(getTask('eprstmt', { dataDir: FIXTURES }).load('test').length, 2);
  process.env['FEWCLUE_DIR'] = '/nowhere';
  assert.throws(() => getTask('bustm').load('test'), /from FEWCLUE_DIR=\/nowhere/);
});

test('file names of parts and splits', () => {
  assert.equal(fewClueFileName('train', '3'), 'train_3.json');
  assert.equal(fewClueFileName('dev', 'few_all'), 'dev_few_all.json');
  assert.equal(fewClueFileName('test_public'), 'test_public.json');
  assert.throws(() => fewClueFileName('dev', 'all' as '0'), ConfigError);
});

test('getTask lists the nine kinds for an unknown one', () => {
  assert.throws(
    () => getTask('sst2' as 'csl'),
    (e: unknown) =>
      e instanceof UnknownKindError &&
      e.message === "unknown task 'sst2'; valid: eprstmt, csldcp, tnews, iflytek, ocnli, bustm, chid, csl, cluewsc",
  );
  assert.throws(() => EprstmtTask.fromConfig({ type: 'csl' }), ConfigError);
});

test('chid: candidates, blank split and answer index', () => {
  const task = new ChidTask({ dataDir: FIXTURES });
  const ex = task.load('train')[0]!;
  const candidates = ex.fields['candidates'];
  assert.ok(Array.isArray(candidates) && candidates.length === 7);
  assert.equal(ex.label, '1');
  assert.equal(candidates[1], '气势汹汹');
  assert.equal(ex.fields['content'], `${String(ex.fields['content_pre'])}#idiom#${String(ex.fields['content_post'])}`);
  assert.ok(fillBlank(ex, '气势汹汹').includes('新八国联军气势汹汹逼近'));
  assert.deepEqual(task.multipleChoice, { candidatesField: 'candidates', wordLength: 4 });
  assert.equal(task.load('test')[0]!.label, undefined);
});

test('cluewsc: spans kept with offsets, marked in marked_text; idx and id both read', () => {
  const task = new CluewscTask({ dataDir: FIXTURES });
  const ex = task.load('train')[0]!;
  assert.equal(ex.id, 0);
  assert.deepEqual(ex.meta?.['spans'], { span1_text: '树叶', span1_index: 22, span2_text: '他', span2_index: 30 });
  assert.equal(ex.fields['entity'], '树叶');
  assert.equal(ex.fields['pronoun'], '他');
  assert.equal(
    ex.fields['marked_text'],
    '为什么要出现一个身穿军装的高大男人？就像一片_树叶_飘入了树林，[他]走到了我的家人中间。',
  );
  const t0 = task.load('test')[0]!;
  assert.equal(t0.id, 1);
  assert.equal(
    markSpans('杨百顺他爹是个卖豆腐的。别人叫他卖豆腐的老杨。', {
      span1_text: '杨百顺',
      span1_index: 0,
      span2_text: '他',
      span2_index: 15,
    }),
    '_杨百顺_他爹是个卖豆腐的。别人叫[他]卖豆腐的老杨。',
  );
  assert.equal(
    markSpans('他说小明', { span1_text: '小明', span1_index: 2, span2_text: '他', span2_index: 0 }),
    '[他]说_小明_',
  );
});

test('csl: keyword list kept and joined for templates', () => {
  const ex = getTask('csl', { dataDir: FIXTURES }).load('test_public')[0]!;
  assert.deepEqual(ex.fields['keywords'], ['综述', '循环肿瘤细胞', '免疫磁珠技术']);
  assert.equal(ex.fields['keyword'], '综述，循环肿瘤细胞，免疫磁珠技术');
  assert.equal(typeof ex.fields['abst'], 'string');
});

test('tnews and iflytek: numeric labels become string keys; names and test ids kept', () => {
  const tnews = getTask('tnews', { dataDir: FIXTURES });
  const ex = tnews.load('train')[0]!;
  assert.equal(ex.label, '102');
  assert.equal(tnews.labelNames['102'], '娱乐');
  assert.equal(ex.meta?.['label_desc'], 'news_entertainment');
  assert.equal(tnews.load('test')[0]!.id, '0');
  const ifly = getTask('iflytek', { dataDir: FIXTURES });
  const e2 = ifly.load('train')[0]!;
  assert.equal(e2.label, '8');
  assert.equal(ifly.labelNames[e2.label ?? ''], e2.meta?.['label_des']);
});
