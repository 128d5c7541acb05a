import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeSafetensors } from '../framework/checkpoint/safetensors.js';
import type { BertModel } from '../framework/model/bert.js';
import { savePretrained } from '../framework/model/pretrained.js';
import type { BertTokenizer } from '../framework/tokenizer/index.js';
import { labelWordsOf, type TaskDefinition } from '../datasets/base.js';
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
  // The prompt is pinned as resolved: exporting after a task's defaults change must use the words this run trained.
  const prompt = resolvedPrompt(config, task);
  writeFileSync(
    join(dir, 'method.json'),
    `${JSON.stringify(
      {
        kind: config.method,
        task: task.getConfig(),
        maxSeqLen: config.maxSeqLen,
        template: prompt.template,
        labels: task.labels,
        labelWords: prompt.labelWords,
        descriptions: prompt.descriptions,
      },
      null,
      2,
    )}\n`,
  );
}

/**
 * The prompt a run uses: its config's template, label words (PET, P-Tuning) and descriptions (EFL), each falling back
 * to the task's defaults for the method; fine-tuning records PET's template, as before. Multiple-choice tasks have no
 * fixed words (each example's candidates are used), so none are pinned.
 * @example resolvedPrompt({ method: 'pet' }, getTask('eprstmt')).labelWords; // → { Negative: ['不'], Positive: ['很'] }
 */
export function resolvedPrompt(
  config: Pick<ExperimentConfig, 'method' | 'template' | 'labelWords' | 'descriptions'>,
  task: TaskDefinition,
): {
  template: string;
  labelWords?: Record<string, string[]>;
  descriptions?: Record<string, string>;
} {
  if (config.method === 'efl') {
    const defaults = task.defaults.efl;
    const descriptions =
      config.descriptions ?? (Object.keys(defaults.descriptions).length > 0 ? { ...defaults.descriptions } : undefined);
    return { template: config.template ?? defaults.template, ...(descriptions ? { descriptions } : {}) };
  }
  const defaults = task.defaults[config.method === 'finetune' ? 'pet' : config.method];
  const labelWords =
    config.labelWords ??
    (config.method !== 'finetune' && Object.keys(defaults.verbalizer).length > 0
      ? labelWordsOf(defaults.verbalizer)
      : undefined);
  return { template: config.template ?? defaults.template, ...(labelWords ? { labelWords } : {}) };
}
