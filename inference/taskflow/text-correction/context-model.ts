/**
 * The context model of confusable characters: for the groups of characters writers confuse most (的/地/得, 在/再,
 * 他/她 …: lm-context.ts finds them in the training errors), how likely each member is between the two characters
 * before it and the two after it — context a character trigram does not see at once (in 认真的学习 its windows are
 * 真的学, 认真的, 的学习, and 真的 is common).
 *
 *     ln P(c | left, right) ≈ ln P(c | left) + ln P(c | right) − ln P(c)   (the sides independent given c)
 *
 * Each side is a hierarchical Dirichlet estimate: P(c | x₋₂x₋₁) backs off to P(c | x₋₁), which backs off to P(c),
 * each with prior strength `beta`. The rule adds weight · (ln P(candidate | …) − ln P(written | …)) to an edit's
 * score (lm-rule.ts); an edit between characters of different groups (or none) gets 0.
 *
 * A second view, {@link ContextModel.posMargin}, sees the part-of-speech tags of the words either side (jieba's
 * dictionary tags): 认真/ad _ 学习/v wants 地, 跑/v _ 很快/d wants 得, whatever the characters.
 *
 * File (gzip, UTF-8 lines): a JSON header {format, formatVersion, beta, groups}, then one line per kept context:
 * `group index ⇥ key ⇥ count,count,…` (one count per member), the key one of `P` (no context), `l`/`r` + one
 * character left/right, `L`/`R` + two; `^`/`$` stand for the text's edges; for the tag view `Q` (members cut as a
 * word of their own), `a`/`b` + the tag of the word before/after, `T` + both (`ad|v`).
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import { Jieba } from '@node-rs/jieba';
import { dict } from '@node-rs/jieba/dict.js';
import { BundleError } from '../../../framework/errors.js';
import { lmChar } from './ngram-lm.js';

const FORMAT = 'fewprompt-csc-context';

/** Counts per group: key → one count per member. */
export type ContextCounts = readonly Map<string, Float64Array>[];

let tagger: Jieba | undefined;

/**
 * The part-of-speech context of every character that jieba's tagger cuts as a word of its own (its dictionary's
 * tags, HMM for unknown words): position → [tag of the word before, tag of the word after] (`^`/`$` at the edges).
 * @example posContexts('认真的学习').get(2) // → ['ad', 'v']
 */
export function posContexts(text: string): Map<number, readonly [string, string]> {
  tagger ??= Jieba.withDict(dict);
  const words = tagger.tag(text, true);
  const out = new Map<number, readonly [string, string]>();
  let at = 0;
  words.forEach((w, i) => {
    const n = Array.from(w.word).length;
    if (n === 1) out.set(at, [words[i - 1]?.tag ?? '^', words[i + 1]?.tag ?? '$']);
    at += n;
  });
  return out;
}

/**
 * A loaded or freshly counted model.
 * @example
 * const m = readContextModel(readFileSync('models/taskflow/text-correction/context.bin'), 'context.bin');
 * m.margin(Array.from('认真的学习'), 2, '地'); // → e.g. 4.1: 地 fits between 认真 and 学习 far better than 的
 */
export class ContextModel {
  private readonly member = new Map<string, readonly [group: number, index: number]>();

  constructor(
    /** Each group's members, one string (`的地得`). */
    readonly groups: readonly string[],
    readonly counts: ContextCounts,
    /** Prior strength of each backoff step. */
    readonly beta: number,
  ) {
    groups.forEach((g, i) =>
      Array.from(g).forEach((c, k) => {
        if (this.member.has(c)) throw new BundleError(`context model: '${c}' is in two groups`);
        this.member.set(c, [i, k]);
      }),
    );
    if (counts.length !== groups.length || !(beta > 0))
      throw new BundleError(`context model: ${counts.length} count tables for ${groups.length} groups, beta ${beta}`);
  }

  /** The same model less its character view (for rules that weigh only the tags): a small fraction of the file. */
  tagsOnly(): ContextModel {
    const kept = this.counts.map((table) => new Map([...table].filter(([key]) => 'PQabT'.includes(key[0]!))));
    return new ContextModel(this.groups, kept, this.beta);
  }

