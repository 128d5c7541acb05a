import { fileURLToPath } from 'node:url';

/** The FewCLUE fixtures (a few examples per task, split 0 and few_all): a `dataDir` for fast experiment tests. */
export const FIXTURES_DIR = fileURLToPath(new URL('../../datasets/fewclue/fixtures', import.meta.url));

/** Train fields that keep one experiment (a suite job) on a tiny model to a second or two. */
export const TINY_TRAIN = { maxSteps: 2, batchSize: 4, maxSeqLen: 64, evalBatchSize: 16, maxTestExamples: 16 } as const;
