import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initBackend } from '../../../framework/backend/select.js';
import { BertModel } from '../../../framework/model/bert.js';
import { savePretrained } from '../../../framework/model/pretrained.js';
import { BertTokenizer } from '../../../framework/tokenizer/index.js';
import { TINY_RANDOM_CONFIG } from '../../testing/synthetic-task.js';

const VOCAB = fileURLToPath(new URL('../../../models/vocab/bert-base-chinese/vocab.txt', import.meta.url));

/** The FewCLUE fixtures (a few examples per task, split 0 and few_all): a `dataDir` for fast suite tests. */
export const FIXTURES_DIR = fileURLToPath(new URL('../../../datasets/fewclue/fixtures', import.meta.url));

/**
 * Saves a tiny random BERT (2 layers, hidden 32) over the real bert-base-chinese vocabulary into a fresh
 * temp dir, in HF layout, so suite tests run real jobs (every FewCLUE task tokenizes) in seconds.
 * @example const dir = await saveTinyModel(); // → '/tmp/fewprompt-tiny-XXXX'
 */
export async function saveTinyModel(): Promise<string> {
  await initBackend();
  const dir = mkdtempSync(join(tmpdir(), 'fewprompt-tiny-'));
  const model = BertModel.create(TINY_RANDOM_CONFIG, { pooler: true, mlmHead: true }, 7);
  savePretrained(model, dir);
  model.dispose();
  await BertTokenizer.fromVocabFile(VOCAB).save(dir);
  return dir;
}

/** Train fields that keep one suite job to a second or two. */
export const TINY_TRAIN = { maxSteps: 2, batchSize: 4, maxSeqLen: 64, evalBatchSize: 16, maxTestExamples: 16 } as const;
