import { test } from 'vitest';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend } from '../../../framework/backend/select.js';
import { tf } from '../../../framework/backend/tf.js';
import { BertModel } from '../../../framework/model/bert.js';
import { BERT_DEFAULTS, type BertConfig } from '../../../framework/model/config.js';
import { BertTokenizer } from '../../../framework/tokenizer/index.js';
import { Trainer } from '../../../framework/trainer/trainer.js';
import { writeParserBundle } from './bundle.js';
import { decodeTree } from './decode.js';
import { ParseFeaturizer } from './features.js';
import { DependencyParser } from './parser.js';
import type { ParserHeadConfig } from './head.js';
import { TagVocab } from './word-tags.js';
import { BiaffineParser, type ParseBucket } from './biaffine.js';

const WORDS = ['甲', '乙', '丙', '丁', '戊'];
const VOCAB = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', ...WORDS];
const CONFIG: BertConfig = {
  ...BERT_DEFAULTS,
  vocabSize: VOCAB.length,
  hiddenSize: 32,
  numHiddenLayers: 2,
  numAttentionHeads: 2,
  intermediateSize: 64,
  maxPositionEmbeddings: 64,
  hiddenDropoutProb: 0,
  attentionProbsDropoutProb: 0,
};
const HEAD: ParserHeadConfig = { arcSize: 16, relSize: 8, labels: ['first', 'other', 'root'] };

/** A toy language: word 1 is the root, every other word depends on the word before it; labels by word. */
function toy(count: number, seed: number): { words: string[]; heads: number[]; rels: number[] }[] {
  let s = seed;
  const rand = () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
  return Array.from({ length: count }, () => {
    const n = 2 + Math.floor(rand() * 7);
    const words = Array.from({ length: n }, () => WORDS[Math.floor(rand() * WORDS.length)]!);
    return { words, heads: words.map((_, i) => i), rels: words.map((w, i) => (i === 0 ? 2 : w === '甲' ? 0 : 1)) };
  });
}

/** Tags of the tagged head: a word's tag is whether it is 甲. */
const TAGS = new TagVocab(['jia', 'other']);
const tagsOf = (words: readonly string[]) => TAGS.ids(words.map((w) => (w === '甲' ? 'jia' : 'other')));

function buckets(
  featurizer: ParseFeaturizer,
  data: ReturnType<typeof toy>,
  size: number,
  tagged = false,
): ParseBucket[] {
  const out: ParseBucket[] = [];
  for (let i = 0; i < data.length; i += size) {
    const chunk = data.slice(i, i + size);
    out.push({
      rows: chunk.map((d) => featurizer.row(d.words, tagged ? tagsOf(d.words) : undefined)),
      heads: chunk.map((d) => [0, ...d.heads]),
      rels: chunk.map((d) => [0, ...d.rels]),
    });
  }
  return out;
}

/** With LAC-style word tags and the distance bias. */
const TAGGED_HEAD: ParserHeadConfig = { ...HEAD, tags: TAGS.tags, tagSize: 4, maxDistance: 3 };

async function setup(
  seed = 3,
  head: ParserHeadConfig = HEAD,
): Promise<{ parser: BiaffineParser; featurizer: ParseFeaturizer; tokenizer: BertTokenizer }> {
  await initBackend();
  const tokenizer = BertTokenizer.fromVocab(VOCAB);
  const featurizer = new ParseFeaturizer(tokenizer, 32);
  const model = BertModel.create(CONFIG, { pooler: false, mlmHead: false }, seed);
  return {
    parser: new BiaffineParser(model, featurizer, { head, lr: 3e-3, headLr: 1e-2, seed }),
    featurizer,
    tokenizer,
  };
}

test('learns a toy treebank through the Trainer (UAS and LAS ≥ 95% on held-out sentences)', async () => {
  const { parser, featurizer } = await setup();
  await new Trainer(parser, { epochs: 12, batchSize: 1, seed: 1, progress: false }).fit(
    buckets(featurizer, toy(160, 5), 16),
    [],
  );
  const heldOut = toy(40, 99);
  const [bucket] = buckets(featurizer, heldOut, heldOut.length) as [ParseBucket];
  const batch = parser.makeBatch([bucket]);
  const { arc, rel } = parser.parseScores(batch);
  let uas = 0,
    las = 0,
    total = 0;
  heldOut.forEach((d, b) => {
    const t = decodeTree(arc, rel, { b, nodes: batch.nodes, labels: HEAD.labels.length, words: d.words.length });
    d.heads.forEach((h, i) => {
      total++;
      if (t.heads[i] === h) {
        uas++;
        if (t.rels[i] === d.rels[i]) las++;
      }
    });
  });
  parser.disposeBatch(batch);
  assert.ok(uas / total >= 0.95, `UAS ${uas}/${total}`);
  assert.ok(las / total >= 0.95, `LAS ${las}/${total}`);
  parser.model.dispose();
  parser.dispose();
});

