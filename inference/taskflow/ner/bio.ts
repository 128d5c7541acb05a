/**
 * The BIO tagging scheme of token-classification models: one tag per character, `B-<type>` opens an
 * entity, `I-<type>` continues it, `O` is outside. Spans are character offsets `[start, end)`.
 */
import { ConfigError } from '../../../framework/errors.js';

/** One decoded entity. */
export interface TaggedSpan {
  readonly start: number;
  readonly end: number;
  readonly type: string;
}

/**
 * The tag list for entity types: `O`, then `B-`/`I-` per type, in the given type order.
 * @example
 * bioTags(['name', 'address']); // ['O', 'B-name', 'I-name', 'B-address', 'I-address']
 */
export function bioTags(types: readonly string[]): string[] {
  return ['O', ...types.flatMap((t) => [`B-${t}`, `I-${t}`])];
}

/**
 * Tag ids of a sequence of `length` characters with the given entities (overlapping entities: the
 * earlier one wins, the later one is dropped).
 * @example
 * spansToTagIds(4, [{ start: 1, end: 3, type: 'name' }], bioTags(['name'])); // [0, 1, 2, 0]
 */
export function spansToTagIds(length: number, spans: readonly TaggedSpan[], tags: readonly string[]): number[] {
  const ids = new Array<number>(length).fill(0);
  const index = new Map(tags.map((t, i) => [t, i]));
  for (const s of spans) {
    if (s.start < 0 || s.end > length || s.start >= s.end)
      throw new ConfigError(`span [${s.start}, ${s.end}) does not fit a sequence of ${length}`);
    const b = index.get(`B-${s.type}`);
    const i = index.get(`I-${s.type}`);
    if (b === undefined || i === undefined)
      throw new ConfigError(`entity type '${s.type}' has no tags; tags: ${tags.join(', ')}`);
    if (ids.slice(s.start, s.end).some((t) => t !== 0)) continue;
    ids[s.start] = b;
    ids.fill(i, s.start + 1, s.end);
  }
  return ids;
}

/**
 * Entities of a tag-id sequence. An `I-x` that does not continue an `x` entity starts one (the
 * usual lenient reading of BIO, as seqeval's default).
 * @example
 * tagIdsToSpans([0, 1, 2, 0, 2], bioTags(['name']));
 * // [{ start: 1, end: 3, type: 'name' }, { start: 4, end: 5, type: 'name' }]
 */
export function tagIdsToSpans(ids: readonly number[], tags: readonly string[]): TaggedSpan[] {
  const spans: TaggedSpan[] = [];
  let open: { start: number; type: string } | undefined;
  const close = (end: number) => {
    if (open) spans.push({ start: open.start, end, type: open.type });
    open = undefined;
  };
  ids.forEach((id, pos) => {
    const tag = tags[id];
    if (tag === undefined) throw new ConfigError(`tag id ${id} at position ${pos} is outside the ${tags.length} tags`);
    if (tag === 'O') return close(pos);
    const type = tag.slice(2);
    if (tag.startsWith('B-') || open?.type !== type) {
      close(pos);
      open = { start: pos, type };
    }
  });
  close(ids.length);
  return spans;
}

/**
 * Best valid BIO tag sequence for per-character tag scores (row-major [length, tags], e.g. logits):
 * Viterbi over log-softmax scores where `I-x` may only follow `B-x` or `I-x` (never start a sequence).
 * Unlike the per-character argmax it cannot produce stray `I-` tags, the usual fix for a tagger without a CRF.
 * @example
 * viterbiTagIds(Float32Array.of(0, 0, 1, 0, 0, 2), 2, bioTags(['name']));
 * // [1, 2] (argmax would give the stray [2, 2])
 */
export function viterbiTagIds(scores: ArrayLike<number>, length: number, tags: readonly string[]): number[] {
  const k = tags.length;
  if (scores.length < length * k) throw new ConfigError(`viterbiTagIds: ${scores.length} scores for ${length} × ${k}`);
  const allowed = tags.map((to) =>
    tags.map((from) => !to.startsWith('I-') || from === to || from === `B-${to.slice(2)}`),
  );
  const logSoftmax = (t: number) => {
    let max = -Infinity;
    for (let j = 0; j < k; j++) max = Math.max(max, scores[t * k + j]!);
    let sum = 0;
    for (let j = 0; j < k; j++) sum += Math.exp(scores[t * k + j]! - max);
    const z = max + Math.log(sum);
    return Array.from({ length: k }, (_, j) => scores[t * k + j]! - z);
  };
  if (length === 0) return [];
  let best = logSoftmax(0).map((s, j) => (tags[j]!.startsWith('I-') ? -Infinity : s));
  const back: number[][] = [];
  for (let t = 1; t < length; t++) {
    const emit = logSoftmax(t);
    const from = new Array<number>(k);
    const next = emit.map((e, j) => {
      let arg = -1;
      let value = -Infinity;
      for (let i = 0; i < k; i++)
        if (allowed[j]![i] && best[i]! > value) {
          value = best[i]!;
          arg = i;
        }
      from[j] = arg;
      return value + e;
    });
    back.push(from);
    best = next;
  }
  let last = 0;
  for (let j = 1; j < k; j++) if (best[j]! > best[last]!) last = j;
  const path = [last];
  for (let t = length - 1; t > 0; t--) path.unshift(back[t - 1]![path[0]!]!);
  return path;
}
