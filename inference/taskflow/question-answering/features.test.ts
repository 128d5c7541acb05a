import { test } from 'vitest';
import assert from 'node:assert/strict';
import { ConfigError } from '../../../framework/errors.js';
import { tinyTokenizer } from '../../../framework/testing/tiny-bert.js';
import { bestAnswer } from './decode.js';
import { checkWindowOptions, QaFeaturizer, type QaWindow } from './features.js';

const tokenizer = tinyTokenizer();
const CONTEXT = '甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳';

test('windows: question first, the passage in overlapping windows that start every docStride tokens', () => {
  const f = new QaFeaturizer(tokenizer, { maxSeqLen: 16, docStride: 4, maxQuestionTokens: 4 });
  const windows = f.windows('谁是第一？', CONTEXT); // question cut to 4 tokens: 16 - 4 - 3 = 9 passage tokens a window
  assert.deepEqual(
    windows.map((w) => [w.offsets[0]![0], w.offsets.at(-1)![1]]),
    [
      [0, 9],
      [4, 13],
      [8, 16],
    ],
  );
  for (const w of windows) {
    assert.ok(w.ids.length <= 16);
    assert.equal(w.contextStart, 6);
    assert.deepEqual(tokenizer.decode([...w.ids.slice(0, 6)]).replace(/ /g, ''), '[CLS]谁是第一[SEP]');
    assert.equal(w.ids.at(-1), tokenizer.sepId);
  }
  const batch = f.batch(windows);
  assert.deepEqual(batch.feeds.input_ids.dims, [3, 16]);
  // The last window (8 passage tokens) is shorter: padded, types 1 on the passage and its [SEP] only, positions 0…
  const last = 2 * 16;
  assert.deepEqual([...batch.feeds.attention_mask.data.subarray(last, last + 16)], [...Array(15).fill(1), 0]);
  assert.deepEqual(
    [...batch.feeds.token_type_ids.data.subarray(last, last + 16)],
    [...Array(6).fill(0), ...Array(9).fill(1), 0],
  );
  assert.equal(batch.feeds.position_ids.data[last + 15], 15);
  // An empty passage is one window without passage tokens.
  assert.deepEqual(
    f.windows('谁？', '').map((w) => w.offsets.length),
    [0],
  );
});

test('answer tokens: only a window holding the whole answer labels it; spaces the tokenizer drops are skipped', () => {
  const f = new QaFeaturizer(tokenizer, { maxSeqLen: 16, docStride: 4, maxQuestionTokens: 4 });
  const windows = f.windows('谁？', CONTEXT); // [CLS] 谁 ？ [SEP], then 11 passage tokens a window
  assert.deepEqual(f.answerTokens(windows[0]!, 2, 4), [6, 7]); // 丙丁
  assert.equal(f.answerTokens(windows[1]!, 2, 4), undefined); // starts at 戊
  assert.equal(f.answerTokens(windows[0]!, 10, 14), undefined); // runs past the first window
  assert.deepEqual(f.answerTokens(windows[1]!, 10, 14), [10, 13]);
  const [spaced] = f.windows('谁？', '甲 乙丙');
  assert.deepEqual(f.answerTokens(spaced!, 1, 3), [5, 5], "' 乙' is the token 乙");
  assert.equal(f.answerTokens(spaced!, 1, 2), undefined, 'only a space');
});

test('window options are checked against each other and the encoder', () => {
  assert.throws(
    () => checkWindowOptions({ maxSeqLen: 16, docStride: 4, maxQuestionTokens: 13 }, 64),
    (e: Error) => e instanceof ConfigError && /maxQuestionTokens 13 leaves no passage room.*at most 12/.test(e.message),
  );
  assert.throws(
    () => checkWindowOptions({ maxSeqLen: 128, docStride: 4, maxQuestionTokens: 8 }, 64),
    /maxSeqLen 128 exceeds the encoder's 64 positions/,
  );
  assert.throws(() => checkWindowOptions({ maxSeqLen: 16, docStride: 0, maxQuestionTokens: 4 }, 64), /docStride/);
});

/** A window over `context` whose passage tokens are its characters, after a 2-token question. */
function charWindow(context: string): QaWindow {
  const n = context.length;
  return {
    ids: Array(n + 5).fill(1),
    contextStart: 4,
    offsets: Array.from({ length: n }, (_, i) => [i, i + 1] as const),
  };
}

test('decode: best p(start)·p(end) over windows, answer-length cap, no answer below the threshold', () => {
  const context = '北京是中国的首都';
  const w = charWindow(context);
  const logits = (start: number[], end: number[]) => ({
    start: [...start, ...Array(w.ids.length - start.length).fill(-9)],
    end: [...end, ...Array(w.ids.length - end.length).fill(-9)],
  });
  // [CLS] q q [SEP] 北 京 是 …: start at 北 (4), end at 京 (5); question tokens never answer.
  const clear = logits([0, 50, 50, 50, 8, 0], [0, 50, 50, 50, 0, 8]);
  const options = { maxAnswerTokens: 30, threshold: 0.1 };
  const got = bestAnswer(context, [w], [clear], options);
  assert.deepEqual([got.answer, got.start, got.end], ['北京', 0, 2]);
  assert.ok(got.score > 0.9 && got.score <= 1, String(got.score));
  // The better window wins: a second window (the same passage) where the span is vaguer.
  const vague = logits([0, 0, 0, 0, 1, 0], [0, 0, 0, 0, 0, 1]);
  assert.equal(bestAnswer(context, [w, w], [vague, clear], options).score, got.score);
  // The cap: an end 6 tokens after the start is out of reach with maxAnswerTokens 2.
  const long = logits([0, 0, 0, 0, 8], [0, 0, 0, 0, 0, 0, 0, 0, 0, 8]);
  assert.equal(bestAnswer(context, [w], [long], options).answer.length, 6);
  assert.ok(bestAnswer(context, [w], [long], { ...options, maxAnswerTokens: 2 }).answer.length <= 2);
  // [CLS] takes the mass: below the threshold the answer is empty, with its score.
  const none = logits([9, 0, 0, 0, 0], [9, 0, 0, 0, 0]);
  const empty = bestAnswer(context, [w], [none], options);
  assert.deepEqual([empty.answer, empty.start, empty.end], ['', 0, 0]);
  assert.ok(empty.score > 0 && empty.score < 0.1);
  assert.equal(bestAnswer(context, [w], [none], { ...options, threshold: 0 }).answer.length > 0, true);
  assert.deepEqual(bestAnswer('', [charWindow('')], [logits([0], [0])], options), {
    answer: '',
    start: 0,
    end: 0,
    score: 0,
  });
});

test("tokenTypes 'match': passage tokens found in the question are type 2 (not [UNK], not the last [SEP])", () => {
  const f = new QaFeaturizer(tokenizer, { maxSeqLen: 16, docStride: 8, maxQuestionTokens: 4, tokenTypes: 'match' });
  const [w] = f.windows('乙丁🀄', '甲乙丙丁🀄');
  const types = [...f.batch([w!]).feeds.token_type_ids.data];
  // [CLS] 乙 丁 [UNK] [SEP] 甲 乙 丙 丁 [UNK] [SEP]
  assert.deepEqual(types.slice(0, 11), [0, 0, 0, 0, 0, 1, 2, 1, 2, 1, 1]);
  assert.throws(
    () => checkWindowOptions({ maxSeqLen: 16, docStride: 4, maxQuestionTokens: 4, tokenTypes: 'words' as 'match' }, 64),
    /tokenTypes must be one of segment, match; got 'words'/,
  );
});