  /** Whether the model has its character view (else {@link margin} is 0 for every candidate's context). */
  hasCharView(): boolean {
    return this.counts.some((table) => [...table.keys()].some((key) => 'lLrR'.includes(key[0]!)));
  }

  /** Whether a character belongs to a group. */
  has(ch: string): boolean {
    return this.member.has(ch);
  }

  /** Whether two characters are members of one group. */
  sameGroup(a: string, b: string): boolean {
    const g = this.member.get(a);
    return g !== undefined && g[0] === this.member.get(b)?.[0];
  }

  /**
   * ln P(candidate | context) − ln P(chars[t] | context): 0 unless both are members of one group. `chars` are
   * the text's characters (mapped through the n-gram alphabet here).
   */
  margin(chars: readonly string[], t: number, candidate: string): number {
    const w = this.member.get(chars[t]!);
    const c = this.member.get(candidate);
    if (!w || !c || w[0] !== c[0]) return 0;
    const at = (i: number) => (i < 0 ? '^' : i >= chars.length ? '$' : lmChar(chars[i]!));
    const left = [at(t - 1), at(t - 2) + at(t - 1)];
    const right = [at(t + 1), at(t + 1) + at(t + 2)];
    return this.logScore(w[0], left, right, c[1]) - this.logScore(w[0], left, right, w[1]);
  }

  /**
   * ln P(candidate | tags) − ln P(chars[t] | tags), from the tags of the words either side ({@link posContexts} of
   * the text): 0 unless both are members of one group and chars[t] is a word of its own. The joint estimate
   * P(c | before, after) backs off to the two sides' product (normalised), each side to P(c).
   */
  posMargin(pos: ReadonlyMap<number, readonly [string, string]>, chars: readonly string[], t: number, cand: string) {
    const w = this.member.get(chars[t]!);
    const c = this.member.get(cand);
    const tags = pos.get(t);
    if (!w || !c || w[0] !== c[0] || !tags) return 0;
    const table = this.counts[w[0]]!;
    const size = Array.from(this.groups[w[0]]!).length;
    const prior = table.get('Q');
    const p0 = (m: number) => (prior ? (prior[m]! + 1) / (sum(prior) + size) : 1 / size);
    const backoff = (n: Float64Array | undefined, m: number, p: number) =>
      n ? (n[m]! + this.beta * p) / (sum(n) + this.beta) : p;
    const [before, after] = [table.get(`a${tags[0]}`), table.get(`b${tags[1]}`)];
    const sides = Array.from({ length: size }, (_, m) => {
      const q = p0(m);
      return (backoff(before, m, q) * backoff(after, m, q)) / q;
    });
    const norm = sides.reduce((a, b) => a + b, 0);
    const joint = table.get(`T${tags[0]}|${tags[1]}`);
    return Math.log(backoff(joint, c[1], sides[c[1]]! / norm)) - Math.log(backoff(joint, w[1], sides[w[1]]! / norm));
  }

  /** ln P(m | left) + ln P(m | right) − ln P(m), up to a constant of the position. */
  private logScore(g: number, left: readonly string[], right: readonly string[], m: number): number {
    const table = this.counts[g]!;
    const prior = table.get('P');
    const size = Array.from(this.groups[g]!).length;
    const p0 = prior ? (prior[m]! + 1) / (sum(prior) + size) : 1 / size;
    const side = (keys: readonly string[]): number => {
      let p = p0;
      for (const key of keys) {
        const n = table.get(key);
        if (n) p = (n[m]! + this.beta * p) / (sum(n) + this.beta);
      }
      return Math.log(p);
    };
    return side([`l${left[0]}`, `L${left[1]}`]) + side([`r${right[0]}`, `R${right[1]}`]) - Math.log(p0);
  }
}

function sum(a: Float64Array): number {
  let s = 0;
  for (const x of a) s += x;
  return s;
}

/**
 * Counts the members of `groups` in their contexts, sentence by sentence.
 * @example
 * const c = new ContextCounter(['的地得']);
 * c.add('认真地学习');
 * c.model(2, 1).margin(Array.from('认真的学习'), 2, '地'); // → > 0
 */
