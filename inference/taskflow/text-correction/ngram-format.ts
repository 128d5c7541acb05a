/**
 * The n-gram model's file (`lm.bin`): compact, little-endian, read in one pass.
 *
 *     magic 'fpngram\0' · u32 version (1) · u32 order · u32 vocab size V · u32 vocab bytes · u32 count per order
 *     vocabulary: UTF-8, tokens joined by '\n'
 *     level 0: f32 ln p[V] · f32 ln backoff[V] (when order > 1)
 *     level k ≥ 1: u16 ids · f32 codebook[256] + u8 ln p codes · (k < order − 1) f32 codebook[256] + u8 backoff codes
 *     level k < order − 1: u32 byte length + one LEB128 varint per n-gram: its number of children
 *     u32 CRC-32 of everything before it
 *
 * Every section starts on a 4-byte boundary. Values above the unigrams are 8-bit codes into 256-entry codebooks
 * (per order and kind), as in KenLM's quantised tries: the corrector compares sums of a few log-probabilities,
 * and a few hundredths in each do not change a decision. The reader keeps the codes as they are.
 */
import { crc32 } from 'node:zlib';
import { BundleError } from '../../../framework/errors.js';
import { type Coded, codedLength, type NgramLevel, NgramLm, type NgramTables } from './ngram-lm.js';

const MAGIC = 'fpngram\0';
const VERSION = 1;
const CODES = 256;

/**
 * Quantises values to 8-bit codes with a 256-entry codebook: exact when there are ≤ 256 distinct values,
 * otherwise {@link mixedBins}; each value gets its nearest centre.
 * @example quantize(Float32Array.of(-1, -2, -1)).codebook.slice(0, 2) // → Float32Array [-2, -1]
 */
export function quantize(values: Float32Array): { codebook: Float32Array; codes: Uint8Array } {
  const sorted = Float32Array.from(values).sort();
  const distinct = sorted.filter((v, i) => i === 0 || v !== sorted[i - 1]);
  const codebook = new Float32Array(CODES);
  if (distinct.length <= CODES) {
    codebook.set(distinct);
    codebook.fill(distinct[distinct.length - 1] ?? 0, distinct.length);
  } else mixedBins(sorted, codebook);
  const bounds = new Float32Array(CODES); // upper edge of each code's bin: midpoints between centres
  for (let c = 0; c < CODES - 1; c++) bounds[c] = (codebook[c]! + codebook[c + 1]!) / 2;
  bounds[CODES - 1] = Infinity;
  const codes = new Uint8Array(values.length);
  values.forEach((v, i) => {
    codes[i] = binOf(bounds, v);
  });
  return { codebook, codes };
}

