import { test } from 'vitest';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Lac, SHIPPED_LAC_MODEL } from './lac.js';
import { JsLacBackend } from './backend.js';
import { OnnxLacBackend } from './onnx-backend.js';

interface ParityCase {
  text: string;
  tags: string[];
  emissions_row0: number[];
}
const parity = JSON.parse(readFileSync(new URL('./fixtures/parity.json', import.meta.url), 'utf8')) as {
  cases: ParityCase[];
};

// The numpy reference mapped only full-width forms; its parity runs with that normalisation.
const js = await Lac.load(SHIPPED_LAC_MODEL, { backend: 'js', normalization: 'width' });
const auto = await Lac.load(SHIPPED_LAC_MODEL, { normalization: 'width' });

test('shipped model reproduces the numpy reference tags (both backends)', async () => {
  for (const lac of [js, auto]) {
    for (const c of parity.cases) {
      const chars = [...c.text];
      const ids = lac.vocab.encode(chars, 'width');
      const em = await lac.backend.emissions(ids, Int32Array.of(0, ids.length));
      const row0 = [...em.subarray(0, 57)];
      row0.forEach((v, j) =>
        assert.ok(
          Math.abs(v - c.emissions_row0[j]!) < 2e-2,
          `${lac.backend.kind} ${c.text} emission[0][${j}] ${v} vs ${c.emissions_row0[j]}`,
        ),
      );
      const { words, tags } = (await lac.analyze([c.text]))[0]!;
      const expected = c.tags.map((t) => t.split('-')[0]);
      assert.equal(words.join(''), c.text);
      assert.equal(tags.length, c.tags.filter((t, i) => t.endsWith('-B') || i === 0).length, c.text);
      assert.deepEqual(
        tags,
        expected.filter((_, i) => c.tags[i]!.endsWith('-B') || i === 0),
      );
    }
  }
});

test('ONNX and TypeScript backends agree on a padded batch', async (t) => {
  const onnx = await OnnxLacBackend.create(js.weights);
  if (!onnx) {
    t.skip('onnxruntime-node not loadable here');
    return;
  }
  const texts = ['三亚是一个美丽的城市', '好', '李小龙在1970年去了香港。他很开心！'];
  const chars = texts.map((s) => [...s]);
  const offsets = Int32Array.from([0, 10, 11, 30]);
  const ids = js.vocab.encode(chars.flat());
  const a = await new JsLacBackend(js.weights).emissions(ids, offsets);
  const b = await onnx.emissions(ids, offsets);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  assert.ok(worst < 1e-3, `max |js - onnx| = ${worst}`);
});

test('empty, whitespace-only and whitespace-separated inputs', async () => {
  const [empty, blank, spaced] = await auto.analyze(['', ' \t\u3000\n', '三亚 是一个美丽的城市']);
  assert.deepEqual(empty, { words: [], tags: [] });
  assert.deepEqual(blank, { words: [], tags: [] });
  assert.deepEqual(spaced!.words, ['三亚', '是', '一个', '美丽', '的', '城市']);
});

test('mixed Latin, digits and full-width characters keep their original text', async () => {
  const [r] = await auto.analyze(['我在Apple工作了3年，ＬＡＣ２０２０']);
  assert.equal(r!.words.join(''), '我在Apple工作了3年，ＬＡＣ２０２０');
  assert.ok(r!.words.includes('Apple'), r!.words.join('|'));
});

test('a 100k-character text is cut into chunks and comes back whole', async () => {
  const sentence = '三亚是一个美丽的城市，李小龙在1970年去了香港。';
  const text = sentence.repeat(Math.ceil(100_000 / sentence.length)).slice(0, 100_000);
  const [r] = await auto.analyze([text]);
  assert.equal(r!.words.join(''), text);
  assert.deepEqual(r!.words.slice(0, 6), ['三亚', '是', '一个', '美丽', '的', '城市']);
});

test('user dictionary forces words and tags', async () => {
  const lac = await Lac.load(SHIPPED_LAC_MODEL, { userDict: ['美丽的城市/SCENE', '三 亚'] });
  const [r] = await lac.analyze(['三亚是一个美丽的城市']);
  assert.deepEqual(r!.words, ['三', '亚', '是', '一个', '美丽的城市']);
  assert.equal(r!.tags[4], 'SCENE');
});

test(`every CJK and full-width punctuation mark is tagged w (LAC's normalisation reaches its trained ASCII \
rows)`, async () => {
  const lac = await Lac.load();
  const marks = [
    '。',
    '，',
    '、',
    '；',
    '：',
    '！',
    '？',
    '…',
    '—',
    '“',
    '”',
    '‘',
    '’',
    '「',
    '」',
    '『',
    '』',
    '【',
    '】',
    '〔',
    '〕',
    '（',
    '）',
    '《',
    '》',
    '〈',
    '〉',
    '〖',
    '〗',
    '﹐',
    '﹒',
  ];
  for (const mark of marks) {
    const [result] = await lac.analyze([`他来了${mark}我们走吧${mark}`]);
    const tagsOf = result!.words.map((w, i) => [w, result!.tags[i]] as const).filter(([w]) => w.includes(mark));
    assert.ok(tagsOf.length > 0, `${mark}: not a word of its own in ${JSON.stringify(result)}`);
    for (const [word, tag] of tagsOf) assert.equal(tag, 'w', `${mark} in '${word}' tagged ${tag}`);
  }
  const [plain] = await lac.analyze(['三亚是一个美丽的城市。']);
  assert.deepEqual(plain!.tags.at(-1), 'w');
  assert.equal(plain!.words.join(''), '三亚是一个美丽的城市。', 'words keep the original characters');
});
