/**
 * The poetry GPT's data: Tang poems (chinese-poetry `全唐诗` JSON) → Simplified script → the regular 5- and
 * 7-character quatrains and regulated verse → a held-out split by content hash; then a character vocabulary and
 * `[BOS] body [EOS]` rows packed for training. No tfjs here: the recipe (train.ts) and the evaluation read it.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CHAR_SPECIALS, CharVocab } from '../../../framework/generation/char-vocab.js';
import { DataError } from '../../../framework/errors.js';

/** Counts that `prepare` writes to `stats.json` (the README lists the expected ones). */
export interface PoemStats {
  files: number;
  poemsRead: number;
  kept: number;
  duplicates: number;
  train: number;
  heldout: number;
  trainChars: number;
  heldoutChars: number;
  distinctChars: number;
  /** `<line width>x<lines>` → poems. */
  kinds: Record<string, number>;
}

/** Training and held-out poems (bodies only, one string each). */
export interface PoemData {
  train: string[];
  heldout: string[];
}

/**
 * The body if it is a regular 5/7-character quatrain or regulated verse (2 or 4 couplets `X…，X…。` of one width).
 * @example
 * regularBody(['床前明月光，疑是地上霜。', '举头望明月，低头思故乡。']); // → '床前明月光，疑是地上霜。举头望明月，低头思故乡。'
 * regularBody(['床前明月光，疑是地上霜。']); // → undefined (one couplet)
 */
export function regularBody(paragraphs: readonly string[]): string | undefined {
  const text = paragraphs.join('');
  const couplet = /^([\u4e00-\u9fff]{5}|[\u4e00-\u9fff]{7})，([\u4e00-\u9fff]+)。/u;
  let rest = text;
  let width = 0;
  let couplets = 0;
  while (rest.length > 0) {
    const m = couplet.exec(rest);
    if (!m || m[2]!.length !== m[1]!.length) return undefined;
    if (width === 0) width = m[1]!.length;
    if (m[1]!.length !== width) return undefined;
    couplets++;
    rest = rest.slice(m[0].length);
  }
  return couplets === 2 || couplets === 4 ? text : undefined;
}

/** Whether a poem body falls in the held-out share (by its SHA-1, so the split never depends on order). */
export function isHeldOut(body: string, share: number): boolean {
  return createHash('sha1').update(body).digest().readUInt32BE(0) / 2 ** 32 < share;
}

/**
 * Reads `poet.tang.N.json` files of `corpus` in numeric order, converts to Simplified with `toSimplified` (opencc-js
 * `t` → `cn` in the recipe), keeps regular poems once each and splits them.
 */
export function preparePoems(
  corpus: string,
  toSimplified: (text: string) => string,
  heldoutShare = 0.01,
): PoemData & { stats: PoemStats } {
  const files = readdirSync(corpus)
    .filter((f) => /^poet\.tang\.\d+\.json$/.test(f))
    .sort((a, b) => Number(a.split('.')[2]) - Number(b.split('.')[2]));
  if (files.length === 0) throw new DataError(`${corpus}: no poet.tang.N.json files (chinese-poetry 全唐诗)`);
  const data: PoemData = { train: [], heldout: [] };
  const seen = new Set<string>();
  const kinds: Record<string, number> = {};
  let read = 0;
  let duplicates = 0;
  for (const f of files) {
    for (const p of JSON.parse(readFileSync(join(corpus, f), 'utf8')) as { paragraphs?: unknown }[]) {
      read++;
      if (!Array.isArray(p.paragraphs) || !p.paragraphs.every((x): x is string => typeof x === 'string')) continue;
      const body = regularBody(p.paragraphs.map((x) => toSimplified(x.replace(/\s/g, ''))));
      if (!body) continue;
      if (seen.has(body)) {
        duplicates++;
        continue;
      }
      seen.add(body);
      const kind = `${body.indexOf('，')}x${(body.match(/[，。]/g) ?? []).length}`;
      kinds[kind] = (kinds[kind] ?? 0) + 1;
      (isHeldOut(body, heldoutShare) ? data.heldout : data.train).push(body);
    }
  }
  const chars = (poems: string[]) => poems.reduce((n, p) => n + p.length, 0);
  const stats: PoemStats = {
    files: files.length,
    poemsRead: read,
    kept: seen.size,
    duplicates,
    train: data.train.length,
    heldout: data.heldout.length,
    trainChars: chars(data.train),
    heldoutChars: chars(data.heldout),
    distinctChars: new Set(data.train.join('')).size,
    kinds,
  };
  return { ...data, stats };
}

/** The files of a prepared data folder. */
export const POEM_FILES = { train: 'train.txt', heldout: 'heldout.txt', stats: 'stats.json' } as const;

/** Writes `train.txt`, `heldout.txt` (one poem a line) and `stats.json`. */
export function writePoemData(dir: string, data: PoemData & { stats: PoemStats }): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, POEM_FILES.train), `${data.train.join('\n')}\n`);
  writeFileSync(join(dir, POEM_FILES.heldout), `${data.heldout.join('\n')}\n`);
  writeFileSync(join(dir, POEM_FILES.stats), `${JSON.stringify(data.stats, null, 1)}\n`);
}

/** Reads a prepared data folder. */
export function readPoemData(dir: string): PoemData {
  const lines = (f: string) => {
    const file = join(dir, f);
    if (!existsSync(file)) throw new DataError(`${file}: not found (prepare the data first)`);
    return readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => l.length > 0);
  };
  return { train: lines(POEM_FILES.train), heldout: lines(POEM_FILES.heldout) };
}

/**
 * The vocabulary: the specials, then every character seen at least `minCount` times, most frequent first.
 * @example poemVocab(['山山水', '山水'], 2).tokens.slice(4); // → ['山', '水']
 */
export function poemVocab(poems: readonly string[], minCount: number): CharVocab {
  const counts = new Map<string, number>();
  for (const p of poems) for (const ch of p) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  const chars = [...counts.entries()]
    .filter(([, c]) => c >= minCount)
    .sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1))
    .map(([ch]) => ch);
  return new CharVocab([...CHAR_SPECIALS, ...chars]);
}

/** `[BOS] body [EOS]` as ids. */
export function encodePoem(vocab: CharVocab, poem: string): number[] {
  return [vocab.bos, ...vocab.encode(poem), vocab.eos];
}

/**
 * Whole poems packed greedily, in order, into rows of at most `seq + 1` tokens (a poem longer than that is
 * skipped): the trainer's inputs are a row's first `seq` tokens, its labels the next ones.
 * @example packPoems([[2, 5, 3], [2, 6, 6, 3], [2, 7, 3]], 6); // → [[2, 5, 3, 2, 6, 6, 3], [2, 7, 3]]
 */
export function packPoems(encoded: readonly number[][], seq: number): number[][] {
  const rows: number[][] = [];
  let row: number[] = [];
  for (const poem of encoded) {
    if (poem.length > seq + 1) continue;
    if (row.length + poem.length > seq + 1) {
      rows.push(row);
      row = [];
    }
    row.push(...poem);
  }
  if (row.length > 1) rows.push(row);
  return rows;
}
