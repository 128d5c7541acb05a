/**
 * Builds the spelling corrector's character n-gram model (lm-train.ts's phases `corpus` and
 * `build`):
 * - corpus: the shared corpora → OUT/corpus/<file>.txt, one sentence per line in the model's alphabet,
 *   decontaminated against SIGHAN-2015 test and the corrector's dev slice (read once, then cached);
 * - build: the cached sentences → modified Kneser-Ney (kneser-ney.ts) with count cut-offs → OUT/lm.bin
 *   (ngram-format.ts) and OUT/lm.json (counts, discounts, sizes, held-out perplexity on the dev targets).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { ConfigError } from '../../../framework/errors.js';
import { log } from '../../../framework/log.js';
import type { CorpusSource } from '../../../framework/pretrain/corpus.js';
import { type CscPair, readSighanJson, readSighanTruthFiles } from './sighan.js';
import { readNgramLm, writeNgramLm } from './ngram-format.js';
import { Decontaminator, encodeCorpus, readLmCorpus, splitSentences, toAlphabet } from './lm-corpus.js';
import { estimateKneserNey } from './kneser-ney.js';

/** The corpora the model is counted on, under the shared data folder (the pretraining config's, less FewCLUE). */
export function lmSources(data: string): CorpusSource[] {
  const c = join(data, 'corpora');
  return [
    { path: join(c, 'pretrain/*.txt'), format: 'lines' },
    { path: join(c, 'clue_corpus_small_sampled.txt'), format: 'lines' },
    { path: join(c, 'thucnews_*.txt'), format: 'tsv', column: 0, header: false },
    { path: join(c, '*.csv'), format: 'csv', column: 'review' },
    { path: join(c, 'cmrc2018_trial.json'), format: 'squad' },
  ];
}

/**
 * The corrector's dev slice, as train.ts holds it out: every 20th SIGHAN 2013–15 training
 * sentence, plus the corrected form of every other one of them as an error-free sentence.
 */
export function cscDevSet(data: string, devEvery = DEV_EVERY): CscPair[] {
  const dev = readSighanTrain(data).filter((_, i) => i % devEvery === 0);
  return [
    ...dev,
    ...dev.filter((_, i) => i % 2 === 0).map((p) => ({ id: `${p.id}-clean`, source: p.target, target: p.target })),
  ];
}

/** train.ts (devEvery's default) holds out every 20th SIGHAN training sentence. */
const DEV_EVERY = 20;

function readSighanTrain(data: string): CscPair[] {
  return readSighanTruthFiles(
    join(data, 'csc/sighan13-15_train_input.txt'),
    join(data, 'csc/sighan13-15_train_truth.txt'),
  );
}

/**
 * The SIGHAN training split without the dev slice and without any sentence that shares text with the dev slice
 * or SIGHAN-2015 test (the training files repeat sentences under other ids: 398 of them repeat dev text).
 */
export function sighanTrainClean(data: string): CscPair[] {
  const test = readSighanJson(join(data, 'csc/sighan15_test.json'));
  const held = new Decontaminator([...test, ...cscDevSet(data)].flatMap((p) => [p.source, p.target]));
  return readSighanTrain(data).filter(
    (p, i) => i % DEV_EVERY !== 0 && !held.contains(toAlphabet(p.source)) && !held.contains(toAlphabet(p.target)),
  );
}

/** In-domain text: the corrected sentences of {@link sighanTrainClean}, in the model's alphabet. */
export function sighanTrainSentences(data: string): string[] {
  return sighanTrainClean(data).flatMap((p) => splitSentences(toAlphabet(p.target)));
}

/** Phase `corpus`: reads and decontaminates the corpora once → OUT/corpus/. */
export async function prepareLmCorpus(data: string, out: string): Promise<void> {
  const eval15 = readSighanJson(join(data, 'csc/sighan15_test.json'));
  const exclude = [...eval15, ...cscDevSet(data)].flatMap((p) => [p.source, p.target]);
  const dir = join(out, 'corpus');
  mkdirSync(dir, { recursive: true });
  const started = Date.now();
  const { files, counts } = await readLmCorpus({ sources: lmSources(data), exclude });
  for (const [file, lines] of files) writeFileSync(join(dir, `${basename(file)}.txt`), `${lines.join('\n')}\n`);
  writeFileSync(join(out, 'corpus.json'), `${JSON.stringify({ counts, excluded: exclude.length }, null, 2)}\n`);
  log.info(
    `lm corpus: ${counts.documents} documents, ${counts.contaminated} dropped as evaluation text, ` +
      `${counts.cleanedAway} by the cleaner; ${counts.sentences} sentences, ${counts.characters} characters ` +
      `in ${((Date.now() - started) / 1000).toFixed(0)} s → ${dir}`,
  );
}

