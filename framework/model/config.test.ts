import assert from 'node:assert/strict';
import { test } from 'vitest';
import { ConfigError } from '../errors.js';
import { BERT_DEFAULTS, bertConfigFromJson, bertParameterCount } from './config.js';

const base = {
  model_type: 'bert',
  hidden_size: 256,
  num_hidden_layers: 4,
  num_attention_heads: 4,
  intermediate_size: 1024,
};

test(`config.json with absurd sizes is refused at once, naming the field (not a minute of allocation, then an \
OOM)`, () => {
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ num_hidden_layers: 1e9 }, /num_hidden_layers must be an integer from 1 to 256, got 1000000000/],
    [{ vocab_size: 1e12 }, /vocab_size must be an integer from 1 to 1,000,000, got 1000000000000/],
    [{ hidden_size: 1048576 }, /hidden_size must be an integer from 1 to 16,384/],
    [{ num_attention_heads: 0 }, /num_attention_heads must be an integer from 1 to 256, got 0/],
    [{ hidden_size: 250 }, /hidden_size 250 is not divisible by num_attention_heads 4/],
    [
      { hidden_size: 16384, num_attention_heads: 16, num_hidden_layers: 256, intermediate_size: 65536 },
      /make \d+\.\dB parameters; at most 4B are supported/,
    ],
    [{ layer_norm_eps: 0 }, /layer_norm_eps must be in \(0, 1\)/],
  ];
  for (const [change, message] of cases) {
    const t0 = performance.now();
    assert.throws(
      () => bertConfigFromJson({ ...base, ...change }, 'x/config.json'),
      (e: Error) => e instanceof ConfigError && message.test(e.message) && e.message.startsWith('x/config.json: '),
      JSON.stringify(change),
    );
    assert.ok(performance.now() - t0 < 1000, 'refused before any allocation (it used to take 72 s to fail)');
  }
});

test('published sizes pass: bert-base-chinese is 102M parameters', () => {
  const config = bertConfigFromJson({ model_type: 'bert' });
  assert.deepEqual(config, BERT_DEFAULTS);
  assert.equal(Math.round(bertParameterCount(config) / 1e6), 102);
});
