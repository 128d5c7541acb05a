import { test } from 'vitest';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DataError } from '../../../framework/errors.js';
import { CLUENER_TYPES, loadCluener } from './cluener.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/cluener_dev_head.json', import.meta.url));
const SHARED = '../shared/ner/cluener_dev.json';

test('reads pretty-printed records with [start, end) spans sorted by start', () => {
  const dev = loadCluener(FIXTURE);
  assert.equal(dev.length, 6);
  assert.equal(dev[0]!.text.slice(0, 3), '彭小军');
  assert.deepEqual(dev[0]!.entities, [
    { start: 0, end: 3, type: 'name' },
    { start: 15, end: 17, type: 'address' },
  ]);
  const riddick = dev[2]!;
  assert.deepEqual(
    riddick.entities.map((e) => riddick.text.slice(e.start, e.end)),
    ['突袭黑暗雅典娜》', 'Riddick', 'Johns'],
  );
  for (const e of dev.flatMap((x) => x.entities)) assert.ok((CLUENER_TYPES as readonly string[]).includes(e.type));
});

test('one record per line reads the same', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cluener-'));
  const file = join(dir, 'lines.json');
  writeFileSync(file, '{"text": "叶老桂认为", "label": {"name": {"叶老桂": [[0, 2]]}}}\n{"text": "无实体"}\n');
  assert.deepEqual(loadCluener(file), [
    { id: 0, text: '叶老桂认为', entities: [{ start: 0, end: 3, type: 'name' }] },
    { id: 1, text: '无实体', entities: [] },
  ]);
});

test('bad records name the file, line and field', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cluener-'));
  const write = (name: string, body: string) => {
    const f = join(dir, name);
    writeFileSync(f, body);
    return f;
  };
  const offsets = write(
    'offsets.json',
    '{"text": "ok"}\n{\n  "text": "叶老桂",\n  "label": {"name": {"叶老桂": [[0, 5]]}}\n}\n',
  );
  assert.throws(
    () => loadCluener(offsets),
    (e: Error) =>
      e instanceof DataError &&
      /offsets\.json:2: field 'label\.name\.叶老桂': offsets \[0,5\] are not inside the text/.test(e.message),
  );
  const mismatch = write('mismatch.json', '{"text": "叶老桂", "label": {"name": {"老桂": [[0, 1]]}}}');
  assert.throws(() => loadCluener(mismatch), /mismatch\.json:1: .*cover '叶老'/);
  const type = write('type.json', '{"text": "叶老桂", "label": {"person": {"叶老桂": [[0, 2]]}}}');
  assert.throws(() => loadCluener(type), /type\.json:1: field 'label': unknown type 'person'; valid: address, book/);
  assert.throws(() => loadCluener(write('open.json', '{"text": "a"')), /open\.json:1: record is not closed/);
  assert.throws(
    () => loadCluener(join(dir, 'missing.json')),
    (e: Error) => e instanceof DataError && /cannot read/.test(e.message),
  );
});

test('CLUENER dev from ../shared: 1,343 sentences, 3,072 entities', (ctx) => {
  if (!existsSync(SHARED)) ctx.skip(`${SHARED} not present (shared data is not part of a clone)`);
  const dev = loadCluener(SHARED);
  assert.equal(dev.length, 1343);
  assert.equal(
    dev.reduce((n, e) => n + e.entities.length, 0),
    3072,
  );
});