/** Options of {@link buildLm}. */
export interface LmBuildOptions {
  readonly out: string;
  readonly data: string;
  readonly order: number;
  /** Minimum raw count per order (index 0 unused). */
  readonly minCounts: readonly number[];
  /** Characters seen fewer times are `<unk>`. */
  readonly minCharCount: number;
  /** Characters kept per corpus file (a large file would dominate); 0: all. */
  readonly maxCharsPerFile: number;
  /** Output file name under `out`. */
  readonly file?: string;
}

/** The cached sentences of OUT/corpus/ (the corpus phase's), at most `maxCharsPerFile` per file (0: all). */
export function readCorpusSentences(out: string, maxCharsPerFile: number): string[] {
  const dir = join(out, 'corpus');
  if (!existsSync(dir)) throw new ConfigError(`${dir} is missing: run the corpus phase first`);
  const sentences: string[] = [];
  for (const f of readdirSync(dir).sort()) {
    let chars = 0;
    for (const line of readFileSync(join(dir, f), 'utf8').split('\n')) {
      if (line === '') continue;
      if (maxCharsPerFile > 0 && chars >= maxCharsPerFile) break;
      sentences.push(line);
      chars += line.length;
    }
  }
  return sentences;
}

/** Phase `build`: OUT/corpus/ → OUT/lm.bin (and OUT/lm.json with its statistics). */
export function buildLm(options: LmBuildOptions): { file: string; bytes: number } {
  const started = Date.now();
  const sentences = readCorpusSentences(options.out, options.maxCharsPerFile);
  // Order-4 codes must stay below 2^53: at most 9,741 tokens.
  const maxSize = Math.floor(2 ** (53 / options.order));
  const { vocab, tokens } = encodeCorpus(sentences, { minCount: options.minCharCount, maxSize });
  log.info(`lm build: ${sentences.length} sentences, ${tokens.length} tokens, vocabulary ${vocab.length}`);
  const { tables, stats } = estimateKneserNey(tokens, vocab, { order: options.order, minCounts: options.minCounts });
  const file = join(options.out, options.file ?? 'lm.bin');
  const bytes = writeNgramLm(tables);
  writeFileSync(file, bytes);
  const loadStart = performance.now();
  readNgramLm(readFileSync(file), file);
  const loadMs = performance.now() - loadStart;
  const domain = buildDomainLm(options.data, vocab, options.order, domainFile(file));
  const report = {
    ...options,
    sentences: sentences.length,
    tokens: tokens.length,
    vocab: vocab.length,
    ...stats,
    bytes: bytes.length,
    loadMs,
    domain,
    seconds: (Date.now() - started) / 1000,
  };
  writeFileSync(file.replace(/\.bin$/, '.json'), `${JSON.stringify(report, null, 2)}\n`);
  log.info(
    `lm build: order ${options.order}, kept ${stats.kept.join(' / ')} of ${stats.seen.join(' / ')} n-grams, ` +
      `${(statSync(file).size / 1e6).toFixed(2)} MB, loads in ${loadMs.toFixed(0)} ms → ${file}; ` +
      `in-domain model ${(domain.bytes / 1e6).toFixed(2)} MB (${domain.kept.join(' / ')} n-grams)`,
  );
  return { file, bytes: bytes.length };
}

/** The in-domain model's file beside the general one: `lm.bin` → `lm.domain.bin`. */
export function domainFile(general: string): string {
  return general.replace(/(\.bin)?$/, '.domain.bin');
}

/** The in-domain model: {@link sighanTrainSentences}, the general model's vocabulary, no cut-offs. */
function buildDomainLm(data: string, vocab: readonly string[], order: number, file: string) {
  const { tokens } = encodeCorpus(sighanTrainSentences(data), { minCount: 1, vocab });
  const { tables, stats } = estimateKneserNey(tokens, vocab, { order });
  const bytes = writeNgramLm(tables);
  writeFileSync(file, bytes);
  return { file, tokens: tokens.length, ...stats, bytes: bytes.length };
}
