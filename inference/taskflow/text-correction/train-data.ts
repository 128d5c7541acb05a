/**
 * What the spelling corrector trains on and from: the pretrained masked LM with its vocabulary pruned to single
 * characters (correction works one character at a time, and the MLM head shrinks from 21,128 to ~8,000 rows) and a
 * fresh detection head; SIGHAN 2013–15 training pairs mixed with their clean targets and with synthetic errors made
 * from clean corpora and the confusion sets. A slice of SIGHAN training (every `devEvery`-th sentence, plus the clean
 * version of half of them) is held out to tune the decision thresholds.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadStateDict } from '../../../framework/checkpoint/state-dict.js';
import { ConfigError } from '../../../framework/errors.js';
import { log } from '../../../framework/log.js';
import { BertModel } from '../../../framework/model/bert.js';
import { readBertConfig, type BertConfig } from '../../../framework/model/config.js';
import { readVocab, remapVocabState, SPECIAL_TOKENS, vocabMapping } from '../../../framework/pretrain/vocab.js';
import type { SeededRandom } from '../../../framework/random.js';
import { CharVocab } from './char-vocab.js';
import { ConfusionSet } from './confusion.js';
import { CscModel } from './model.js';
import { errorPositions, readSighanTruthFiles, type CscPair } from './sighan.js';
import { corrupt, readCorpusSentences } from './synthetic.js';

/** Everything a training run needs (all paths explicit; `trainTextCorrection` fills them from its options). */
export interface CscTrainConfig {
  readonly model: string;
  readonly out: string;
  readonly sighanInput: string;
  readonly sighanTruth: string;
  readonly pinyin: string;
  readonly stroke: string;
  readonly corpora: readonly string[];
  /** Synthetic sentences to make (default 40,000). */
  readonly synthetic: number;
  /** Share of SIGHAN pairs also given as their clean target (no errors). */
  readonly cleanSighanRate: number;
  readonly devEvery: number;
  readonly batchSize: number;
  readonly lr: number;
  readonly maxSteps: number;
  readonly maxMinutes: number;
  readonly maxSeqLen: number;
  /** Share of right characters whose copy is trained in the correction loss. */
  readonly keepRate: number;
  /** Train on windows of at most this many characters around the first error (0 = whole sentences). */
  readonly cropChars: number;
  readonly seed: number;
  /** Continue from `out/checkpoint` (the trainer's checkpoint of an interrupted run with the same settings). */
  readonly resume?: boolean;
}

/** Single-character tokens of a vocabulary, after the special tokens. */
export function charTokens(vocab: readonly string[]): string[] {
  return [...SPECIAL_TOKENS, ...vocab.filter((t) => !SPECIAL_TOKENS.includes(t) && Array.from(t).length === 1)];
}

/** The pretrained MLM with its vocabulary pruned to single characters, wrapped with a fresh detection head. */
export function loadCscModel(config: CscTrainConfig): {
  tokens: string[];
  vocab: CharVocab;
  bertConfig: BertConfig;
  csc: CscModel;
} {
  const baseVocab = readVocab(join(config.model, 'vocab.txt'));
  const tokens = charTokens(baseVocab);
  const vocab = new CharVocab(tokens);
  const bertConfig = { ...readBertConfig(config.model), vocabSize: tokens.length };
  if (config.maxSeqLen > bertConfig.maxPositionEmbeddings)
    throw new ConfigError(
      `maxSeqLen ${config.maxSeqLen} exceeds the model's ${bertConfig.maxPositionEmbeddings} positions`,
    );
  const state = remapVocabState(
    loadStateDict(config.model),
    vocabMapping(baseVocab, tokens),
    bertConfig.initializerRange,
    config.seed,
  );
  const csc = CscModel.wrap(BertModel.fromStateDict(bertConfig, state, { mlmHead: true, pooler: false }));
  return { tokens, vocab, bertConfig, csc };
}

/** The training and dev pairs, and the confusion set (pinyin, stroke and the SIGHAN training errors). */
export interface CscData {
  /** SIGHAN training pairs (all but every `devEvery`-th). */
  readonly train: CscPair[];
  /** Clean targets of a `cleanSighanRate` share of them. */
  readonly clean: CscPair[];
  readonly synthetic: CscPair[];
  /** What is trained on: `train`, `clean` and `synthetic`. */
  readonly pairs: CscPair[];
  /** The held-out SIGHAN pairs plus the clean version of half of them. */
  readonly devSet: CscPair[];
  readonly confusion: ConfusionSet;
}

/** Splits SIGHAN into train and dev, builds the confusion set, and makes the clean and synthetic pairs. */
export function prepareCscData(config: CscTrainConfig, tokens: readonly string[], rng: SeededRandom): CscData {
  const sighan = readSighanTruthFiles(config.sighanInput, config.sighanTruth);
  const dev = sighan.filter((_, i) => i % config.devEvery === 0);
  const train = sighan.filter((_, i) => i % config.devEvery !== 0);
  const confusion = new ConfusionSet()
    .addPinyin(readFileSync(config.pinyin, 'utf8'), config.pinyin)
    .addStroke(readFileSync(config.stroke, 'utf8'));
  confusion.addPairs(
    train.flatMap((p) => {
      const s = Array.from(p.source);
      const t = Array.from(p.target);
      return errorPositions(p).map((i): [string, string] => [s[i]!, t[i]!]);
    }),
  );
  const sentences = readCorpusSentences(config.corpora);
  const pool = tokens.filter((t) => /\p{Script=Han}/u.test(t));
  const synthetic: CscPair[] = [];
  for (let k = 0; k < config.synthetic && sentences.length > 0; k++)
    synthetic.push(corrupt(sentences[rng.int(sentences.length)]!, `syn-${k}`, confusion, pool, rng));
  const clean = train
    .filter(() => rng.next() < config.cleanSighanRate)
    .map((p) => ({ id: `${p.id}-clean`, source: p.target, target: p.target }));
  const pairs = [...train, ...clean, ...synthetic];
  const devSet = [
    ...dev,
    ...dev.filter((_, i) => i % 2 === 0).map((p) => ({ id: `${p.id}-clean`, source: p.target, target: p.target })),
  ];
  log.info(
    `csc data: ${train.length} SIGHAN + ${clean.length} clean SIGHAN + ${synthetic.length} synthetic ` +
      `(from ${sentences.length} corpus sentences); dev ${devSet.length}; confusion ${confusion.size} chars; ` +
      `vocab ${tokens.length}`,
  );
  return { train, clean, synthetic, pairs, devSet, confusion };
}

/** The base model `train.json` records: its directory, weights hash and pretraining state. */
export function baseModelInfo(model: string): { dir: string; sha256: string | undefined; trainingState: unknown } {
  const baseFile = join(model, 'model.safetensors');
  return {
    dir: model,
    sha256: existsSync(baseFile) ? createHash('sha256').update(readFileSync(baseFile)).digest('hex') : undefined,
    trainingState: existsSync(join(model, 'training_state.json'))
      ? (JSON.parse(readFileSync(join(model, 'training_state.json'), 'utf8')) as unknown)
      : undefined,
  };
}
