import { strict as assert } from 'node:assert';
import { test } from 'vitest';
import { relative as relativePath } from 'node:path';
import { fileURLToPath } from 'node:url';
import { detectFormat, readCorpus, readFileDocuments, resolveCorpusFiles } from './corpus.js';
import { DataError } from '../errors.js';

const fx = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
async function all(file: string, format: Parameters<typeof readFileDocuments>[1], opts = {}): Promise<string[]> {
  const out: string[] = [];
  for await (const t of readFileDocuments(fx(file), format, opts)) out.push(t);
  return out;
}

test('format detection by extension and first line', () => {
  assert.equal(detectFormat(fx('lines.txt')), 'lines');
  assert.equal(detectFormat(fx('fewclue.json')), 'jsonl');
  assert.equal(detectFormat(fx('squad.json')), 'squad');
  assert.equal(detectFormat(fx('reviews.csv')), 'csv');
  assert.equal(detectFormat(fx('titles.tsv')), 'tsv');
});

test('plain text: a line or a paragraph per document', async () => {
  assert.deepEqual(await all('lines.txt', 'lines'), ['今天天气很好。', '我们去公园散步吧！', '北京欢迎你']);
  assert.deepEqual(await all('paragraphs.txt', 'paragraphs'), ['第一段第一行\n第一段第二行', '第二段只有一行']);
});

test('JSONL: every known text field, or the named ones', async () => {
  assert.deepEqual(await all('fewclue.json', 'jsonl'), [
    '物流很快，包装很好。',
    '叫爸爸',
    '那你叫我',
    '据报道#idiom#逼近海域',
  ]);
  assert.deepEqual(await all('fewclue.json', 'jsonl', { fields: ['sentence2'] }), ['那你叫我']);
});

test('CSV with BOM header, quotes and newlines; TSV by column index', async () => {
  assert.deepEqual(await all('reviews.csv', 'csv'), ['距离较近,但是"蔡陆线"麻烦.', '早餐太差', '两行\n评论']);
  assert.deepEqual(await all('reviews.csv', 'csv', { column: 'label' }), ['1', '0', '1']);
  assert.deepEqual(await all('titles.tsv', 'tsv'), ['体验2D巅峰 倚天屠龙记', '锌价难续去年辉煌']);
  assert.deepEqual(await all('titles.tsv', 'tsv', { column: 1 }), ['8', '0']);
  await assert.rejects(all('reviews.csv', 'csv', { column: 'nope' }), DataError);
});

test('SQuAD contexts', async () => {
  assert.deepEqual(await all('squad.json', 'squad'), [
    '《战国无双3》是由光荣开发的作品。',
    '第二个段落。',
    '第三个段落。',
  ]);
});

test('globs resolve sorted, honour excludes, and stream every file', async () => {
  const dir = fx('');
  const files = await resolveCorpusFiles([{ path: `${dir}*.json`, exclude: ['**/squad*'] }, { path: fx('lines.txt') }]);
  assert.deepEqual(
    files.map((f) => f.file.split('/').pop()),
    ['fewclue.json', 'lines.txt'],
  );
  const docs: string[] = [];
  for await (const d of readCorpus([{ path: `${dir}*.{txt,csv,tsv,json}` }])) docs.push(d.text);
  assert.equal(docs.length, 3 + 3 + 3 + 3 + 4 + 2); // lines.txt, paragraphs.txt (as lines), csv, squad, jsonl, tsv
  await assert.rejects(resolveCorpusFiles([{ path: `${dir}*.nothing` }]), DataError);
  // A file named by a relative path and again by a later glob is read once, by the first source (its weight applies).
  const relative = relativePath(process.cwd(), fx('lines.txt'));
  const twice = await resolveCorpusFiles([{ path: relative, weight: 0.5 }, { path: `${dir}*.txt` }]);
  assert.deepEqual(
    twice.map((f) => [f.file.split('/').pop(), f.source.weight]),
    [
      ['lines.txt', 0.5],
      ['paragraphs.txt', undefined],
    ],
  );
});

test(`evaluation-set readers for decontamination: JSON records (an array, or objects back to back), UD CoNLL-U, one \
character a line`, async () => {
  assert.equal(detectFormat(fx('eval/sighan.json')), 'json-records');
  assert.deepEqual(await all('eval/sighan.json', 'json-records', { fields: ['original_text', 'correct_text'] }), [
    '我跟我朋唷打算去法国。',
    '我跟我朋友打算去法国。',
    '你好！',
    '你好！',
  ]);
  assert.equal(detectFormat(fx('eval/cluener.json')), 'json-records');
  assert.deepEqual(await all('eval/cluener.json', 'json-records', { fields: ['text'] }), [
    '彭小军认为，国内银行',
    '温格的球队"终于"又踢了',
  ]);
  assert.equal(detectFormat(fx('eval/ud.conllu')), 'conllu');
  assert.deepEqual(await all('eval/ud.conllu', 'conllu'), ['然而，这样的处理也衍生了一些问题。', '北京欢迎你']);
  assert.equal(detectFormat(fx('eval/ner.bio')), 'conll-chars');
  assert.deepEqual(await all('eval/ner.bio', 'conll-chars'), ['北京欢迎', '你好']);
});
