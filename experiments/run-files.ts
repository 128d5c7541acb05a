import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeSafetensors } from '../framework/checkpoint/safetensors.js';
import type { BertModel } from '../framework/model/bert.js';
import { savePretrained } from '../framework/model/pretrained.js';
import type { BertTokenizer } from '../framework/tokenizer/index.js';
import type { TaskDefinition } from '../datasets/base.js';
import type { ExperimentConfig } from './config/experiment.js';
import type { Method, MethodBatch } from './methods/base.js';

/** What a trained run leaves for `fewprompt export`: the encoder, the method's own weights and how it was built. */
export interface TrainedRun {
  model: BertModel;
  tokenizer: BertTokenizer;
  method: Method<MethodBatch>;
  config: ExperimentConfig;
  task: TaskDefinition;
}

/**
 * Writes `dir/model/` (HF layout + tokenizer), `dir/method.safetensors` (the method's parameters, when it has
 * any) and `dir/method.json` — the run directory layout `readRunSpec` / `fewprompt export` read.
 * @example
 * await writeTrainedRun('runs/pet', { model, tokenizer, method, config, task });
 */
export async function writeTrainedRun(dir: string, run: TrainedRun): Promise<void> {
  const { model, tokenizer, method, config, task } = run;
  mkdirSync(dir, { recursive: true });
  savePretrained(model, join(dir, 'model'));
  await tokenizer.save(join(dir, 'model'));
  const own = new Map([...method.snapshot()].filter(([k]) => k.startsWith('method.')));
  if (own.size > 0) writeSafetensors(join(dir, 'method.safetensors'), own);
  const defaults = task.defaults[config.method === 'finetune' ? 'pet' : config.method === 'efl' ? 'efl' : config.method];
  writeFileSync(join(dir, 'method.json'), `${JSON.stringify({
    kind: config.method, task: task.getConfig(), maxSeqLen: config.maxSeqLen, template: config.template ?? defaults.template, labels: task.labels,
    labelWords: config.labelWords, descriptions: config.descriptions,
  }, null, 2)}\n`);
}
