/**
 * One-time conversion of a PaddlePaddle LAC directory into the project's model format
 * (`lac.json` + `lac.bin` + `word.dic` + `tag.dic` + licence notice).
 */
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { basename, join, resolve } from 'node:path';
import { homedir } from 'node:os';
import { CheckpointError } from '../../../framework/errors.js';
import { log } from '../../../framework/log.js';
import { importPaddleLac, isPaddleLacDir } from './paddle-import.js';
import { saveLacWeights, type StorageDtype } from './weights.js';

/** Storage policy: everything F16, everything F32, or F16 embedding with F32 elsewhere. */
export type ConvertDtype = StorageDtype | 'mixed';

/**
 * Converts `from` (PaddlePaddle layout) into `to`. Returns the tensor count.
 * @example
 * convertPaddleLac('../shared/models/lac_small', 'inference/taskflow/lexical-analysis/model', 'f16'); // 22
 */
export function convertPaddleLac(from: string, to: string, dtype: ConvertDtype = 'f16'): number {
  if (!isPaddleLacDir(from))
    throw new CheckpointError(
      `${from}: not a PaddlePaddle LAC directory (expected model_baseline/crfw, word.dic, tag.dic)`,
    );
  const weights = importPaddleLac(from);
  const pick = (name: string): StorageDtype => (dtype === 'mixed' ? (name === 'embedding' ? 'f16' : 'f32') : dtype);
  saveLacWeights(
    to,
    weights,
    `converted from ${basename(resolve(from))} (PaddlePaddle LoDTensor files) by fewprompt`,
    pick,
  );
  const copy = (file: string) => {
    copyFileSync(join(from, file), join(to, file));
    chmodSync(join(to, file), 0o644);
  };
  for (const file of ['word.dic', 'tag.dic']) copy(file);
  for (const file of readdirSync(from)) if (/^(COPYRIGHT|LICEN[CS]E)/i.test(file)) copy(file);
  return 4 * 2 * weights.layers.length + 6;
}

/** Default cache root for converted models: `$FEWPROMPT_HOME` or `~/.fewprompt`. */
export function defaultHomePath(): string {
  return process.env['FEWPROMPT_HOME'] ?? join(homedir(), '.fewprompt');
}

/**
 * A directory in our format for `taskPath`: itself when it already holds `lac.json`, else (for a
 * PaddlePaddle layout) a conversion cached under `homePath/taskflow/lac/`, made on first use and
 * keyed by the source files' sizes and modification times.
 * @example
 * resolveLacModelDir('../shared/models/lac_small', '/tmp/home'); // '/tmp/home/taskflow/lac/lac_small-3f2a9c1e'
 */
export function resolveLacModelDir(taskPath: string, homePath = defaultHomePath()): string {
  if (existsSync(join(taskPath, 'lac.json'))) return taskPath;
  if (!isPaddleLacDir(taskPath)) {
    throw new CheckpointError(
      `${taskPath}: neither a converted LAC model (lac.json) nor a PaddlePaddle LAC directory (model_baseline/crfw)`,
    );
  }
  const hash = createHash('sha256');
  for (const dir of [taskPath, join(taskPath, 'model_baseline')]) {
    for (const file of readdirSync(dir).sort()) {
      const s = statSync(join(dir, file));
      if (s.isFile()) hash.update(`${file}:${s.size}:${s.mtimeMs};`);
    }
  }
  const target = join(homePath, 'taskflow', 'lac', `${basename(resolve(taskPath))}-${hash.digest('hex').slice(0, 8)}`);
  if (!existsSync(join(target, 'lac.json'))) {
    log.info(`converting ${taskPath} into ${target} (once)`);
    mkdirSync(target, { recursive: true });
    convertPaddleLac(taskPath, target, 'f32');
  }
  return target;
}
