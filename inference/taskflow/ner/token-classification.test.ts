import { test, beforeAll, afterAll } from 'vitest';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tf } from '../../../framework/backend/tf.js';
import { writeSafetensors } from '../../../framework/checkpoint/safetensors.js';
import { BundleError, ConfigError } from '../../../framework/errors.js';
import { BertModel } from '../../../framework/model/bert.js';
import { savePretrained } from '../../../framework/model/pretrained.js';
import { useBackend } from '../../../framework/testing/backends.js';
import { TINY_DECISIVE_CONFIG } from '../../../framework/testing/tiny-bert.js';
import { BertTokenizer } from '../../../framework/tokenizer/index.js';
import { Trainer } from '../../../framework/trainer/trainer.js';
import type { NerExample } from './cluener.js';
import { exportTokenBundle } from './bundle.js';
import { Lac } from '../lexical-analysis/lac.js';
import { bioTags, tagIdsToSpans } from './bio.js';
import { entityF1 } from './evaluate.js';
import { charTokenIds } from './char-features.js';
import { LacCharTagVocab } from './lac-char-tags.js';
import { loadTokenClassifier, type TokenClassifier } from './token-classifier.js';
import { TokenClassificationMethod, type TokenExample } from './token-classification.js';

const root = mkdtempSync(join(tmpdir(), 'fewprompt-ner-'));
beforeAll(() => useBackend('wasm'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const TYPES = ['name', 'address'];
const TAGS = bioTags(TYPES);
const NAMES = ['张三', '李四', '王小明'];
const PLACES = ['北京', '上海', '杭州西湖'];
const FILLER = '我们今天去了那里看到很多人说话';
/** A vocabulary of just the characters used (a 21k-row embedding would make each CPU step seconds long). */
const VOCAB = [
  '[PAD]',
  '[UNK]',
  '[CLS]',
  '[SEP]',
  '[MASK]',
  '。',
  ...new Set([...FILLER, ...NAMES.join(''), ...PLACES.join('')]),
];
const CONFIG = { ...TINY_DECISIVE_CONFIG, vocabSize: VOCAB.length };

function tinyTokenizer(): BertTokenizer {
  const file = join(root, 'vocab.txt');
  writeFileSync(file, `${VOCAB.join('\n')}\n`);
  return BertTokenizer.fromVocabFile(file);
}

/** Synthetic sentences: filler characters with names and places dropped in (a lexical cue a tiny model can learn). */
function synthetic(n: number, seed: number, names = NAMES, places = PLACES): NerExample[] {
  let s = seed;
  const rand = (k: number) => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s % k;
  };
  return Array.from({ length: n }, (_, id) => {
    let text = '';
    const entities: { start: number; end: number; type: string }[] = [];
    for (let part = 0; part < 4; part++) {
      text += FILLER.slice(rand(8), 8 + rand(6));
      if (rand(3) === 0) continue;
      const [word, type] = rand(2) === 0 ? [names[rand(3)]!, 'name'] : [places[rand(3)]!, 'address'];
      entities.push({ start: text.length, end: text.length + word.length, type });
      text += word;
    }
    return { id, text, entities };
  });
}

/** Entities of tag ids, strict BIO: an I- tag continues only an entity of its type that ends right before it. */
function strictSpans(ids: readonly number[]): { start: number; end: number; type: string }[] {
  const spans: { start: number; end: number; type: string }[] = [];
  ids.forEach((id, i) => {
    const tag = TAGS[id]!;
    if (tag.startsWith('B-')) spans.push({ start: i, end: i + 1, type: tag.slice(2) });
    else if (tag.startsWith('I-') && spans.at(-1)?.end === i && spans.at(-1)?.type === tag.slice(2))
      spans.at(-1)!.end = i + 1;
  });
  return spans;
}

/** Writes a training run's folder as the CLI does: model and tokenizer, the method's weights, `method.json`. */
async function writeRun(
  run: string,
  model: BertModel,
  tokenizer: BertTokenizer,
  method: TokenClassificationMethod,
  spec: Record<string, unknown>,
): Promise<void> {
  savePretrained(model, join(run, 'model'));
  await tokenizer.save(join(run, 'model'));
  writeSafetensors(
    join(run, 'method.safetensors'),
    new Map([...method.snapshot()].filter(([k]) => k.startsWith('method.'))),
  );
  writeFileSync(join(run, 'method.json'), JSON.stringify(spec));
}

/**
 * Exports `run` at `precision` and checks the bundle against tfjs's tags of `dev`: character tags agree, `predict`
 * gives the entities of its tags at their offsets, and a text longer than the window is tagged in windows.
 */
async function checkExportedTagger(
  run: string,
  precision: 'fp32' | 'int8',
  tokenizer: BertTokenizer,
  dev: NerExample[],
  tagged: number[][],
): Promise<void> {
  const bundle = join(root, `bundle-${precision}`);
  const manifest = await exportTokenBundle(run, bundle, { precision });
  assert.deepEqual(manifest.tags, TAGS);
  assert.equal(manifest.lacTags, undefined); // a bundle without LAC features, as before they existed
  const ner = await loadTokenClassifier(bundle);
  assert.equal(ner.lacVocab, undefined);
  // The characters tfjs tagged (texts cut at maxSeqLen − 2), one row each.
  const rows = dev.map((e, i) =>
    Array.from(e.text)
      .slice(0, tagged[i]!.length)
      .map((c) => tokenizer.tokenToId(c) ?? tokenizer.unkId),
  );
  const gotRows = await ner.tagRows(rows, 'argmax');
  const got = gotRows.flat();
  const same = got.filter((t, i) => t === tagged.flat()[i]).length / got.length;
  assert.ok(
    same >= (precision === 'fp32' ? 0.99 : 0.97),
    `${precision}: ${(100 * same).toFixed(1)}% of character tags agree with tfjs`,
  );
  // predict = windows + tagRows + BIO decoding, with each entity's text at its offsets.
  const whole = dev.flatMap((e, i) => (rows[i]!.length === Array.from(e.text).length ? [i] : []));
  assert.ok(whole.length > 0);
  const predicted = await ner.predict(
    whole.map((i) => dev[i]!.text),
    { decode: 'argmax' },
  );
  whole.forEach((i, k) =>
    assert.deepEqual(
      predicted[k],
      tagIdsToSpans(gotRows[i]!, TAGS).map((sp) => ({ ...sp, text: dev[i]!.text.slice(sp.start, sp.end) })),
    ),
  );
  // A text longer than the window is tagged in windows and joined.
  const long = dev
    .slice(0, 4)
    .map((e) => e.text)
    .join('。');
  const [joined] = await ner.predict([long]);
  assert.ok(joined!.length >= 4 && joined!.every((e) => long.slice(e.start, e.end) === e.text));
  await ner.release();
}

/** The tiny model, tokenizer and method both learning tests train (seeded; `extra` adds LAC tag features). */
function learningSetup(extra: { lacTags?: { tags: readonly string[]; size: number } } = {}) {
  const model = BertModel.create(CONFIG, {}, 3);
  const tokenizer = tinyTokenizer();
  const method = new TokenClassificationMethod({
    model,
    tokenizer,
    tags: TAGS,
    maxSeqLen: 48,
    lr: 3e-3,
    headLr: 1e-2,
    seed: 5,
    ...extra,
  });
  return { model, tokenizer, method };
}

test('token classification learns a lexical NER task; the exported bundle tags as tfjs does', async () => {
  const { model, tokenizer, method } = learningSetup();
  const train = synthetic(96, 1);
  const dev = synthetic(24, 2);
  await new Trainer(method, { maxSteps: 60, batchSize: 16, seed: 1, progress: false }).fit(train, []);
  const tagged = method.tag(dev);
  const f1 = entityF1(
    dev.map((e) => e.entities),
    tagged.map((ids) => strictSpans(ids)),
  ).f1;
  assert.ok(f1 >= 0.9, `dev entity F1 ${f1.toFixed(3)} < 0.9`);

  const run = join(root, 'run');
  await writeRun(run, model, tokenizer, method, { kind: 'token-classification', tags: TAGS, maxSeqLen: 48 });
  writeFileSync(join(run, 'metrics.json'), JSON.stringify({ f1 }));
  for (const precision of ['fp32', 'int8'] as const) await checkExportedTagger(run, precision, tokenizer, dev, tagged);
  assert.ok(
    statSync(join(root, 'bundle-int8', 'model.onnx')).size < statSync(join(root, 'bundle-fp32', 'model.onnx')).size / 2,
  );
  method.dispose();
  model.dispose();
});

test('bad setups fail clearly', () => {
  const model = BertModel.create(CONFIG, {}, 3);
  const tokenizer = tinyTokenizer();
  assert.throws(
    () => new TokenClassificationMethod({ model, tokenizer, tags: ['B-x', 'O'], maxSeqLen: 48, lr: 1e-3, seed: 1 }),
    ConfigError,
  );
  assert.throws(
    () => new TokenClassificationMethod({ model, tokenizer, tags: TAGS, maxSeqLen: 2, lr: 1e-3, seed: 1 }),
    /maxSeqLen must be at least 3/,
  );
  model.dispose();
});

/** Span → entity-F1 of argmax tag ids (lenient BIO, as the runtime decodes). */
function f1Of(gold: readonly NerExample[], tagged: readonly number[][]): number {
  return entityF1(
    gold.map((e) => e.entities),
    tagged.map((ids) => tagIdsToSpans(ids, TAGS)),
  ).f1;
}

/**
 * Stand-in LAC tags for the learning test: B/I of the entity type, else O (the only cue: entities are filler
 * characters).
 */
const FAKE_LAC = new LacCharTagVocab(['name-B', 'name-I', 'address-B', 'address-I', 'O']);
function withFakeLac(examples: NerExample[]): TokenExample[] {
  return examples.map((e) => {
    const tags = Array.from(e.text, () => 'O');
    for (const s of e.entities)
      for (let i = s.start; i < s.end; i++) tags[i] = `${s.type}-${i === s.start ? 'B' : 'I'}`;
    return { ...e, lacTagIds: FAKE_LAC.ids(tags) };
  });
}

test('LAC tag features: entities only the tags reveal are learned; examples without tag ids are refused', async () => {
  const { model, method } = learningSetup({ lacTags: { tags: FAKE_LAC.tags, size: 8 } });
  // Names and places made of filler characters: nothing lexical tells them apart from the text around them.
  const opaque = (n: number, seed: number) =>
    withFakeLac(synthetic(n, seed, ['我们', '看到', '很多人'], ['那里', '说话', '今天去']));
  const dev = opaque(24, 2);
  await new Trainer(method, { maxSteps: 60, batchSize: 16, seed: 1, progress: false }).fit(opaque(96, 1), []);
  const f1 = f1Of(dev, method.tag(dev));
  assert.ok(f1 >= 0.9, `dev entity F1 ${f1.toFixed(3)} < 0.9`);
  assert.throws(
    () => method.makeBatch(synthetic(2, 3)),
    (e: Error) => e instanceof ConfigError && /has no lacTagIds/.test(e.message),
  );
  assert.throws(() => method.makeBatch([{ ...dev[0]!, lacTagIds: [2] }]), /1 LAC tag ids for \d+ characters/);
  assert.throws(
    () => method.makeBatch([{ ...dev[0]!, lacTagIds: dev[0]!.lacTagIds!.map(() => 99) }]),
    /integers in \[0, 7\)/,
  );
  method.dispose();
  model.dispose();
});

test('a training step and tagging leave no tensors behind, nor does the method once disposed (±LAC tags)', async () => {
  for (const lacTags of [undefined, { tags: FAKE_LAC.tags, size: 4 }]) {
    const model = BertModel.create(CONFIG, {}, 3);
    const created = tf.memory().numTensors;
    const method = new TokenClassificationMethod({
      model,
      tokenizer: tinyTokenizer(),
      tags: TAGS,
      maxSeqLen: 48,
      lr: 1e-3,
      seed: 1,
      ...(lacTags ? { lacTags } : {}),
    });
    const examples = withFakeLac(synthetic(4, 7));
    const before = tf.memory().numTensors;
    const batch = method.makeBatch(examples);
    const { value, grads } = tf.variableGrads(() => method.loss(batch, 3));
    tf.dispose([value, ...Object.values(grads)]);
    method.scores(batch);
    method.disposeBatch(batch);
    method.tag(examples);
    assert.equal(tf.memory().numTensors, before, lacTags ? 'with LAC tags' : 'without');
    method.dispose();
    assert.equal(tf.memory().numTensors, created, `${lacTags ? 'with' : 'without'} LAC tags: the method's own weights`);
    model.dispose();
  }
});

/** A method that reads LAC tags, its tag layer given unit-scale weights so that the LAC columns move the scores. */
function unitScaleLacMethod(
  model: BertModel,
  tokenizer: BertTokenizer,
  lacTags: { tags: readonly string[]; size: number },
): TokenClassificationMethod {
  const method = new TokenClassificationMethod({
    model,
    tokenizer,
    tags: TAGS,
    maxSeqLen: 24,
    lr: 1e-3,
    seed: 2,
    lacTags,
  });
  const weights = method.snapshot();
  const w = weights.get('method.classifier.weight')!;
  weights.set('method.classifier.weight', {
    dtype: 'float32',
    shape: w.shape,
    data: Float32Array.from({ length: w.data.length }, (_, i) => Math.sin(1.7 * i)),
  });
  method.restore(weights);
  return method;
}

/**
 * The bundle's scores of `rows` with the examples' LAC ids equal `reference` (tfjs, FP32) and change without them;
 * tagging rows without LAC ids, or with too few, is refused.
 */
async function checkLacScores(
  ner: TokenClassifier,
  rows: number[][],
  examples: TokenExample[],
  reference: Float32Array,
): Promise<void> {
  const got = await ner.scoreRows(
    rows,
    examples.map((e) => e.lacTagIds!),
  );
  const flat = Float32Array.from(got.flatMap((r) => Array.from(r)));
  assert.equal(flat.length, reference.length);
  const maxDiff = flat.reduce((m, x, i) => Math.max(m, Math.abs(x - reference[i]!)), 0);
  assert.ok(maxDiff < 1e-4, `max |Δ| ${maxDiff}`);
  // Without the LAC columns the scores differ: the graph reads its lac_tag_ids input.
  const zeroed = await ner.scoreRows(rows.slice(0, 1), [rows[0]!.map(() => 1)]);
  assert.ok(zeroed[0]!.some((x, i) => Math.abs(x - got[0]![i]!) > 1e-3));
  await assert.rejects(ner.tagRows(rows), (e: Error) => e instanceof ConfigError && /reads LAC tags/.test(e.message));
  await assert.rejects(ner.tagRows(rows.slice(0, 1), 'argmax', [[2]]), /lacTagIds\[0\]: 1 ids/);
}

/** predict runs LAC itself: the same entities as tagging with the ids computed here, also across windows. */
async function checkLacPredict(
  ner: TokenClassifier,
  rows: number[][],
  examples: TokenExample[],
  texts: string[],
): Promise<void> {
  const tagged = await ner.tagRows(
    rows,
    'viterbi',
    examples.map((e) => e.lacTagIds!),
  );
  const predicted = await ner.predict(texts);
  texts.forEach((t, i) =>
    assert.deepEqual(
      predicted[i],
      tagIdsToSpans(tagged[i]!, TAGS).map((sp) => ({ ...sp, text: t.slice(sp.start, sp.end) })),
    ),
  );
  const long = texts.slice(0, 3).join('。');
  const [joined] = await ner.predict([long]);
  assert.ok(joined!.every((e) => long.slice(e.start, e.end) === e.text));
}

/** A bundle.json that drops lacTags no longer matches its graph. */
async function checkManifestWithoutLacTags(bundle: string): Promise<void> {
  const manifestFile = join(bundle, 'bundle.json');
  const { lacTags: _dropped, ...plain } = JSON.parse(readFileSync(manifestFile, 'utf8')) as Record<string, unknown>;
  writeFileSync(manifestFile, JSON.stringify(plain));
  await assert.rejects(
    loadTokenClassifier(bundle),
    (e: Error) => e instanceof BundleError && /has no lacTags but the graph has a lac_tag_ids input/.test(e.message),
  );
}

test('LAC tag features in a bundle: ONNX Runtime scores = tfjs (FP32); the runtime tags with LAC itself', async () => {
  const lac = await Lac.load(undefined, { workers: 0 });
  const vocab = new LacCharTagVocab(lac.vocab.tags);
  const model = BertModel.create(CONFIG, {}, 11);
  const tokenizer = tinyTokenizer();
  const lacTags = { tags: lac.vocab.tags, size: 6 };
  const method = unitScaleLacMethod(model, tokenizer, lacTags);
  const texts = synthetic(8, 4).map((e) => e.text.slice(0, 22)); // within one window (maxSeqLen − 2)
  const examples: TokenExample[] = (await vocab.textIds(lac, texts)).map((lacTagIds, id) => ({
    id,
    text: texts[id]!,
    entities: [],
    lacTagIds,
  }));
  const batch = method.makeBatch(examples);
  const reference = tf.tidy(() => method.logits(batch, false, 0).dataSync() as Float32Array);
  method.disposeBatch(batch);
  const run = join(root, 'run-lac');
  await writeRun(run, model, tokenizer, method, { kind: 'token-classification', tags: TAGS, maxSeqLen: 24, lacTags });
  try {
    const bundle = join(root, 'bundle-lac');
    const manifest = await exportTokenBundle(run, bundle, { precision: 'fp32' });
    assert.deepEqual(manifest.lacTags, lacTags);
    const ner = await loadTokenClassifier(bundle, { lac });
    assert.deepEqual(ner.lacVocab?.tags, lac.vocab.tags);
    const rows = texts.map((t) => charTokenIds(tokenizer, Array.from(t)));
    await checkLacScores(ner, rows, examples, reference);
    await checkLacPredict(ner, rows, examples, texts);
    await ner.release();
    // INT8 with LAC features loads and runs (own LAC, loaded on first use and closed by release).
    await exportTokenBundle(run, join(root, 'bundle-lac-int8'), { precision: 'int8' });
    const int8 = await loadTokenClassifier(join(root, 'bundle-lac-int8'));
    assert.equal((await int8.predict(texts.slice(0, 2))).length, 2);
    await int8.release();
    await checkManifestWithoutLacTags(bundle);
  } finally {
    method.dispose();
    model.dispose();
    await lac.close();
  }
});
