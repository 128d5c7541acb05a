import { existsSync } from 'node:fs';
import { packagePath } from '../package-paths.js';

/** The model fewprompt ships and uses when `--model` is not given (pretrained by `fewprompt pretrain`). */
export const DEFAULT_MODEL_NAME = 'fewprompt-zh-mini';

/** Absolute path of the shipped default model directory inside the package. */
export const DEFAULT_MODEL_DIR = packagePath('models', DEFAULT_MODEL_NAME);

/** `--model` as given, else the shipped default (when it is installed). */
export function modelOrDefault(model: string | undefined): string {
  if (model !== undefined && model !== '') return model;
  return DEFAULT_MODEL_DIR;
}

/** Whether the default model's files are present. */
export function hasDefaultModel(): boolean {
  return existsSync(`${DEFAULT_MODEL_DIR}/config.json`);
}
