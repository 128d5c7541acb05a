/**
 * `resolveModel`: turns a local path or a Hugging Face Hub id (`org/name`) into a local model
 * directory. Local directories are returned untouched; Hub ids are served from the cache when complete
 * (no network at all), else fetched file by file from `{endpoint}/{id}/resolve/{revision}/{file}`.
 */
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { WEIGHT_FILES } from '../checkpoint/state-dict.js';
import { ConfigError, DownloadError } from '../errors.js';
import { fewpromptHome, modelCacheDir, readMarker, writeMarker } from './cache.js';
import { downloadFile, type DownloadProgress } from './download.js';

/** Fetched when present; a 404 just means the model does not ship that file. */
const OPTIONAL_FILES = ['vocab.txt', 'tokenizer.json', 'tokenizer_config.json'] as const;
const HUB_ID = /^[A-Za-z0-9][\w.-]*\/[\w.-]+$/;

/** Options of `resolveModel`. */
export interface ResolveModelOptions {
  /** Cache root; default `$FEWPROMPT_HOME` or `~/.cache/fewprompt`. */
  home?: string;
  /** Hub base URL; default `$HF_ENDPOINT` or `https://huggingface.co`. */
  endpoint?: string;
  /** Branch, tag or commit; default `main`. */
  revision?: string;
  /** Extra files to fetch besides config, tokenizer files and weights (a 404 for one is an error). */
  files?: readonly string[];
  /** Bearer token; default `$HF_TOKEN` (or `$HUGGING_FACE_HUB_TOKEN`). */
  token?: string;
  /** Never use the network (also `HF_HUB_OFFLINE=1`): a cache miss is a `DownloadError`. */
  offline?: boolean;
  /** Download progress callback; default a stderr line per 10% for files over 10 MB. */
  onProgress?: (file: string, progress: DownloadProgress) => void;
}

/**
 * Resolves a model reference to a local directory holding `config.json`, the tokenizer files the model
 * has, and its weights (`model.safetensors`, else sharded safetensors, else `pytorch_model.bin`, else
 * sharded `.bin`).
 *
 * @example
 * await resolveModel('../shared/models/zh-mini-starter'); // → '../shared/models/zh-mini-starter' (as given)
 * await resolveModel('hfl/rbt3'); // → '/home/me/.cache/fewprompt/models/hfl--rbt3/main' (downloaded once)
 */
export async function resolveModel(idOrPath: string, options: ResolveModelOptions = {}): Promise<string> {
  if (existsSync(idOrPath)) {
    if (statSync(idOrPath).isDirectory()) return idOrPath;
    throw new ConfigError(
      `model path ${idOrPath} is a file; pass the directory that holds config.json and the weights`,
    );
  }
  if (!HUB_ID.test(idOrPath)) {
    throw new ConfigError(`model '${idOrPath}' is neither an existing directory nor a Hub id like 'org/name'`);
  }
  const revision = options.revision ?? 'main';
  const dir = modelCacheDir(fewpromptHome(options.home), idOrPath, revision);
  const extras = options.files ?? [];
  const badExtra = extras.find(
    (file) => !/^[\w-][\w.-]*(\/[\w-][\w.-]*)*$/.test(file) || file.split('/').includes('..'),
  );
  if (badExtra !== undefined)
    throw new ConfigError(`files: ${JSON.stringify(badExtra)} is not a relative file path inside the repo`);
  const marker = readMarker(dir);
  if (marker && extras.every((file) => marker.present.includes(file))) return dir;

  const offline = options.offline ?? process.env['HF_HUB_OFFLINE'] === '1';
  if (offline)
    throw new DownloadError(
      `model '${idOrPath}' (revision ${revision}) is not in the cache at ${dir}, and downloads are off (offline)`,
    );

  const endpoint = (options.endpoint ?? process.env['HF_ENDPOINT'] ?? 'https://huggingface.co').replace(/\/+$/, '');
  const token = options.token ?? process.env['HF_TOKEN'] ?? process.env['HUGGING_FACE_HUB_TOKEN'];
  const urlOf = (file: string) =>
    `${endpoint}/${idOrPath}/resolve/${encodeURIComponent(revision)}/` +
    file.split('/').map(encodeURIComponent).join('/');
  const present: string[] = [];
  const absent: string[] = [];
  const knownAbsent = new Set(marker?.absent ?? []);
  /** Fetches one file unless an earlier run left it whole (or found it absent); false = 404 on an optional file. */
  const fetch = async (file: string, optional: boolean): Promise<boolean> => {
    const dest = join(dir, file);
    const have =
      existsSync(dest) ||
      (!(optional && knownAbsent.has(file)) &&
        (await downloadFile(urlOf(file), dest, {
          optional,
          ...(token ? { token } : {}),
          ...(options.onProgress ? { onProgress: (p: DownloadProgress) => options.onProgress?.(file, p) } : {}),
        })));
    (have ? present : absent).push(file);
    return have;
  };

  mkdirSync(dir, { recursive: true });
  await fetch('config.json', false);
  for (const file of OPTIONAL_FILES) await fetch(file, true);
  for (const file of extras) {
    mkdirSync(join(dir, file, '..'), { recursive: true });
    await fetch(file, false);
  }
  await fetchWeights(dir, fetch, urlOf);
  writeMarker(dir, { id: idOrPath, revision, present, absent });
  return dir;
}

/** Weights in `WEIGHT_FILES` order; an index pulls in its shards. */
async function fetchWeights(
  dir: string,
  fetch: (file: string, optional: boolean) => Promise<boolean>,
  urlOf: (file: string) => string,
): Promise<void> {
  for (const file of WEIGHT_FILES) {
    if (!(await fetch(file, true))) continue;
    if (file.endsWith('.index.json')) for (const shard of shardsOf(join(dir, file))) await fetch(shard, false);
    return;
  }
  throw new DownloadError(`no weights at ${urlOf('')}: tried ${WEIGHT_FILES.join(', ')} (all 404)`);
}

function shardsOf(indexPath: string): string[] {
  let weightMap: unknown;
  try {
    const index: unknown = JSON.parse(readFileSync(indexPath, 'utf8'));
    weightMap = typeof index === 'object' && index !== null && 'weight_map' in index ? index.weight_map : undefined;
  } catch (error) {
    throw new DownloadError(`${indexPath}: not valid JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  if (typeof weightMap !== 'object' || weightMap === null)
    throw new DownloadError(`${indexPath}: missing "weight_map" object`);
  const shards = new Set<string>();
  for (const shard of Object.values(weightMap)) {
    if (typeof shard !== 'string' || !/^[\w.-]+$/.test(shard))
      throw new DownloadError(`${indexPath}: bad shard name ${JSON.stringify(shard)}`);
    shards.add(shard);
  }
  return [...shards];
}
