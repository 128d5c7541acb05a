/**
 * Prepares the Tang-poem corpus for the poetry GPT: Traditional → Simplified (opencc-js), keeps regular
 * 5- and 7-character quatrains and regulated verse (4 or 8 lines of equal length, each couplet
 * `XXXXX，XXXXX。`), holds out 1% by content hash, counts characters and writes:
 *   OUT/train.txt, OUT/heldout.txt (one poem per line, body only) and OUT/stats.json.
 *
 * opencc-js is needed only here (not at run time); install it outside the repository:
 *   npm install --prefix /work/runs/poetry/deps opencc-js
 *   npx tsx scripts/prepare-poetry.ts --corpus ../shared/corpora/tang_poetry --out /work/runs/poetry/data \
 *     --opencc /work/runs/poetry/deps/node_modules/opencc-js
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    corpus: { type: 'string', default: '../shared/corpora/tang_poetry' },
    out: { type: 'string', default: '/work/runs/poetry/data' },
    opencc: { type: 'string', default: 'opencc-js' },
    heldout: { type: 'string', default: '0.01' },
  },
});

interface Poem {
  paragraphs?: unknown;
  title?: unknown;
}
type Converter = (text: string) => string;

const openccPath =
  values.opencc!.startsWith('.') || values.opencc!.startsWith('/')
    ? pathToFileURL(join(resolve(values.opencc!), 'dist/esm/full.js')).href
    : values.opencc!;
const opencc = (await import(openccPath)) as { Converter: (o: { from: string; to: string }) => Converter };
const toSimplified = opencc.Converter({ from: 't', to: 'cn' });

/** The poem body if it is a regular 5/7-character quatrain or regulated verse, else undefined. */
function regularBody(paragraphs: string[]): string | undefined {
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

const files = readdirSync(values.corpus!)
  .filter((f) => /^poet\.tang\.\d+\.json$/.test(f))
  .sort((a, b) => Number(a.split('.')[2]) - Number(b.split('.')[2]));
const train: string[] = [];
const heldout: string[] = [];
const seen = new Set<string>();
let read = 0;
let duplicates = 0;
const heldoutShare = Number(values.heldout);
const kinds: Record<string, number> = {};
for (const f of files) {
  const poems = JSON.parse(readFileSync(join(values.corpus!, f), 'utf8')) as Poem[];
  for (const p of poems) {
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
    const h = createHash('sha1').update(body).digest().readUInt32BE(0) / 2 ** 32;
    (h < heldoutShare ? heldout : train).push(body);
  }
}
const counts = new Map<string, number>();
for (const poem of train) for (const ch of poem) counts.set(ch, (counts.get(ch) ?? 0) + 1);
mkdirSync(values.out!, { recursive: true });
writeFileSync(join(values.out!, 'train.txt'), `${train.join('\n')}\n`);
writeFileSync(join(values.out!, 'heldout.txt'), `${heldout.join('\n')}\n`);
const chars = [...counts.entries()].sort((a, b) => b[1] - a[1]);
writeFileSync(join(values.out!, 'char-counts.tsv'), chars.map(([c, n]) => `${c}\t${n}`).join('\n') + '\n');
const stats = {
  files: files.length,
  poemsRead: read,
  kept: train.length + heldout.length,
  duplicates,
  train: train.length,
  heldout: heldout.length,
  trainChars: train.reduce((a, p) => a + p.length, 0),
  heldoutChars: heldout.reduce((a, p) => a + p.length, 0),
  distinctChars: chars.length,
  kinds,
};
writeFileSync(join(values.out!, 'stats.json'), `${JSON.stringify(stats, null, 1)}\n`);
console.log(JSON.stringify(stats));
