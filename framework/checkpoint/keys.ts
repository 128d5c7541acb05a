/**
 * State-dict key names. Checkpoints in the wild spell the same BERT weight many ways (`bert.` /
 * `ernie.` / `roberta.` prefixes, TF-era `gamma`/`beta`, `layer_norm`, RoBERTa's `lm_head`); inside
 * fewprompt every key is in one canonical form: Hugging Face BERT naming without the model prefix,
 * e.g. `encoder.layer.0.attention.self.query.weight`, `cls.predictions.transform.LayerNorm.weight`.
 */
import { CheckpointError } from '../errors.js';
import type { HostTensor } from './host-tensor.js';

/** Wrappers added by training harnesses (DataParallel's `module.`, Lightning-style `model.`); stripped repeatedly. */
const WRAPPER_PREFIXES = ['module.', 'model.'];
/** Base-model attribute names of the model families we read; one is stripped. */
const FAMILY_PREFIXES = ['bert.', 'ernie.', 'roberta.'];

/** RoBERTa / ERNIE `lm_head.*` → BERT `cls.predictions.*` (applied after LayerNorm spelling is fixed). */
const LM_HEAD_RENAMES: readonly [RegExp, string][] = [
  [/^lm_head\.dense\./, 'cls.predictions.transform.dense.'],
  [/^lm_head\.LayerNorm\./, 'cls.predictions.transform.LayerNorm.'],
  [/^lm_head\.decoder\./, 'cls.predictions.decoder.'],
  [/^lm_head\.bias$/, 'cls.predictions.bias'],
];

/**
 * Normalises one state-dict key to fewprompt's canonical BERT naming.
 *
 * @example
 * canonicalKey('bert.embeddings.LayerNorm.gamma'); // → 'embeddings.LayerNorm.weight'
 * canonicalKey('roberta.encoder.layer.0.output.dense.bias'); // → 'encoder.layer.0.output.dense.bias'
 * canonicalKey('lm_head.layer_norm.weight'); // → 'cls.predictions.transform.LayerNorm.weight'
 * canonicalKey('cls.predictions.decoder.weight'); // → 'cls.predictions.decoder.weight'
 */
export function canonicalKey(key: string): string {
  let k = key;
  for (let stripped = true; stripped; ) {
    const wrapper = WRAPPER_PREFIXES.find((p) => k.startsWith(p));
    stripped = wrapper !== undefined;
    if (wrapper) k = k.slice(wrapper.length);
  }
  const family = FAMILY_PREFIXES.find((p) => k.startsWith(p));
  if (family) k = k.slice(family.length);

  const parts = k.split('.').map((part) => (/^layer_?norm$/i.test(part) ? 'LayerNorm' : part));
  const n = parts.length;
  if (n >= 2 && parts[n - 2] === 'LayerNorm') {
    if (parts[n - 1] === 'gamma') parts[n - 1] = 'weight';
    if (parts[n - 1] === 'beta') parts[n - 1] = 'bias';
  }
  k = parts.join('.');
  for (const [pattern, replacement] of LM_HEAD_RENAMES) k = k.replace(pattern, replacement);
  return k;
}

/**
 * The key a canonical name has in a Hugging Face `BertForMaskedLM` checkpoint: heads (`cls.`,
 * `classifier.`) unprefixed, everything else under `bert.`.
 *
 * @example
 * bertForMaskedLMKey('encoder.layer.0.output.dense.bias'); // → 'bert.encoder.layer.0.output.dense.bias'
 * bertForMaskedLMKey('cls.predictions.bias'); // → 'cls.predictions.bias'
 */
export function bertForMaskedLMKey(canonical: string): string {
  return canonical.startsWith('cls.') || canonical.startsWith('classifier.') ? canonical : `bert.${canonical}`;
}

/**
 * Renames every key with `rename` (default `canonicalKey`); two source keys landing on one name is a
 * `CheckpointError` naming both (a silently dropped weight is worse than a failed load).
 *
 * @example
 * renameKeys(new Map([['bert.pooler.dense.bias', t]])); // → Map { 'pooler.dense.bias' → t }
 */
export function renameKeys(
  tensors: ReadonlyMap<string, HostTensor>,
  rename: (key: string) => string = canonicalKey,
  source = 'state dict',
): Map<string, HostTensor> {
  const out = new Map<string, HostTensor>();
  const origin = new Map<string, string>();
  for (const [key, tensor] of tensors) {
    const renamed = rename(key);
    const previous = origin.get(renamed);
    if (previous !== undefined) {
      throw new CheckpointError(`${source}: keys '${previous}' and '${key}' both map to '${renamed}'`);
    }
    origin.set(renamed, key);
    out.set(renamed, tensor);
  }
  return out;
}
