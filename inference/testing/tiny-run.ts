/**
 * Test support: tiny trained-run directories (random BERT over the real bert-base-chinese vocabulary,
 * laid out as `fewprompt train --out` writes them) and the tfjs scores the exported graph must match,
 * computed the way `PetMethod` / `FinetuneMethod` compute them.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tf, tidyRead } from '../../framework/backend/tf.js';
import { writeSafetensors } from '../../framework/checkpoint/safetensors.js';
import type { BertModel } from '../../framework/model/bert.js';
import { savePretrained } from '../../framework/model/pretrained.js';
import { dense } from '../../framework/ops/matmul.js';
import { createTinyModel, TINY_DECISIVE_CONFIG, tinyTokenizer } from '../../framework/testing/tiny-bert.js';
import type { BertTokenizer } from '../../framework/tokenizer/index.js';
import { PromptTemplate } from '../../templates/index.js';
import { ManualVerbalizer } from '../../verbalizers/index.js';
import {
  exportBundle,
  readRunSpec,
  type BundleManifest,
  type ClassifierHead,
  type GraphOptions,
} from '../export/bundle.js';
import { clsClassifierHead, maskedLmLabelHead } from '../export/heads.js';
import { METHOD_SPEC_VERSION } from '../export/method-spec.js';

export const TINY_TEMPLATE = "{'text': 'sentence'}这句话表示我{'mask'}满意。";
export const TINY_LABEL_WORDS = { Negative: ['不'], Positive: ['很'] };
export const TINY_LABELS = ['Negative', 'Positive'];

/**
 * Writes a run directory for `method` under `dir` on the decisive tiny BERT (framework/testing/tiny-bert.ts);
 * returns the (still live) model and tokenizer for reference scoring.
 */
export async function writeTinyRun(
  dir: string,
  method: 'pet' | 'finetune',
  seed = 1,
): Promise<{ model: BertModel; tokenizer: BertTokenizer; classifier?: { w: Float32Array; b: Float32Array } }> {
  const model = createTinyModel(seed, TINY_DECISIVE_CONFIG);
  const tokenizer = tinyTokenizer();
  savePretrained(model, join(dir, 'model'));
  await tokenizer.save(join(dir, 'model'));
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'method.json'),
    JSON.stringify({
      formatVersion: METHOD_SPEC_VERSION,
      kind: method,
      task: { type: 'eprstmt' },
      maxSeqLen: 48,
      labels: TINY_LABELS,
      textFields: ['sentence'],
      ...(method === 'pet' ? { template: TINY_TEMPLATE, labelWords: TINY_LABEL_WORDS } : {}),
    }),
  );
  writeFileSync(join(dir, 'metrics.json'), JSON.stringify({ testAccuracy: 0.5 }));
  if (method === 'pet') return { model, tokenizer };
  const h = TINY_DECISIVE_CONFIG.hiddenSize;
  const w = Float32Array.from({ length: h * 2 }, (_, i) => Math.sin(i * 1.7) * 0.5);
  const b = Float32Array.of(0.1, -0.1);
  writeSafetensors(
    join(dir, 'method.safetensors'),
    new Map([
      ['method.classifier.weight', { dtype: 'float32', shape: [h, 2], data: w }],
      ['method.classifier.bias', { dtype: 'float32', shape: [2], data: b }],
    ]),
  );
  return { model, tokenizer, classifier: { w, b } };
}

/**
 * Export heads for the tiny runs, from the same graph building blocks as PET's and fine-tuning's own heads
 * (experiments/methods/{pet,finetune}/head.ts, which inference/ may not import): inference's tests need bundles.
 */