export class ContextCounter {
  private readonly member = new Map<string, readonly [number, number]>();
  private readonly counts: Map<string, Float64Array>[];

  /** `chars`: count the character view too (hundreds of thousands of contexts), not only the tag view. */
  constructor(
    readonly groups: readonly string[],
    private readonly chars = true,
  ) {
    groups.forEach((g, i) => Array.from(g).forEach((c, k) => this.member.set(c, [i, k])));
    this.counts = groups.map(() => new Map());
  }

  /** Adds one sentence (in the n-gram alphabet), each occurrence counted `weight` times. */
  add(sentence: string, weight = 1): void {
    const chars = Array.from(sentence);
    if (!chars.some((c) => this.member.has(c))) return;
    for (const [t, [before, after]] of posContexts(sentence)) {
      const m = this.member.get(chars[t]!);
      if (m)
        for (const key of ['Q', `a${before}`, `b${after}`, `T${before}|${after}`]) this.bump(m[0], key, m[1], weight);
    }
    if (!this.chars) return;
    const at = (i: number) => (i < 0 ? '^' : i >= chars.length ? '$' : chars[i]!);
    chars.forEach((ch, t) => {
      const m = this.member.get(ch);
      if (!m) return;
      const [g, k] = m;
      for (const key of [
        'P',
        `l${at(t - 1)}`,
        `L${at(t - 2)}${at(t - 1)}`,
        `r${at(t + 1)}`,
        `R${at(t + 1)}${at(t + 2)}`,
      ])
        this.bump(g, key, k, weight);
    });
  }

  private bump(g: number, key: string, k: number, weight: number): void {
    const table = this.counts[g]!;
    let n = table.get(key);
    if (!n) table.set(key, (n = new Float64Array(Array.from(this.groups[g]!).length)));
    n[k]! += weight;
  }

  /** The model, keeping the contexts seen at least `minCount` times (the rest back off). */
  model(beta: number, minCount: number): ContextModel {
    const kept = this.counts.map(
      (table) => new Map([...table].filter(([key, n]) => key === 'P' || key === 'Q' || sum(n) >= minCount)),
    );
    return new ContextModel(this.groups, kept, beta);
  }
}

/** The model's file (gzip). */
export function writeContextModel(model: ContextModel): Buffer {
  const header = { format: FORMAT, formatVersion: 1, beta: model.beta, groups: model.groups };
  const lines = [JSON.stringify(header)];
  model.counts.forEach((table, g) => {
    for (const [key, n] of table) lines.push(`${g}\t${key}\t${Array.from(n, (x) => +x.toFixed(3)).join(',')}`);
  });
  return gzipSync(`${lines.join('\n')}\n`, { level: 9 });
}

/** Reads {@link writeContextModel}'s file; anything else fails with one line naming `where`. */
export function readContextModel(bytes: Uint8Array, where: string): ContextModel {
  let lines: string[];
  let header: { format?: unknown; formatVersion?: unknown; beta?: unknown; groups?: unknown };
  try {
    lines = gunzipSync(bytes).toString('utf8').split('\n');
    header = JSON.parse(lines[0]!) as typeof header;
  } catch {
    throw new BundleError(`${where}: not a ${FORMAT} file (gzip with a JSON header line expected)`);
  }
  const { groups, beta } = header;
  if (header.format !== FORMAT || header.formatVersion !== 1 || !Array.isArray(groups) || typeof beta !== 'number')
    throw new BundleError(`${where}: expected ${FORMAT} version 1, got ${String(header.format)}`);
  const sizes = groups.map((g) => Array.from(String(g)).length);
  const counts = groups.map(() => new Map<string, Float64Array>());
  for (let i = 1; i < lines.length; i++) {
    if (lines[i] === '') continue;
    const [g, key, list] = lines[i]!.split('\t');
    const n = Float64Array.from((list ?? '').split(','), Number);
    const table = counts[Number(g)];
    if (!table || !key || n.length !== sizes[Number(g)] || n.some((x) => !(x >= 0)))
      throw new BundleError(`${where}: bad context line ${i + 1}: '${lines[i]!.slice(0, 40)}'`);
    table.set(key, n);
  }
  return new ContextModel(groups.map(String), counts, beta);
}
