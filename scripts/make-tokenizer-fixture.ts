/**
 * Builds the tokenizer's reference data from the Rust Hugging Face `tokenizers` (npm binding
 * `@anush008/tokenizers`, a devDependency):
 *
 * - `framework/tokenizer/fixtures/parity.json.gz`: FewCLUE sentences, sentence pairs and
 *   hand-written edge cases with the reference ids, type ids and offsets (`--fixture`, the default);
 * - `framework/tokenizer/unicode-tables.ts`: the character classes the Rust crate uses, read off it
 *   code point by code point (`--tables`).
 *
 * Usage: `npx tsx scripts/make-tokenizer-fixture.ts [--tables] [--fixture] [--fewclue DIR] [--vocab FILE]`
 * (defaults `../shared/fewclue`, `models/vocab/bert-base-chinese/vocab.txt`).
 */
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ref from '@anush008/tokenizers';
import { buildTokenizerJson, readVocabText } from '../framework/tokenizer/hf-format.js';
import { resolveNormalizerOptions } from '../framework/tokenizer/base.js';
import { referenceEncode, type FixtureCase, type TokenizerFixture } from '../framework/tokenizer/fixtures/parity.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const flag = (name: string): string | undefined => {
  const index = args.indexOf(name);
  return index >= 0 ? args[index + 1] : undefined;
};

function ranges(codePoints: number[]): string {
  const out: [number, number][] = [];
  for (const cp of codePoints) {
    const last = out.at(-1);
    if (last !== undefined && last[1] === cp - 1) last[1] = cp;
    else out.push([cp, cp]);
  }
  return out.map(([a, b]) => (a === b ? a.toString(16) : `${a.toString(16)}-${b.toString(16)}`)).join(',');
}

/**
 * A range list as a TypeScript string expression that keeps lines under 120 characters: `'a,b'` when it is
 * short, else ` +`-joined pieces of at most 110 characters, each ending at a comma, one per indented line.
 * @example rangesLiteral('1-8,b-c'); // → " '1-8,b-c'"
 */
function rangesLiteral(list: string, width = 110): string {
  const parts: string[] = [];
  let current = '';
  for (const piece of list.match(/[^,]+,?/g) ?? []) {
    if (current !== '' && current.length + piece.length > width) {
      parts.push(current);
      current = '';
    }
    current += piece;
  }
  parts.push(current);
  if (parts.length === 1) return ` '${parts[0]}'`;
  return `\n${parts.map((p) => `  '${p}'`).join(' +\n')}`;
}

/** Reads the reference's control / punctuation / non-spacing-mark sets off its normalizer and pre-tokenizer. */
function makeTables(): void {
  const clean = ref.bertNormalizer({
    cleanText: true,
    handleChineseChars: false,
    stripAccents: false,
    lowercase: false,
  });
  const strip = ref.bertNormalizer({
    cleanText: false,
    handleChineseChars: false,
    stripAccents: true,
    lowercase: false,
  });
  const split = ref.bertPreTokenizer();
  const nfd = ref.nfdNormalizer();
  const decomposable: number[] = [];
  const control: number[] = [];
  const punctuation: number[] = [];
  const nonspacing: number[] = [];
  for (let cp = 0; cp <= 0x10ffff; cp++) {
    if (cp >= 0xd800 && cp <= 0xdfff) continue;
    const ch = String.fromCodePoint(cp);
    const probe = `a${ch}b`;
    if (cp !== 0 && cp !== 0xfffd && clean.normalizeString(probe) === 'ab') control.push(cp);
    const pieces = split.preTokenizeString(probe);
    if (pieces.length === 3 && pieces[1]?.[0] === ch) punctuation.push(cp);
    if (ch.normalize('NFD') === ch && strip.normalizeString(probe) === 'ab') nonspacing.push(cp);
    if (nfd.normalizeString(ch) !== ch) decomposable.push(cp);
  }
  const file = join(root, 'framework/tokenizer/unicode-tables.ts');
  writeFileSync(
    file,
    `/**
 * Character classes of the Rust Hugging Face tokenizers' BERT normalizer and pre-tokenizer, read off
 * the reference code point by code point by \`scripts/make-tokenizer-fixture.ts --tables\`; do not edit.
 * The crate's tables are older than JavaScript's \`\\p{…}\` (it keeps unassigned code points and knows
 * fewer punctuation and mark characters), so matching it exactly needs its own sets.
 * Format: comma-separated hex code points or \`start-end\` ranges, ascending.
 */

/** Removed by text clean-up (besides U+0000 and U+FFFD): control, format, private-use characters. */
export const CONTROL =${rangesLiteral(ranges(control))};

/** Split off as punctuation by the pre-tokenizer (ASCII punctuation included). */
export const PUNCTUATION =${rangesLiteral(ranges(punctuation))};

/** Non-spacing marks, dropped after NFD when accents are stripped. */
export const NONSPACING_MARK =${rangesLiteral(ranges(nonspacing))};

/** Code points the crate's NFD changes (others are left alone, whatever the local ICU knows). */
export const DECOMPOSABLE =${rangesLiteral(ranges(decomposable))};
`,
  );
  console.log(
    `wrote ${file}: ${control.length} control, ${punctuation.length} punctuation, ` +
      `${nonspacing.length} marks, ${decomposable.length} decomposable`,
  );
}

