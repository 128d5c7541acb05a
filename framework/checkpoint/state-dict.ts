/**
 * Whole-model state dicts in a Hugging Face model directory: find the weights file(s) in the usual
 * order of preference, read them (sharded or not), and normalise the keys; and the inverse, writing
 * a `model.safetensors` that PyTorch / transformers load as a `BertForMaskedLM`.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { isAbsolute, join, normalize } from 'node:path';
import { CheckpointError } from '../errors.js';
import type { FloatDiskDType } from './disk-dtype.js';
import type { HostTensor } from './host-tensor.js';
import { bertForMaskedLMKey, canonicalKey, renameKeys } from './keys.js';
import { readPytorchBin } from './pytorch-bin.js';
import { readSafetensors, writeSafetensors } from './safetensors.js';

/** Weight files `loadStateDict` looks for, in order of preference. */
export const WEIGHT_FILES = [
  'model.safetensors',
  'model.safetensors.index.json',
  'pytorch_model.bin',
  'pytorch_model.bin.index.json',
] as const;
export type WeightFile = (typeof WEIGHT_FILES)[number];

/**
 * The weights file `loadStateDict(dir)` would read, or `undefined` when there is none.
 *
 * @example
 * findWeightFile('../shared/models/zh-mini-starter'); // → 'model.safetensors'
 */
export function findWeightFile(dir: string): WeightFile | undefined {
  return WEIGHT_FILES.find((file) => existsSync(join(dir, file)));
}

/**
 * Loads the model weights in `dir` with keys normalised by `canonicalKey`. Looks for, in order,
 * `model.safetensors`, `model.safetensors.index.json` (shards), `pytorch_model.bin`,
 * `pytorch_model.bin.index.json`.
 *
 * @example
 * const sd = loadStateDict('../shared/models/zh-mini-starter');
 * sd.get('embeddings.word_embeddings.weight')?.shape; // → [21128, 256]
 * sd.has('cls.predictions.transform.dense.weight'); // → true
 */
export function loadStateDict(dir: string): Map<string, HostTensor> {
  const file = findWeightFile(dir);
  if (file === undefined) {
    let listing: string;
    try {
      listing = readdirSync(dir).join(', ') || 'nothing';
    } catch {
      throw new CheckpointError(`${dir}: not a readable directory`);
    }
    throw new CheckpointError(
      `${dir}: no weights found; looked for ${WEIGHT_FILES.join(', ')}; the directory holds ${listing}`,
    );
  }
  const path = join(dir, file);
  const raw = file.endsWith('.index.json')
    ? readSharded(dir, path, file.startsWith('model.safetensors') ? readSafetensors : readPytorchBin)
    : file === 'model.safetensors'
      ? readSafetensors(path)
      : readPytorchBin(path);
  return renameKeys(raw, canonicalKey, path);
}

function readSharded(
  dir: string,
  indexPath: string,
  read: (path: string) => Map<string, HostTensor>,
): Map<string, HostTensor> {
  let index: unknown;
  try {
    index = JSON.parse(readFileSync(indexPath, 'utf8'));
  } catch (error) {
    throw new CheckpointError(
      `${indexPath}: not valid JSON (${error instanceof Error ? error.message : String(error)})`,
    );
  }
  const weightMap = typeof index === 'object' && index !== null && 'weight_map' in index ? index.weight_map : undefined;
  if (typeof weightMap !== 'object' || weightMap === null || Array.isArray(weightMap)) {
    throw new CheckpointError(`${indexPath}: missing "weight_map" object`);
  }
  const byShard = new Map<string, string[]>();
  for (const [key, shard] of Object.entries(weightMap)) {
    if (typeof shard !== 'string' || isAbsolute(shard) || normalize(shard).startsWith('..')) {
      throw new CheckpointError(
        `${indexPath}: weight_map['${key}'] = ${JSON.stringify(shard)} is not a file inside the model directory`,
      );
    }
    byShard.set(shard, [...(byShard.get(shard) ?? []), key]);
  }
  const out = new Map<string, HostTensor>();
  for (const [shard, keys] of byShard) {
    const shardPath = join(dir, shard);
    if (!existsSync(shardPath))
      throw new CheckpointError(
        `${indexPath}: shard ${shard} is missing (holds ${keys.length} tensors, e.g. '${keys[0]}')`,
      );
    const tensors = read(shardPath);
    const absent = keys.filter((k) => !tensors.has(k));
    if (absent.length > 0)
      throw new CheckpointError(`${shardPath}: lacks tensors the index puts there: ${absent.join(', ')}`);
    for (const [key, tensor] of tensors) {
      if (out.has(key)) throw new CheckpointError(`${shardPath}: tensor '${key}' also appears in another shard`);
      out.set(key, tensor);
    }
  }
  return out;
}

/** Options of `saveStateDict`. */
export interface SaveStateDictOptions {
  /** Storage type of float tensors. Default 'F32'. */
  dtype?: FloatDiskDType;
  /** Extra safetensors metadata (`format: 'pt'` is always set). */
  metadata?: Record<string, string>;
}

/**
 * Writes `dir/model.safetensors` (atomically; `dir` is created) with keys in `BertForMaskedLM`
 * naming, so `BertForMaskedLM.from_pretrained(dir)` loads it. Keys may be in any spelling
 * `canonicalKey` understands. Returns the file path.
 *
 * @example
 * saveStateDict('/tmp/out', loadStateDict('../shared/models/zh-mini-starter'), { dtype: 'F16' });
 * // → '/tmp/out/model.safetensors', with keys like 'bert.embeddings.word_embeddings.weight', 'cls.predictions.bias'
 */
export function saveStateDict(
  dir: string,
  tensors: ReadonlyMap<string, HostTensor>,
  options: SaveStateDictOptions = {},
): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'model.safetensors');
  const renamed = renameKeys(tensors, (key) => bertForMaskedLMKey(canonicalKey(key)), path);
  writeSafetensors(path, renamed, { dtype: options.dtype ?? 'F32', metadata: options.metadata });
  return path;
}