function binOf(bounds: Float32Array, v: number): number {
  let lo = 0;
  let hi = CODES - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (v <= bounds[mid]!) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/**
 * Bins from two sets of edges: 128 equal-population ones (precision where values are many) and 128 equally spaced
 * ones (no bin wider than 1/128 of the range, where values are few, such as the log-probabilities near 0 of the
 * commonest n-grams); each centre is its bin's mean.
 */
function mixedBins(sorted: Float32Array, codebook: Float32Array): void {
  const n = sorted.length;
  const [lo, hi] = [sorted[0]!, sorted[n - 1]!];
  const half = CODES / 2;
  const edges = [
    ...Array.from({ length: half - 1 }, (_, k) => sorted[Math.floor(((k + 1) * n) / half)]!),
    ...Array.from({ length: half - 1 }, (_, k) => lo + ((k + 1) * (hi - lo)) / half),
  ].sort((a, b) => a - b);
  let c = 0;
  let at = 0;
  for (const edge of [...edges, Infinity]) {
    let sum = 0;
    const from = at;
    while (at < n && sorted[at]! < edge) sum += sorted[at++]!;
    if (at > from) codebook[c++] = sum / (at - from);
  }
  codebook.fill(codebook[c - 1]!, c);
}

/** Growing little-endian byte buffer with 4-byte section alignment. */
class Writer {
  private chunks: Buffer[] = [];
  length = 0;

  bytes(b: Uint8Array): void {
    const buf = Buffer.from(b.buffer, b.byteOffset, b.byteLength);
    this.chunks.push(buf);
    this.length += buf.length;
    const pad = (4 - (this.length % 4)) % 4;
    if (pad) {
      this.chunks.push(Buffer.alloc(pad));
      this.length += pad;
    }
  }

  u32(...values: number[]): void {
    this.bytes(new Uint8Array(Uint32Array.from(values).buffer));
  }

  result(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

function varints(counts: Uint32Array): Uint8Array {
  const out: number[] = [];
  for (let v of counts) {
    while (v >= 0x80) {
      out.push((v & 0x7f) | 0x80);
      v >>>= 7;
    }
    out.push(v);
  }
  return Uint8Array.from(out);
}

/**
 * The file's bytes for a model's tables (levels above the unigrams already quantised: {@link quantizeLevel}).
 * @example writeFileSync('lm.bin', writeNgramLm(tables));
 */
export function writeNgramLm(tables: NgramTables): Buffer {
  if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) throw new BundleError('lm.bin needs a little-endian host');
  const w = new Writer();
  const order = tables.levels.length;
  const vocab = Buffer.from(tables.vocab.join('\n'), 'utf8');
  const f32 = (a: Float32Array) => new Uint8Array(Float32Array.from(a).buffer);
  w.bytes(Buffer.from(MAGIC, 'latin1'));
  w.u32(VERSION, order, tables.vocab.length, vocab.length, ...tables.levels.map((l) => codedLength(l.logProb)));
  w.bytes(vocab);
  tables.levels.forEach((level, k) => {
    const inner = k < order - 1;
    if (k === 0) {
      w.bytes(f32(level.logProb.book));
      if (inner) w.bytes(f32(level.logBackoff!.book));
      return;
    }
    w.bytes(new Uint8Array(Uint16Array.from(level.ids).buffer));
    for (const coded of inner ? [level.logProb, level.logBackoff!] : [level.logProb]) {
      if (!coded.codes || coded.book.length !== CODES)
        throw new BundleError(`level ${k + 1}: values must be quantised to ${CODES} codes before writing`);
      w.bytes(f32(coded.book));
      w.bytes(coded.codes);
    }
  });
  tables.levels.slice(0, -1).forEach((level) => {
    const first = level.first!;
    const counts = new Uint32Array(first.length - 1);
    for (let i = 0; i < counts.length; i++) counts[i] = first[i + 1]! - first[i]!;
    const bytes = varints(counts);
    w.u32(bytes.length);
    w.bytes(bytes);
  });
  const body = w.result();
  const crc = Buffer.alloc(4);
  crc.writeUInt32LE(crc32(body) >>> 0);
  return Buffer.concat([body, crc]);
}

/** A level's log-probabilities and backoffs as 8-bit codes (the unigrams stay plain). */
export function quantizeLevel(ln: { logProb: Float32Array; logBackoff?: Float32Array }, plain: boolean): Coded[] {
  const code = (v: Float32Array): Coded => {
    if (plain) return { book: v };
    const { codebook, codes } = quantize(v);
    return { book: codebook, codes };
  };
  return [code(ln.logProb), ...(ln.logBackoff ? [code(ln.logBackoff)] : [])];
}

/** Bounds-checked little-endian reads, each failure one line naming the file and the section. */
class Reader {
  at = 0;
  constructor(
    private readonly buf: Buffer,
    private readonly name: string,
  ) {}

  fail(message: string): never {
    throw new BundleError(`${this.name}: not a valid n-gram model: ${message}`);
  }

  take(n: number, what: string): Uint8Array {
    if (this.at + n > this.buf.length)
      this.fail(`truncated (${what} needs ${n} bytes at offset ${this.at}, the file has ${this.buf.length})`);
    // A copy in its own buffer: typed-array views need aligned offsets, and the model must not pin the file.
    const out = new Uint8Array(n);
    out.set(this.buf.subarray(this.at, this.at + n));
    this.at += n + ((4 - (n % 4)) % 4);
    return out;
  }

  u32s(n: number, what: string): Uint32Array {
    const b = this.take(4 * n, what);
    return new Uint32Array(b.buffer, b.byteOffset, n);
  }

  f32s(n: number, what: string): Float32Array {
    const b = this.take(4 * n, what);
    return new Float32Array(b.buffer, b.byteOffset, n);
  }
}

function coded(r: Reader, n: number, what: string): Coded {
  const book = r.f32s(CODES, `${what} codebook`);
  return { book, codes: r.take(n, `${what} codes`) };
}

function childRanges(r: Reader, entries: number, children: number, level: number): Uint32Array {
  const [bytes] = r.u32s(1, `level ${level + 1} child counts length`);
  const b = r.take(bytes!, `level ${level + 1} child counts`);
  const first = new Uint32Array(entries + 1);
  let at = 0;
  for (let i = 0; i < entries; i++) {
    let v = 0;
    let shift = 0;
    let byte: number;
    do {
      if (at >= b.length) r.fail(`level ${level + 1} child counts end after ${i} of ${entries} entries`);
      byte = b[at++]!;
      v += (byte & 0x7f) * 2 ** shift;
      shift += 7;
    } while (byte & 0x80);
    first[i + 1] = first[i]! + v;
  }
  if (first[entries] !== children)
    r.fail(`level ${level + 1} lists ${first[entries]} children but level ${level + 2} has ${children} entries`);
  return first;
}

/**
 * Reads what {@link writeNgramLm} wrote; checks the magic, version, sizes, structure and CRC, and
 * throws a one-line `BundleError` naming `name` otherwise.
 * @example readNgramLm(readFileSync('lm.bin'), 'lm.bin').order // → 4
 */
export function readNgramLm(buf: Buffer, name = 'lm.bin'): NgramLm {
  const r = new Reader(buf, name);
  if (buf.length < 28 || buf.subarray(0, 8).toString('latin1') !== MAGIC) r.fail(`no '${MAGIC.slice(0, -1)}' header`);
  r.at = 8;
  const [version, order, vocabSize, vocabBytes] = r.u32s(4, 'header');
  if (version !== VERSION) r.fail(`format version ${version}, this reader knows ${VERSION}`);
  if (!(order! >= 1 && order! <= 8)) r.fail(`order ${order} outside 1..8`);
  if (buf.readUInt32LE(buf.length - 4) !== crc32(buf.subarray(0, buf.length - 4)) >>> 0)
    r.fail('CRC mismatch (the file is corrupt or truncated)');
  const counts = Array.from(r.u32s(order!, 'counts per order'));
  if (counts[0] !== vocabSize) r.fail(`${counts[0]} unigrams for a vocabulary of ${vocabSize}`);
  const vocab = Buffer.from(r.take(vocabBytes!, 'vocabulary')).toString('utf8').split('\n');
  if (vocab.length !== vocabSize) r.fail(`vocabulary has ${vocab.length} tokens, header says ${vocabSize}`);
  const partial: { ids: Uint16Array; logProb: Coded; logBackoff?: Coded }[] = [];
  for (let k = 0; k < order!; k++) {
    const n = counts[k]!;
    const ids = k === 0 ? Uint16Array.from({ length: n }, (_, i) => i) : uint16(r.take(2 * n, `level ${k + 1} ids`));
    const logProb =
      k === 0 ? { book: r.f32s(n, 'unigram probabilities') } : coded(r, n, `level ${k + 1} probabilities`);
    const inner = k < order! - 1;
    const logBackoff = !inner
      ? undefined
      : k === 0
        ? { book: r.f32s(n, 'unigram backoffs') }
        : coded(r, n, `level ${k + 1} backoffs`);
    if (k > 0 && ids.some((id) => id >= vocabSize!)) r.fail(`level ${k + 1} has a token id ≥ ${vocabSize}`);
    partial.push({ ids, logProb, ...(logBackoff ? { logBackoff } : {}) });
  }
  const levels: NgramLevel[] = partial.map((p, k) =>
    k < order! - 1 ? { ...p, first: childRanges(r, counts[k]!, counts[k + 1]!, k) } : p,
  );
  if (r.at !== buf.length - 4) r.fail(`${buf.length - 4 - r.at} unexpected bytes before the CRC`);
  return new NgramLm({ vocab, levels });
}

function uint16(b: Uint8Array): Uint16Array {
  return new Uint16Array(b.buffer, b.byteOffset, b.length / 2);
}