/** FewCLUE texts: single sentences from several tasks and sentence pairs from ocnli / bustm. */
function fewclueCases(dir: string): FixtureCase[] {
  const read = (task: string, file: string): Record<string, unknown>[] =>
    readFileSync(join(dir, task, file), 'utf8')
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  const text = (row: Record<string, unknown>, key: string): string => {
    const value = row[key];
    return typeof value === 'string' ? value : '';
  };
  const cases: FixtureCase[] = [];
  const singles: [string, string, number][] = [
    ['tnews', 'sentence', 200],
    ['eprstmt', 'sentence', 150],
    ['iflytek', 'sentence', 100],
    ['csldcp', 'content', 80],
    ['csl', 'abst', 60],
    ['cluewsc', 'text', 80],
    ['chid', 'content', 60],
  ];
  for (const [task, key, count] of singles) {
    const rows = read(task, 'dev_few_all.json');
    for (const row of rows.slice(0, count)) cases.push({ text: text(row, key) });
  }
  for (const task of ['ocnli', 'bustm']) {
    const rows = read(task, 'dev_few_all.json');
    for (const row of rows.slice(0, 150)) cases.push({ text: text(row, 'sentence1'), pair: text(row, 'sentence2') });
  }
  // Truncation on real pairs: every strategy at a few lengths.
  const ocnli = read('ocnli', 'train_few_all.json');
  const strategies = ['longest_first', 'only_first', 'only_second'] as const;
  ocnli.slice(0, 60).forEach((row, i) => {
    const truncation = strategies[i % 3] ?? 'longest_first';
    const maxLength = [16, 24, 33, 48][i % 4] ?? 16;
    cases.push({ text: text(row, 'sentence1'), pair: text(row, 'sentence2'), maxLength, truncation });
  });
  read('tnews', 'train_few_all.json')
    .slice(0, 40)
    .forEach((row, i) => {
      cases.push({ text: text(row, 'sentence'), maxLength: 8 + (i % 10) });
    });
  return cases.filter((c) => c.text !== '');
}

/** Hand-written edge cases: control characters, accents, emoji, full-width forms, specials, long text. */
function edgeCases(): FixtureCase[] {
  const long = '自然语言处理（NLP）是人工智能的一个分支，Transformer 模型在2017年提出。'.repeat(40);
  return [
    { text: 'a\u0000b\u0001c\u007fd\u200be\ufeff f\ufffdg' },
    { text: 'tab\there\nnew\r\nline\u3000全角空格\u00a0nbsp' },
    { text: 'Café naïve résumé ÀÉÎÕÜ Ångström' },
    { text: 'ΑΣ ΟΔΥΣΣΕΥΣ σς İstanbul ǅ ß' },
    { text: '😀👍🏽🇨🇳 emoji 🤔中文😂 𠀀𪚥 𝕏' },
    { text: 'ＡＢＣ１２３，。！？［］｛｝～＠＃ 全角 ｈｅｌｌｏ' },
    { text: '价格：￥1,580.00元（含税）；折扣20%…——「引号」《书名》' },
    { text: 'iPhone14ProMax 5G 2023-01-01 12:30 https://example.com/a?b=c&d=e' },
    { text: '这句话很[MASK]。[CLS]x[SEP][mask][UNK]' },
    {
      text: 'supercalifragilisticexpialidocious ' + 'a'.repeat(120) + ' pneumonoultramicroscopicsilicovolcanoconiosis',
    },
    { text: '豈更車 ﬁ ﬀ ⅷ ① ㈠ ㊣ ℃ ™' },
    { text: '   ' },
    { text: '' },
    { text: '\u0300\u0301 combining at start, e\u0301 decomposed, ǖ' },
    { text: long },
    { text: long, maxLength: 128 },
    { text: long, pair: '这是第二句。'.repeat(10), maxLength: 64, truncation: 'longest_first' },
    { text: '短的前提', pair: long, maxLength: 50, truncation: 'only_second' },
    { text: long, pair: '短假设', maxLength: 50, truncation: 'only_first' },
    { text: '无特殊符号', addSpecialTokens: false },
    { text: '无特殊符号', pair: '第二段', addSpecialTokens: false, maxLength: 5 },
  ];
}

async function makeFixture(): Promise<void> {
  const vocabPath = flag('--vocab') ?? join(root, 'models/vocab/bert-base-chinese/vocab.txt');
  const fewclue = flag('--fewclue') ?? join(root, '../shared/fewclue');
  const vocab = readVocabText(readFileSync(vocabPath, 'utf8'));
  const reference = ref.Tokenizer.fromString(JSON.stringify(buildTokenizerJson(vocab, resolveNormalizerOptions())));
  const fewclueSet = fewclueCases(fewclue);
  const cases = [...fewclueSet, ...edgeCases()];
  const fixture: TokenizerFixture = {
    reference: '@anush008/tokenizers 0.6.0 (Rust Hugging Face tokenizers), bert-base-chinese vocab',
    cases: [],
  };
  // Decoded text is as large as the input, so it is kept for every 10th FewCLUE case and every edge case.
  for (const [i, c] of cases.entries()) {
    fixture.cases.push({ ...c, expected: await referenceEncode(reference, c, i % 10 === 0 || i >= fewclueSet.length) });
  }
  const errors = fixture.cases.filter((c) => 'error' in c.expected).length;
  const file = join(root, 'framework/tokenizer/fixtures/parity.json.gz');
  mkdirSync(dirname(file), { recursive: true });
  const gz = gzipSync(JSON.stringify(fixture), { level: 9 });
  writeFileSync(file, gz);
  console.log(`wrote ${file}: ${cases.length} cases (${errors} refused by the reference), ${gz.length} bytes`);
}

if (args.includes('--tables')) makeTables();
if (args.includes('--fixture') || !args.includes('--tables')) await makeFixture();
