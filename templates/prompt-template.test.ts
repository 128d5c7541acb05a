import assert from 'node:assert/strict';
import { test } from 'vitest';
import { fileURLToPath } from 'node:url';
import { ConfigError, TemplateSyntaxError, UnknownKindError } from '../framework/errors.js';
import { BertTokenizer } from '../framework/tokenizer/index.js';
import { PUBLISHED_TEMPLATES } from './paddlenlp-templates.fixture.js';
import { PromptTemplate, TEMPLATE_KINDS } from './prompt-template.js';

const tok = BertTokenizer.fromVocabFile(
  fileURLToPath(new URL('../models/vocab/bert-base-chinese/vocab.txt', import.meta.url)),
);

test('kind: soft when a soft block exists, else manual; explicit kinds are checked', () => {
  assert.equal(PromptTemplate.fromString("{'mask'}{'soft'}{'text': 'sentence'}").kind, 'soft');
  assert.equal(PromptTemplate.fromString("{'text': 'a'}很{'mask'}").kind, 'manual');
  assert.throws(
    () => PromptTemplate.fromString("{'soft'}{'text': 'a'}", { kind: 'manual' }),
    (e: unknown) => e instanceof TemplateSyntaxError && e.offset === 0 && /cannot have soft tokens/.test(e.message),
  );
  assert.throws(() => PromptTemplate.fromString("{'text': 'a'}{'mask'}", { kind: 'soft' }), /needs at least one/);
  assert.throws(() => PromptTemplate.fromString("{'text': 'a'}", { kind: 'prefix' }), UnknownKindError);
  assert.throws(() => PromptTemplate.fromString("{'text': 'a'}", { requireMask: true }), TemplateSyntaxError);
  assert.throws(() => PromptTemplate.fromString("{'text': 'a'}", { maxSeqLen: 0 }), ConfigError);
  assert.deepEqual(TEMPLATE_KINDS, ['manual', 'soft']);
});

test('config round-trip for every published PaddleNLP template that compiles here', () => {
  for (const { template } of PUBLISHED_TEMPLATES) {
    const t = PromptTemplate.fromString(template, { maxSeqLen: 128 });
    const config = t.getConfig();
    assert.deepEqual(JSON.parse(JSON.stringify(config)), config);
    assert.deepEqual(PromptTemplate.fromConfig(config).getConfig(), config);
  }
  const bare = PromptTemplate.fromString("{'soft'}{'text': 'a'}{'mask'}");
  assert.deepEqual(bare.getConfig(), { type: 'soft', template: "{'soft'}{'text': 'a'}{'mask'}" });
  assert.deepEqual(PromptTemplate.fromConfig(bare.getConfig(), tok).softTable, { initTokenIds: [-1], encoder: 'none' });
});

test('softTable needs a tokenizer; conflicting encoders are an error', () => {
  const t = PromptTemplate.fromString("{'soft': '请'}{'text': 'a'}{'mask'}");
  assert.throws(() => t.softTable, /softTableFor/);
  assert.deepEqual(t.softTableFor(tok), { initTokenIds: tok.convertTokensToIds(['请']), encoder: 'none' });
  const clash = PromptTemplate.fromString(
    "{'soft': None, 'encoder': 'lstm'}{'text': 'a'}{'soft': None, 'encoder': 'mlp'}{'mask'}",
  );
  assert.throws(() => clash.softTableFor(tok), /different encoders/);
});

test('missing example field is a TemplateSyntaxError naming the fields', () => {
  const t = PromptTemplate.fromString("{'text': 'text_a'}{'mask'}", { maxSeqLen: 16 });
  assert.throws(
    () => t.compile({ sentence: '好' }, tok),
    /field 'text_a' is missing from the example \(it has: sentence\)/,
  );
});
