import { test } from 'vitest';
import assert from 'node:assert/strict';
import { TokenizerError } from '../errors.js';
import { WordPiece } from './wordpiece.js';
import {
  buildTokenizerJson,
  parseTokenizerConfig,
  parseTokenizerJson,
  readVocabText,
  DEFAULT_SPECIALS,
} from './hf-format.js';
import { resolveNormalizerOptions } from './base.js';

const vocab = new Map([
  ['un', 0],
  ['##aff', 1],
  ['##able', 2],
  ['[UNK]', 3],
  ['😀', 4],
  ['##😀', 5],
  ['a', 6],
]);

test('WordPiece: greedy longest match, continuation prefix, unknown words', () => {
  const wp = new WordPiece(vocab, 3);
  assert.deepEqual([...wp.split('unaffable')], [0, 0, 2, 1, 2, 5, 2, 5, 9]);
  assert.deepEqual([...wp.split('unaffablex')], [3, 0, 10]);
  assert.deepEqual([...wp.split('😀😀')], [4, 0, 2, 5, 2, 4]);
  assert.deepEqual([...wp.split('a'.repeat(100))], [3, 0, 100], 'a is in the vocabulary, ##a is not');
  assert.deepEqual(
    [...new WordPiece(vocab, 3, '##', 3).split('😀😀😀😀')],
    [3, 0, 8],
    'over maxInputCharsPerWord code points',
  );
  assert.deepEqual(
    [...new WordPiece(vocab, 3, '##', 3).split('😀😀😀')],
    [4, 0, 2, 5, 2, 4, 5, 4, 6],
    'surrogate pairs count once',
  );
});

test('Hugging Face files: vocab.txt lines, tokenizer_config.json keys, tokenizer.json round trip and refusals', () => {
  assert.deepEqual(readVocabText('[PAD]\r\n[UNK]\n我 \n'), ['[PAD]', '[UNK]', '我']);
  const config = parseTokenizerConfig(
    { do_lower_case: false, mask_token: { content: '<mask>' }, model_max_length: 1e30 },
    'c.json',
  );
  assert.deepEqual(config, { options: { doLowerCase: false }, specials: { ...DEFAULT_SPECIALS, mask: '<mask>' } });
  assert.throws(
    () => parseTokenizerConfig({ do_lower_case: 'yes' }, 'c.json'),
    /c.json: 'do_lower_case' must be a boolean/,
  );
  const tokens = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', '好'];
  const normalizer = resolveNormalizerOptions({ doLowerCase: false, tokenizeChineseChars: false });
  const spec = parseTokenizerJson(buildTokenizerJson(tokens, normalizer), 't.json', DEFAULT_SPECIALS);
  assert.deepEqual(spec, {
    vocab: tokens,
    normalizer,
    specials: DEFAULT_SPECIALS,
    continuingSubwordPrefix: '##',
    maxInputCharsPerWord: 100,
  });
  assert.throws(
    () => parseTokenizerJson({ model: { type: 'BPE', vocab: {} } }, 't.json', DEFAULT_SPECIALS),
    TokenizerError,
  );
  assert.throws(
    () =>
      parseTokenizerJson(
        { model: { type: 'WordPiece', vocab: { a: 1 } }, pre_tokenizer: { type: 'BertPreTokenizer' } },
        't.json',
        DEFAULT_SPECIALS,
      ),
    /id 0 is missing/,
  );
  assert.throws(() => buildTokenizerJson(['[PAD]'], normalizer), /'\[UNK\]' is not in the vocabulary/);
});
