import { test } from 'vitest';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveNormalizerOptions, type BertNormalizerOptions } from './base.js';
import { BasicTokenizer, PreTokens } from './basic-tokenizer.js';
import { BertTokenizer } from './bert.js';
import { referenceEncode, type ReferenceTokenizer } from './fixtures/parity.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

function words(options: BertNormalizerOptions, text: string): string[] {
  const out = new PreTokens();
  new BasicTokenizer(resolveNormalizerOptions(options)).split(text, 0, text.length, out);
  return out.words;
}

test('normalization and splitting rules, without the reference', () => {
  assert.deepEqual(words({}, 'Héllo,世界 ΑΣ'), ['hello', ',', '世', '界', 'ασ']);
  assert.deepEqual(words({ doLowerCase: false }, 'Héllo ΑΣ'), ['Héllo', 'ΑΣ']);
  assert.deepEqual(words({ doLowerCase: false, stripAccents: true }, 'Héllo'), ['Hello']);
  assert.deepEqual(words({ tokenizeChineseChars: false }, '世界 好'), ['世界', '好']);
  assert.deepEqual(words({}, 'a\u0000b\u200bc\u3000d\te'), ['abc', 'd', 'e']);
  // The crate keeps unassigned code points and does not know U+061D as punctuation (JavaScript's \p{P} does).
  assert.deepEqual(words({}, 'a\u0378b a\u061db'), ['a\u0378b', 'a\u061db']);
  assert.deepEqual(words({ cleanText: false }, 'a\u0000b'), ['a\u0000b']);
  const text = 'İx 豈';
  const out = new PreTokens();
  new BasicTokenizer(resolveNormalizerOptions()).split(text, 0, text.length, out);
  assert.deepEqual(out.words, ['ix', '豈'.normalize('NFD')]);
  assert.deepEqual([...out.starts.slice(0, out.size)], [0, 1, 3]);
});

/** The Rust binding, when installed (a devDependency with prebuilt binaries for common platforms). */
async function loadReference(): Promise<typeof import('@anush008/tokenizers') | undefined> {
  try {
    return await import('@anush008/tokenizers');
  } catch {
    return undefined;
  }
}
const ref = await loadReference();
const skip = ref === undefined ? '@anush008/tokenizers is not installed' : false;

test('every code point splits as in the Rust BertNormalizer + BertPreTokenizer', (ctx) => {
  if (skip) ctx.skip(skip);
  if (ref === undefined) return;
  const configs: [BertNormalizerOptions, number][] = [
    [{}, 0x10ffff],
    [{ doLowerCase: false }, 0xffff],
    [{ doLowerCase: false, stripAccents: true }, 0xffff],
    [{ stripAccents: false }, 0xffff],
    [{ tokenizeChineseChars: false }, 0xffff],
    [{ cleanText: false }, 0xffff],
  ];
  for (const [config, last] of configs) {
    const o = resolveNormalizerOptions(config);
    const normalizer = ref.bertNormalizer({
      cleanText: o.cleanText,
      handleChineseChars: o.tokenizeChineseChars,
      stripAccents: o.stripAccents,
      lowercase: o.doLowerCase,
    });
    const split = ref.bertPreTokenizer();
    const basic = new BasicTokenizer(o);
    const out = new PreTokens();
    const wrong: string[] = [];
    for (let cp = 0; cp <= last; cp++) {
      if (cp >= 0xd800 && cp <= 0xdfff) continue;
      const probe = `a${String.fromCodePoint(cp)}b`;
      const expected = split
        .preTokenizeString(normalizer.normalizeString(probe))
        .map(([w]) => w)
        .join('|');
      out.reset();
      basic.split(probe, 0, probe.length, out);
      if (out.words.join('|') !== expected && wrong.length < 10) wrong.push(`U+${cp.toString(16)}`);
    }
    assert.deepEqual(wrong, [], `${JSON.stringify(config)}: code points that differ`);
  }
});

test('random mixed strings encode as in the Rust tokenizer (ids, type ids, offsets)', async (ctx) => {
  if (skip) ctx.skip(skip);
  if (ref === undefined) return;
  const tok = BertTokenizer.fromVocabFile(join(root, 'models/vocab/bert-base-chinese/vocab.txt'));
  const rust: ReferenceTokenizer = ref.Tokenizer.fromString(JSON.stringify(tok.toTokenizerJson()));
  const alphabet = [
    ...('的一是了我不人在他有这中大来上国个到说们为子和你地出道也时年 　,.!?，。！？、（）《》“”ABCxyzÉéñü0123456789０１２ＡＢ' +
      '##[MASK][SEP]ﬁ①😀👍🏽\u0301\u0000\u200b\t\n豈ΣİßαΑ𠀀'),
  ];
  let seed = 7;
  const random = (n: number): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
  };
  const pick = (length: number): string =>
    Array.from({ length }, () => alphabet[random(alphabet.length)] ?? '').join('');
  for (let i = 0; i < 300; i++) {
    const truncate = i % 3 === 0;
    const c = {
      text: pick(1 + random(40)),
      pair: i % 2 === 0 ? pick(1 + random(30)) : undefined,
      maxLength: truncate ? 8 + random(30) : undefined,
      truncation: truncate ? (['longest_first', 'only_first', 'only_second'] as const)[random(3)] : undefined,
    };
    const expected = await referenceEncode(rust, c, true);
    const where = JSON.stringify(c);
    if ('error' in expected) {
      assert.throws(() => tok.encode(c.text, c), where);
      continue;
    }
    const e = tok.encode(c.text, c);
    assert.deepEqual(e.inputIds, expected.ids, where);
    assert.equal(e.tokenTypeIds.join(''), expected.typeIds, where);
    assert.deepEqual(e.offsets.flat(), expected.offsets, where);
    assert.equal(tok.decode(e.inputIds, { skipSpecialTokens: true }), expected.decoded, where);
  }
});
