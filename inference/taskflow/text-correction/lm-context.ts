/**
 * Builds the context model of confusable characters (context-model.ts; lm-train.ts's phase `context`):
 * - the groups: the wrong → right pairs seen at least `minPairCount` times in the SIGHAN training split (the dev
 *   slice and every sentence sharing text with dev or test left out: {@link sighanTrainClean}), joined into groups
 *   where they share a character (的→地, 的→得, 得→的 … → 的地得);
 * - the counts: every member of a group in the n-gram model's decontaminated corpus (OUT/corpus/, the same
 *   per-file cap), plus the corrected training sentences counted `domainRepeat` times (the in-domain text the
 *   n-gram mixture weights most) → OUT/context.bin and OUT/context.json.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { log } from '../../../framework/log.js';
import type { CscPair } from './sighan.js';
import { readCorpusSentences, sighanTrainClean } from './lm-build.js';
import { splitSentences, toAlphabet } from './lm-corpus.js';
import { ContextCounter, writeContextModel } from './context-model.js';

/**
 * Groups of characters confused with each other at least `minPairCount` times (either direction counted apart),
 * most frequent first; a group is every character linked by such pairs.
 * @example confusableGroups(pairs, 40) // → ['的地得', '他她', '在再', …]
 */
export function confusableGroups(pairs: readonly CscPair[], minPairCount: number): string[] {
  const seen = new Map<string, number>();
  for (const p of pairs) {
    const a = Array.from(p.source);
    const b = Array.from(p.target);
    if (a.length !== b.length) continue;
    a.forEach((c, i) => {
      if (c !== b[i]) seen.set(`${c}${b[i]}`, (seen.get(`${c}${b[i]}`) ?? 0) + 1);
    });
  }
  const parent = new Map<string, string>();
  const find = (c: string): string => {
    const p = parent.get(c) ?? c;
    return p === c ? c : find(p);
  };
  const weight = new Map<string, number>();
  for (const [pair, n] of seen) {
    if (n < minPairCount) continue;
    const [a, b] = Array.from(pair) as [string, string];
    for (const c of [a, b]) if (!parent.has(c)) parent.set(c, c);
    const [ra, rb] = [find(a), find(b)];
    if (ra !== rb) parent.set(rb, ra);
    weight.set(a, (weight.get(a) ?? 0) + n);
  }
  const groups = new Map<string, string[]>();
  for (const c of parent.keys()) groups.set(find(c), [...(groups.get(find(c)) ?? []), c]);
  const total = (g: string[]) => g.reduce((s, c) => s + (weight.get(c) ?? 0), 0);
  return [...groups.values()].sort((x, y) => total(y) - total(x)).map((g) => g.join(''));
}

/** Options of {@link buildContextModel}. */
export interface ContextBuildOptions {
  readonly out: string;
  readonly data: string;
  /** Characters read per corpus file (0: all): the n-gram model's cap. */
  readonly maxCharsPerFile: number;
  /** Pairs seen fewer times in the training errors form no group. */
  readonly minPairCount: number;
  /** Times each corrected training sentence is counted. */
  readonly domainRepeat: number;
  /** Prior strength of each backoff step. */
  readonly beta: number;
  /** Contexts seen fewer times are dropped (they back off). */
  readonly minCount: number;
  /** Count the character view too (2.7 MB), not only the tag view (45 kB). */
  readonly chars: boolean;
  /** Output file under `out`. */
  readonly file?: string;
}

/** Phase `context`: OUT/corpus/ and the training split → OUT/context.bin (and OUT/context.json). */
export function buildContextModel(options: ContextBuildOptions): { file: string; bytes: number; groups: string[] } {
  const started = Date.now();
  const train = sighanTrainClean(options.data);
  const groups = confusableGroups(train, options.minPairCount);
  const counter = new ContextCounter(groups, options.chars);
  for (const s of readCorpusSentences(options.out, options.maxCharsPerFile)) counter.add(s);
  if (options.domainRepeat > 0)
    for (const p of train) for (const s of splitSentences(toAlphabet(p.target))) counter.add(s, options.domainRepeat);
  const model = counter.model(options.beta, options.minCount);
  const bytes = writeContextModel(model);
  const file = join(options.out, options.file ?? 'context.bin');
  writeFileSync(file, bytes);
  const contexts = model.counts.reduce((n, t) => n + t.size, 0);
  const report = { ...options, groups, contexts, bytes: bytes.length, seconds: (Date.now() - started) / 1000 };
  writeFileSync(file.replace(/\.bin$/, '.json'), `${JSON.stringify(report, null, 2)}\n`);
  log.info(
    `lm context: ${groups.length} groups (${groups.join(' ')}), ${contexts} contexts, ` +
      `${(bytes.length / 1e6).toFixed(2)} MB in ${report.seconds.toFixed(0)} s → ${file}`,
  );
  return { file, bytes: bytes.length, groups };
}