test(`with word tags and the distance bias: learns the toy treebank too; \
a tagged head refuses rows without tags`, async () => {
  const { parser, featurizer } = await setup(3, TAGGED_HEAD);
  await new Trainer(parser, { epochs: 12, batchSize: 1, seed: 1, progress: false }).fit(
    buckets(featurizer, toy(160, 5), 16, true),
    [],
  );
  const heldOut = toy(40, 99);
  const [bucket] = buckets(featurizer, heldOut, heldOut.length, true) as [ParseBucket];
  const batch = parser.makeBatch([bucket]);
  const { arc, rel } = parser.parseScores(batch);
  let las = 0,
    total = 0;
  heldOut.forEach((d, b) => {
    const t = decodeTree(arc, rel, { b, nodes: batch.nodes, labels: HEAD.labels.length, words: d.words.length });
    d.heads.forEach((h, i) => {
      total++;
      if (t.heads[i] === h && t.rels[i] === d.rels[i]) las++;
    });
  });
  parser.disposeBatch(batch);
  assert.ok(las / total >= 0.95, `LAS ${las}/${total}`);
  // The distance bias learned to prefer the previous word (h − d = −1) over the next (+1).
  const bias = parser.own.get('parser.arc_distance')!.dataSync();
  assert.ok(
    bias[3 - 1]! > bias[3 + 1]!,
    `bias ${Array.from(bias)
      .map((x) => x.toFixed(2))
      .join(' ')}`,
  );
  const [untagged] = buckets(featurizer, heldOut.slice(0, 2), 2) as [ParseBucket];
  assert.throws(() => parser.makeBatch([untagged]), /reads word tags/);
  parser.model.dispose();
  parser.dispose();
});

test('a training step and scoring leave no tensors behind', async () => {
  for (const head of [HEAD, TAGGED_HEAD]) {
    const { parser, featurizer } = await setup(3, head);
    const [bucket] = buckets(featurizer, toy(4, 1), 4, head.tags !== undefined) as [ParseBucket];
    const before = tf.memory().numTensors;
    const batch = parser.makeBatch([bucket]);
    const { value, grads } = tf.variableGrads(() => parser.loss(batch, 7));
    tf.dispose([value, ...Object.values(grads)]);
    parser.parseScores(batch);
    parser.disposeBatch(batch);
    assert.equal(tf.memory().numTensors, before);
    parser.model.dispose();
    parser.dispose();
  }
});

for (const [what, head] of [
  ['plain', HEAD],
  ['word tags + distance bias', TAGGED_HEAD],
] as [string, ParserHeadConfig][]) {
  test(`the exported bundle (ONNX Runtime) gives the tfjs scores and the same trees (${what})`, async () => {
    const tagged = head.tags !== undefined;
    const { parser, featurizer, tokenizer } = await setup(8, head);
    // Non-zero biaffine weights, so the comparison covers them.
    for (const [name, v] of parser.own)
      if (name.includes('biaffine') || name === 'parser.arc_distance')
        v.assign(tf.randomNormal(v.shape, 0, 0.5, 'float32', 4));
    const data = toy(6, 2);
    const [bucket] = buckets(featurizer, data, data.length, tagged) as [ParseBucket];
    const batch = parser.makeBatch([bucket]);
    const reference = parser.parseScores(batch);
    parser.disposeBatch(batch);
    const dir = mkdtempSync(join(tmpdir(), 'fewprompt-parser-'));
    try {
      const manifest = await writeParserBundle(dir, {
        config: CONFIG,
        weights: parser.snapshot(),
        head,
        tokenizer,
        maxTokens: 32,
        precision: 'fp32',
        source: { test: true },
      });
      assert.equal(manifest.maxTokens, 32);
      const runtime = await DependencyParser.load(dir);
      const got = await runtime.scores(
        runtime.featurizer.batch(
          data.map((d) => runtime.featurizer.row(d.words, tagged ? tagsOf(d.words) : undefined)),
        ),
      );
      assert.equal(got.arc.length, reference.arc.length);
      assert.equal(got.rel.length, reference.rel.length);
      // tfjs masks padding heads with -1e9 (for its loss); the graph leaves that to the decoder.
      const maxDiff = (a: Float32Array, b: Float32Array) =>
        a.reduce((m, x, i) => (b[i]! < -1e8 ? m : Math.max(m, Math.abs(x - b[i]!))), 0);
      assert.ok(maxDiff(got.arc, reference.arc) < 1e-3, `arc max |Δ| ${maxDiff(got.arc, reference.arc)}`);
      assert.ok(maxDiff(got.rel, reference.rel) < 1e-3, `rel max |Δ| ${maxDiff(got.rel, reference.rel)}`);
      const tags = data.map((d) => d.words.map((w) => (w === '甲' ? 'jia' : 'other')));
      const parses = await runtime.parse(
        data.map((d) => d.words),
        { batchSize: 4, ...(tagged ? { tags } : {}) },
      );
      data.forEach((d, b) => {
        const t = decodeTree(reference.arc, reference.rel, {
          b,
          nodes: batch.nodes,
          labels: HEAD.labels.length,
          words: d.words.length,
        });
        assert.deepEqual(parses[b]!.heads, t.heads);
        assert.deepEqual(
          parses[b]!.deprels,
          t.rels.map((r) => HEAD.labels[r]!),
        );
      });
      assert.deepEqual(await runtime.parse([[]], tagged ? { tags: [[]] } : {}), [{ heads: [], deprels: [] }]);
      const long = Array.from({ length: 40 }, () => '甲');
      await assert.rejects(
        runtime.parse([long], tagged ? { tags: [long.map(() => 'jia')] } : {}),
        /needs more than 32 tokens/,
      );
      if (tagged)
        await assert.rejects(runtime.parse([['甲', '乙']], { tags: [['jia']] }), /tags\[0\]: 1 tags for 2 words/);
      await runtime.release();
    } finally {
      rmSync(dir, { recursive: true, force: true });
      parser.model.dispose();
      parser.dispose();
    }
  });
}
