import { afterAll, test } from 'vitest';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataError } from '../../framework/errors.js';
import { CustomTask, loadCsv, loadJsonl, loadTsv, taskFromConfig, type CustomTaskOptions } from '../index.js';

const dir = mkdtempSync(join(tmpdir(), 'fewprompt-datasets-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

function throwsAt(fn: () => unknown, re: RegExp): void {
  assert.throws(fn, (e: unknown) => e instanceof DataError && re.test(e.message), `expected DataError matching ${re}`);
}

const SENTIMENT = { fields: { text_a: 'sentence', label: 'label' }, labels: ['Negative', 'Positive'] };

test('jsonl: field mapping, ids, blank lines', () => {
  const p = file(
    'ok.jsonl',
    '{"id": 7, "sentence": "好", "label": "Positive"}\n\n{"sentence": "差", "label": "Negative"}\n',
  );
  assert.deepEqual(loadJsonl(p, SENTIMENT), [
    { id: 7, fields: { text_a: '好' }, label: 'Positive' },
    { id: 3, fields: { text_a: '差' }, label: 'Negative' },
  ]);
});

test('jsonl: a bad line names file:line and the field', () => {
  throwsAt(
    () => loadJsonl(file('a.jsonl', '{"sentence": "好", "label": "Positive"}\n{"sentence": "好",\n'), SENTIMENT),
    /a\.jsonl:2: invalid JSON/,
  );
  throwsAt(
    () => loadJsonl(file('b.jsonl', '{"sentence": "好", "label": "Positive"}\n[1, 2]\n'), SENTIMENT),
    /b\.jsonl:2: expected a JSON object per line, got an array/,
  );
  throwsAt(
    () => loadJsonl(file('c.jsonl', '{"text": "好", "label": "Positive"}\n'), SENTIMENT),
    /c\.jsonl:1: missing field 'sentence' \(the record has: text, label\)/,
  );
  throwsAt(
    () => loadJsonl(file('d.jsonl', '\n{"sentence": "好", "label": "Neutral"}\n'), SENTIMENT),
    /d\.jsonl:2: field 'label' has label 'Neutral', expected one of: Negative, Positive/,
  );
  throwsAt(
    () => loadJsonl(file('e.jsonl', '{"sentence": {"a": 1}, "label": "Positive"}\n'), SENTIMENT),
    /e\.jsonl:1: field 'sentence' must be a string, got an object/,
  );
  throwsAt(() => loadJsonl(join(dir, 'missing.jsonl'), SENTIMENT), /cannot read .*missing\.jsonl/);
});

test('csv: quoted fields hold commas, quotes and newlines; lines count from the record start', () => {
  const p = file('ok.csv', 'label,review\n1,"好,很好"\n0,"说""差""\n真的差"\n\n1,不错\n');
  assert.deepEqual(loadCsv(p, { fields: { label: 'label', text_a: 'review' }, labels: ['0', '1'] }), [
    { id: 2, fields: { text_a: '好,很好' }, label: '1' },
    { id: 3, fields: { text_a: '说"差"\n真的差' }, label: '0' },
    { id: 6, fields: { text_a: '不错' }, label: '1' },
  ]);
});

test('csv: wrong column count, bad quote, missing column and bad label name file:line', () => {
  const opts = { fields: { label: 'label', text_a: 'review' }, labels: ['0', '1'] };
  throwsAt(
    () => loadCsv(file('cols.csv', 'label,review\n1,好\n0,差,多\n'), opts),
    /cols\.csv:3: Invalid Record Length: expect 2, got 3/,
  );
  throwsAt(() => loadCsv(file('quote.csv', 'label,review\n1,"好" 吧\n'), opts), /quote\.csv:2: Invalid Closing Quote/);
  throwsAt(
    () => loadCsv(file('col.csv', 'label,text\n1,好\n'), opts),
    /col\.csv:2: missing field 'review' \(the record has: label, text\)/,
  );
  throwsAt(
    () => loadCsv(file('lab.csv', 'label,review\n1,好\n2,差\n'), opts),
    /lab\.csv:3: field 'label' has label '2', expected one of: 0, 1/,
  );
});

test('csv without header maps column indices; tsv reads quotes as text', () => {
  const p = file('nohead.csv', '1,好\n0,差\n');
  assert.deepEqual(
    loadCsv(p, { header: false, fields: { label: 0, text_a: 1 } }).map((e) => [e.label, e.fields['text_a']]),
    [
      ['1', '好'],
      ['0', '差'],
    ],
  );
  const t = file('a.tsv', 'label\ttext_a\n1\t他说"好"\n0\t差\n');
  assert.deepEqual(
    loadTsv(t, { fields: { label: 'label', text_a: 'text_a' } }).map((e) => e.fields['text_a']),
    ['他说"好"', '差'],
  );
  throwsAt(
    () => loadTsv(file('b.tsv', 'label\ttext_a\n1\t好\textra\n'), { fields: { text_a: 'text_a' } }),
    /b\.tsv:2: Invalid Record Length/,
  );
});

const OPTIONS = (train: string, test: string): CustomTaskOptions => ({
  name: 'hotel',
  format: 'csv',
  files: { train, test },
  fields: { label: 'label', text_a: 'review' },
  labels: ['0', '1'],
  labelNames: { '0': '差评', '1': '好评' },
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

test('custom task: loads its parts, labels optional only in test, config round-trips', () => {
  const train = file('train.csv', 'label,review\n1,好\n0,差\n');
  const testFile = file('test.csv', 'label,review\n,还行\n');
  const task = new CustomTask(OPTIONS(train, testFile));
  assert.deepEqual(task.textFields, ['text_a']);
  assert.equal(task.load('train').length, 2);
  assert.deepEqual(task.load('test'), [{ id: 2, fields: { text_a: '还行' } }]);
  throwsAt(() => task.load('dev'), /custom task 'hotel' has no file for 'dev'; configured: train, test/);
  const config = task.getConfig();
  assert.deepEqual(CustomTask.fromConfig(config).getConfig(), config);
  assert.deepEqual(taskFromConfig(JSON.parse(JSON.stringify(config))).getConfig(), config);
  assert.equal(task.submission.fileName, 'hotel_predict.json');
  const bad = file('bad.csv', 'label,review\n,好\n');
  throwsAt(() => new CustomTask(OPTIONS(bad, testFile)).load('train'), /bad\.csv:2: missing field 'label'/);
});
