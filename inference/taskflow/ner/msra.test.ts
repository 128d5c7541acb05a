import { test } from 'vitest';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import { DataError } from '../../../framework/errors.js';
import { chunkExample, loadMsraBio, MSRA_TYPES } from './msra.js';

const SHARED = '../shared/ner/msra_bio.zip';
const bio = (rows: string[][]) => rows.map((s) => s.join('\n')).join('\n\n');
const SAMPLE = bio([
  ['我\tO', '在\tO', '北\tB-LOC', '京\tI-LOC', '见\tO', '到\tO', '王\tB-PER', '小\tI-PER', '明\tI-PER'],
  ['新\tB-ORG', '华\tI-ORG', '社\tI-ORG', '北\tB-LOC', '京\tI-LOC', '电\tO'],
]);

function write(name: string, text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'msra-')), name);
  writeFileSync(file, text);
  return file;
}

test('reads character-BIO sentences into spans, from a text file and from a zip', () => {
  const expected = [
    {
      id: 0,
      text: '我在北京见到王小明',
      entities: [
        { start: 2, end: 4, type: 'LOC' },
        { start: 6, end: 9, type: 'PER' },
      ],
    },
    {
      id: 1,
      text: '新华社北京电',
      entities: [
        { start: 0, end: 3, type: 'ORG' },
        { start: 3, end: 5, type: 'LOC' },
      ],
    },
  ];
  assert.deepEqual(loadMsraBio(write('msra.txt', `${SAMPLE}\n\n\n`)), expected);
  const zip = write('msra.zip', '');
  writeFileSync(zip, zipSync({ 'dh_msra.txt': new TextEncoder().encode(SAMPLE) }));
  assert.deepEqual(loadMsraBio(zip), expected);
});

test('bad lines name the file and line', () => {
  assert.throws(
    () => loadMsraBio(write('a.txt', '我\tO\n在\tB-XYZ\n')),
    (e: Error) => e instanceof DataError && /a\.txt:2: unknown tag 'B-XYZ'/.test(e.message),
  );
  // Lenient BIO: an I- that continues nothing of its type opens an entity.
  assert.deepEqual(loadMsraBio(write('b.txt', '我\tO\n在\tI-LOC\n北\tI-LOC\n京\tI-PER\n'))[0]!.entities, [
    { start: 1, end: 3, type: 'LOC' },
    { start: 3, end: 4, type: 'PER' },
  ]);
  assert.throws(
    () => loadMsraBio(write('c.txt', '我O\n')),
    (e: Error) => e instanceof DataError && /c\.txt:1: expected 'character<TAB>tag'/.test(e.message),
  );
  assert.throws(() => loadMsraBio('/nonexistent/msra.txt'), DataError);
});

test('chunkExample cuts after punctuation, never inside an entity, and re-bases spans', () => {
  const e = {
    id: 0,
    text: '我在北京，你在上海。',
    entities: [
      { start: 2, end: 4, type: 'LOC' },
      { start: 7, end: 9, type: 'LOC' },
    ],
  };
  assert.deepEqual(chunkExample(e, 6), [
    { text: '我在北京，', entities: [{ start: 2, end: 4, type: 'LOC' }] },
    { text: '你在上海。', entities: [{ start: 2, end: 4, type: 'LOC' }] },
  ]);
  // No punctuation: the cut moves left of an entity that would be split.
  const f = { id: 1, text: '甲乙丙丁戊己', entities: [{ start: 2, end: 5, type: 'PER' }] };
  assert.deepEqual(chunkExample(f, 4), [
    { text: '甲乙', entities: [] },
    { text: '丙丁戊己', entities: [{ start: 0, end: 3, type: 'PER' }] },
  ]);
  for (const piece of chunkExample(e, 3)) assert.ok([...piece.text].length <= 3);
  assert.deepEqual(
    chunkExample(e, 100).map((p) => p.text),
    [e.text],
  );
});

test('the shared MSRA zip: 55k sentences of three types', (ctx) => {
  if (!existsSync(SHARED)) ctx.skip(`${SHARED} not present`);
  const all = loadMsraBio(SHARED);
  assert.ok(all.length > 50000, `${all.length} sentences`);
  const types = new Set(all.flatMap((x) => x.entities.map((s) => s.type)));
  assert.deepEqual([...types].sort(), [...MSRA_TYPES]);
  const pieces = all.slice(0, 500).flatMap((x) => chunkExample(x, 62));
  assert.ok(pieces.every((p) => [...p.text].length <= 62));
  assert.equal(
    pieces.reduce((n, p) => n + p.entities.length, 0),
    all.slice(0, 500).reduce((n, x) => n + x.entities.length, 0),
  );
});
