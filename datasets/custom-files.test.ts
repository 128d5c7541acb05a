import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, test } from 'vitest';
import { customTaskFromFiles, defaultPrompts, parseLabelSpec } from './custom-files.js';
import { CustomTask } from './custom-task.js';

const root = mkdtempSync(join(tmpdir(), 'fewprompt-custom-files-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

test('--labels: words per label, labels only, and one-line errors', () => {
  assert.deepEqual(parseLabelSpec('neg=差,pos=好|棒'), {
    labels: ['neg', 'pos'],
    words: { neg: ['差'], pos: ['好', '棒'] },
  });
  assert.deepEqual(parseLabelSpec(' 负面 , 正面 '), { labels: ['负面', '正面'] });
  assert.throws(() => parseLabelSpec('neg=差,pos'), /a word for every label/);
  assert.throws(() => parseLabelSpec('neg=差,neg=坏'), /label 'neg' is given twice/);
  assert.throws(() => parseLabelSpec('neg'), /at least two labels/);
  assert.throws(() => parseLabelSpec('neg=,pos=好'), /'neg=' is incomplete/);
  assert.throws(() => defaultPrompts({ a: ['差'], b: ['很好'] }, false), /one length/);
  assert.equal(
    defaultPrompts({ a: ['很差'], b: ['很好'] }, false).pet.template,
    "{'text': 'text_a'}这是{'mask'}{'mask'}的。",
  );
});

test('a task from files: format from the extension, labels from the file, Chinese labels as their own words', () => {
  const dir = join(root, 'hotel');
  writeFileSync(join(root, 'train.jsonl'), '');
  mkdirSync(dir);
  writeFileSync(join(dir, 'train.tsv'), 'text\ttag\n房间干净\t正面\n太吵了\t负面\n还行\t正面\n');
  writeFileSync(join(dir, 'dev.tsv'), 'text\ttag\n不错\t正面\n很差\t负面\n');
  const task = customTaskFromFiles({
    train: join(dir, 'train.tsv'),
    dev: join(dir, 'dev.tsv'),
    textField: 'text',
    labelField: 'tag',
  });
  assert.equal(task.getConfig().name, 'hotel', 'train.* is named after its folder');
  assert.deepEqual(task.labels, ['正面', '负面'].sort());
  assert.deepEqual(task.defaults.pet.verbalizer, { 正面: ['正面'], 负面: ['负面'] });
  assert.equal(task.load('train').length, 3);
  assert.ok(task.hasPart('dev') && !task.hasPart('test_public'));
  assert.deepEqual(CustomTask.fromConfig(JSON.parse(JSON.stringify(task.getConfig()))).getConfig(), task.getConfig());
  assert.throws(
    () =>
      customTaskFromFiles({
        train: join(dir, 'train.tsv'),
        dev: join(root, 'train.jsonl'),
        textField: 'a',
        labelField: 'b',
      }),
    /share one format/,
  );
  assert.throws(
    () =>
      customTaskFromFiles({
        train: join(dir, 'train.txt'),
        dev: join(dir, 'dev.tsv'),
        textField: 'a',
        labelField: 'b',
      }),
    /unknown file type '\.txt'/,
  );
});
