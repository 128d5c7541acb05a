import { test } from 'vitest';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DataError } from '../../../framework/errors.js';
import { parseConllu, readConllu } from './conllu.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/gsdsimp-dev-head.conllu', import.meta.url));
const SHARED_DEV = '../shared/ud/zh_gsdsimp-ud-dev.conllu';
const SHARED_TRAIN = '../shared/ud/zh-ud-train-v2.0-traditional.conllu';

test('reads the GSDSimp fixture: ids, texts, words, one root each', () => {
  const sentences = readConllu(FIXTURE);
  assert.equal(sentences.length, 12);
  const first = sentences[0]!;
  assert.equal(first.id, 'dev-s1');
  assert.equal(first.text, '同样，施力的大小不同，引起的加速度不同，最终的结果也不一样，亦可以从向量的加成性来看。');
  assert.equal(first.words.length, 30);
  assert.deepEqual(first.words[0], { form: '同样', upos: 'ADV', head: 12, deprel: 'advmod' });
  for (const s of sentences) {
    assert.equal(s.words.filter((w) => w.head === 0).length, 1, s.id);
    assert.equal(s.words.map((w) => w.form).join(''), s.text?.replace(/\s/g, ''), s.id);
  }
});

test('multi-word tokens and empty nodes are skipped', () => {
  const text =
    '1-2\t他们\t_\t_\t_\t_\t_\t_\t_\t_\n' +
    '1\t他\t_\tPRON\t_\t_\t3\tnsubj\t_\t_\n' +
    '2\t们\t_\tPART\t_\t_\t1\tcase\t_\t_\n' +
    '3\t来\t_\tVERB\t_\t_\t0\troot\t_\t_\n' +
    '3.1\t去\t_\tVERB\t_\t_\t_\t_\t_\t_\n';
  assert.deepEqual(
    parseConllu(text)[0]!.words.map((w) => [w.form, w.head]),
    [
      ['他', 3],
      ['们', 1],
      ['来', 0],
    ],
  );
});

test('malformed lines name the source, line and field', () => {
  const bad = (text: string, pattern: RegExp) =>
    assert.throws(
      () => parseConllu(text, 'x.conllu'),
      (e: Error) => e instanceof DataError && pattern.test(e.message),
    );
  bad('1\t我\t_\tPRON\n', /x\.conllu:1: expected 10 tab-separated fields, got 4/);
  bad('1\t我\t_\tPRON\t_\t_\tX\tnsubj\t_\t_\n', /x\.conllu:1: field HEAD is 'X'/);
  bad('2\t我\t_\tPRON\t_\t_\t0\troot\t_\t_\n', /x\.conllu:1: field ID is 2, expected 1/);
  bad('1\t我\t_\tPRON\t_\t_\t0\t_\t_\t_\n', /x\.conllu:1: field DEPREL is empty/);
  bad('1\t我\t_\tPRON\t_\t_\t5\tnsubj\t_\t_\n', /sentence at line 1: word 1 has HEAD 5/);
  bad('1\t我\t_\tPRON\t_\t_\t1\tnsubj\t_\t_\n', /no word has HEAD 0/);
  assert.throws(() => readConllu('/no/such/file.conllu'), /\/no\/such\/file\.conllu: cannot read/);
});

test('the shared UD files have the documented counts', (ctx) => {
  if (!(existsSync(SHARED_DEV) && existsSync(SHARED_TRAIN))) ctx.skip('needs ../shared/ud');
  const dev = readConllu(SHARED_DEV);
  const train = readConllu(SHARED_TRAIN);
  assert.equal(dev.length, 500);
  assert.equal(train.length, 3997);
  assert.equal(
    dev.reduce((n, s) => n + s.words.length, 0),
    12663,
  );
  assert.equal(
    train.reduce((n, s) => n + s.words.length, 0),
    98608,
  );
});