const TINY_HEADS: Record<'pet' | 'finetune', ClassifierHead> = {
  pet: ({ spec, tokenizer }) => {
    const template = PromptTemplate.fromString(spec.template!, {
      requireMask: true,
      maxSeqLen: spec.maxSeqLen,
      tokenizer,
    });
    const verbalizer = new ManualVerbalizer({ labelWords: spec.labelWords!, numMasks: template.numMasks }, tokenizer);
    return { template, verbalizer, emit: (bert, hidden) => maskedLmLabelHead(bert, hidden, verbalizer, spec.labels) };
  },
  finetune: ({ spec, methodWeights }) => ({
    emit: (bert, hidden) => clsClassifierHead(bert, hidden, methodWeights, spec.labels.length),
  }),
};

/**
 * Exports a run written by {@link writeTinyRun} (or one with the same method.json) to `out`.
 * @example await exportTinyRun(join(root, 'run'), join(root, 'bundle'), { precision: 'int8' });
 */
export async function exportTinyRun(run: string, out: string, options: GraphOptions = {}): Promise<BundleManifest> {
  const spec = readRunSpec(run);
  return exportBundle(spec, TINY_HEADS[spec.kind as 'pet' | 'finetune'], out, options);
}

/** tfjs PET label scores [n, labels] (task label order), as `PetMethod.logits` in eval mode. */
export function tfjsPetScores(
  model: BertModel,
  tokenizer: BertTokenizer,
  texts: readonly string[],
  maxSeqLen: number,
  labelWords: Record<string, string[]> = TINY_LABEL_WORDS,
  template = TINY_TEMPLATE,
): number[][] {
  const t = PromptTemplate.fromString(template, { requireMask: true, maxSeqLen, tokenizer });
  const v = new ManualVerbalizer({ labelWords, numMasks: t.numMasks }, tokenizer);
  const c = t.collate(
    texts.map((text) => t.compile({ sentence: text }, tokenizer)),
    tokenizer.padId,
  );
  const int2d = (rows: number[][]) => tf.tensor2d(rows, [rows.length, rows[0]!.length], 'int32');
  return tidyRead(
    () => {
      const hidden = model.encode({
        inputIds: int2d(c.inputIds),
        tokenTypeIds: int2d(c.tokenTypeIds),
        attentionMask: int2d(c.attentionMask),
        positionIds: int2d(c.positionIds),
      });
      const scores = v.labelScoresFromHidden(model, hidden, int2d(c.maskPositions));
      return tf.gather(
        scores,
        tf.tensor1d(
          TINY_LABELS.map((l) => v.labelIndex(l)),
          'int32',
        ),
        1,
      );
    },
    (t) => t.arraySync() as number[][],
  );
}

/** tfjs fine-tuning logits [n, labels], as `FinetuneMethod.logits` in eval mode. */
export function tfjsFinetuneScores(
  model: BertModel,
  tokenizer: BertTokenizer,
  texts: string[],
  maxSeqLen: number,
  classifier: { w: Float32Array; b: Float32Array },
): number[][] {
  const enc = tokenizer.encodeBatch(texts, { maxLength: maxSeqLen, truncation: 'longest_first', padding: 'longest' });
  const int2d = (rows: number[][]) => tf.tensor2d(rows, [rows.length, rows[0]!.length], 'int32');
  return tidyRead(
    () => {
      const hidden = model.encode({
        inputIds: int2d(enc.map((e) => e.inputIds)),
        tokenTypeIds: int2d(enc.map((e) => e.tokenTypeIds)),
        attentionMask: int2d(enc.map((e) => e.attentionMask)),
      });
      const out = dense(
        model.pool(hidden),
        tf.tensor2d(classifier.w, [classifier.w.length / classifier.b.length, classifier.b.length]),
        tf.tensor1d(classifier.b),
      );
      return out;
    },
    (t) => t.arraySync() as number[][],
  );
}

/** A few reviews of mixed length (one long enough to be truncated at maxSeqLen 48). */
export const SAMPLE_TEXTS = [
  '很好用，物流也快',
  '质量太差了，不推荐购买',
  '一般般吧',
  '包装破损，客服态度还不错，总体满意',
  '这款手机的屏幕非常清晰，电池续航也很长。拍照效果出色！唯一的缺点是有点重；价格也偏高。总的来说还是值得购买的，推荐给大家。',
  '差评',
];
