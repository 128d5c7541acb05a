/**
 * A from-scratch starting model for `fewprompt pretrain --init`, with its character embeddings taken from
 * Baidu LAC's pretrained ones (issue 4's "initialising character embeddings from the pretrained LAC model"),
 * or the same model without them (`--control`) for a side-by-side run.
 *
 * LAC's table is [20,941 characters, 128]; our encoder is wider (hidden 256 by default). Each BERT vocabulary
 * entry that is one character (or `##` + one character) LAC knows gets LAC's row times a fixed random
 * projection with orthonormal rows (128 → hidden: distances and angles between characters are kept),
 * rescaled to the root-mean-square of BERT's initialisation (std `initializer_range`); the rest (special
 * tokens, word pieces, characters LAC lacks) keep the random initialisation. Both models share the seed, so
 * everything else — the encoder layers, positions, the other rows — is identical. The MLM decoder is tied to
 * the table, so the output side starts from LAC's geometry too.
 *
 *   npx tsx scripts/lac-embedding-init.ts --out runs/lac-init/lac-model
 *   npx tsx scripts/lac-embedding-init.ts --out runs/lac-init/control-model --control
 *
 * Options: --vocab FILE [models/vocab/bert-base-chinese/vocab.txt] --lac DIR [the shipped LAC] --layers 4 --hidden 256
 * --heads 4 --ffn 1024 --seed 42.
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { tf } from '../framework/backend/tf.js';
import { initBackend } from '../framework/backend/select.js';
import { ConfigError } from '../framework/errors.js';
import { BertModel } from '../framework/model/bert.js';
import { BERT_DEFAULTS, type BertConfig } from '../framework/model/config.js';
import { savePretrained } from '../framework/model/pretrained.js';
import { readVocab } from '../framework/pretrain/vocab.js';
import { SeededRandom } from '../framework/random.js';
import { numberFlag } from '../experiments/cli/flags.js';
import { SHIPPED_LAC_MODEL } from '../inference/taskflow/lexical-analysis/lac.js';
import { LacVocab } from '../inference/taskflow/lexical-analysis/vocab.js';
import { loadLacWeights } from '../inference/taskflow/lexical-analysis/weights.js';

const { values } = parseArgs({
  options: {
    out: { type: 'string' },
    control: { type: 'boolean', default: false },
    vocab: { type: 'string', default: 'models/vocab/bert-base-chinese/vocab.txt' },
    lac: { type: 'string', default: SHIPPED_LAC_MODEL },
    layers: { type: 'string', default: '4' },
    hidden: { type: 'string', default: '256' },
    heads: { type: 'string', default: '4' },
    ffn: { type: 'string', default: '1024' },
    seed: { type: 'string', default: '42' },
  },
});
if (values.out === undefined) throw new ConfigError('--out DIR is required');
const vocab = readVocab(values.vocab);
const config: BertConfig = {
  ...BERT_DEFAULTS,
  vocabSize: vocab.length,
  numHiddenLayers: numberFlag(values, 'layers'),
  hiddenSize: numberFlag(values, 'hidden'),
  numAttentionHeads: numberFlag(values, 'heads'),
  intermediateSize: numberFlag(values, 'ffn'),
};
const seed = numberFlag(values, 'seed');

await initBackend();
const model = BertModel.create(config, { pooler: false, mlmHead: true }, seed);
let mapped = 0;
if (!values.control) {
  const lac = loadLacWeights(values.lac);
  const lacVocab = LacVocab.fromDir(values.lac);
  const d = lac.config.embeddingDim;
  const h = config.hiddenSize;
  if (d > h) throw new ConfigError(`LAC's embeddings are ${d} wide, the model only ${h}`);
  const projection = orthonormalRows(d, h, seed + 7); // [d, h]
  const table = model.params.get('embeddings.word_embeddings.weight');
  const rows = table.dataSync() as Float32Array; // a copy: [vocab, h]
  const lacRows: { index: number; vector: Float32Array }[] = [];
  vocab.forEach((token, index) => {
    const char = token.startsWith('##') ? token.slice(2) : token;
    if ([...char].length !== 1) return;
    const id = lacVocab.encode([char])[0]!;
    if (id === lacVocab.oovId) return;
    const v = new Float32Array(h);
    for (let i = 0; i < d; i++) {
      const x = lac.embedding[id * d + i]!;
      if (x !== 0) for (let j = 0; j < h; j++) v[j] += x * projection[i * h + j]!;
    }
    lacRows.push({ index, vector: v });
  });
  // One scale for all rows: their root-mean-square becomes BERT's initialisation std.
  const rms = Math.sqrt(
    lacRows.reduce((s, r) => s + r.vector.reduce((a, x) => a + x * x, 0), 0) / (lacRows.length * h),
  );
  const scale = config.initializerRange / rms;
  for (const r of lacRows) for (let j = 0; j < h; j++) rows[r.index * h + j] = r.vector[j]! * scale;
  table.assign(tf.tensor2d(rows, [vocab.length, h]));
  mapped = lacRows.length;
}
mkdirSync(values.out, { recursive: true });
savePretrained(model, values.out, {
  metadata: {
    init: values.control ? 'random (control)' : `LAC character embeddings for ${mapped} of ${vocab.length} entries`,
  },
});
copyFileSync(values.vocab, join(values.out, 'vocab.txt'));
console.log(
  values.control
    ? `random model → ${values.out}`
    : `${mapped} of ${vocab.length} vocabulary rows from LAC → ${values.out}`,
);

/** A [d, h] matrix (d ≤ h) with orthonormal rows: Gram–Schmidt on seeded Gaussian rows. */
function orthonormalRows(d: number, h: number, s: number): Float32Array {
  const rng = new SeededRandom(s);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
  const m = new Float64Array(d * h).map(gauss);
  for (let i = 0; i < d; i++) {
    for (let k = 0; k < i; k++) {
      let dot = 0;
      for (let j = 0; j < h; j++) dot += m[i * h + j]! * m[k * h + j]!;
      for (let j = 0; j < h; j++) m[i * h + j] -= dot * m[k * h + j]!;
    }
    let norm = 0;
    for (let j = 0; j < h; j++) norm += m[i * h + j]! ** 2;
    norm = Math.sqrt(norm);
    for (let j = 0; j < h; j++) m[i * h + j] /= norm;
  }
  return Float32Array.from(m);
}
