import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'vitest';
import { unzipSync, zipSync } from 'fflate';
import { CheckpointError } from '../errors.js';
import type { HostTensor } from './host-tensor.js';
import { readPytorchBin } from './pytorch-bin.js';
import { readSafetensors } from './safetensors.js';

const fixture = (name: string) => new URL(`./fixtures/${name}`, import.meta.url).pathname;
const BIN = fixture('tiny-bert/pytorch_model.bin');
type Expected = Record<string, { dtype: string; shape: number[]; sum: number; first: number[]; last: number }>;
const expected = JSON.parse(readFileSync(fixture('expected.json'), 'utf8')) as Expected;

/** Checks a state dict against expected.json (written by torch in scripts/make-checkpoint-fixtures.py). */
function assertMatchesExpected(sd: Map<string, HostTensor>): void {
  assert.deepEqual([...sd.keys()].sort(), Object.keys(expected).sort());
  for (const [key, want] of Object.entries(expected)) {
    const t = sd.get(key);
    assert.ok(t, key);
    assert.equal(t.dtype, want.dtype === 'int64' ? 'int64' : 'float32', key);
    assert.deepEqual(t.shape, want.shape, key);
    const values = Array.from(t.data, Number);
    assert.deepEqual(values.slice(0, 4), want.first, key);
    assert.equal(values.at(-1), want.last, key);
    const sum = values.reduce((a, b) => a + b, 0);
    assert.ok(
      Math.abs(sum - want.sum) <= 1e-9 * Math.max(1, Math.abs(want.sum)) + 1e-6,
      `${key}: sum ${sum} vs ${want.sum}`,
    );
  }
}

test('reads the torch.save fixture: F16, BF16, int64, transposed views and storage offsets', () => {
  const sd = readPytorchBin(BIN);
  assertMatchesExpected(sd);
  const ids = sd.get('bert.embeddings.position_ids');
  assert.ok(ids?.dtype === 'int64');
  assert.deepEqual(
    [...ids.data],
    Array.from({ length: 16 }, (_, i) => BigInt(i)),
  );
});

test('the same weights read from pytorch_model.bin and model.safetensors are bit-identical', () => {
  const bin = readPytorchBin(BIN);
  const st = readSafetensors(fixture('tiny-bert/model.safetensors'));
  for (const [key, t] of bin) assert.deepEqual(st.get(key), t, key);
});

test('legacy (pre-1.6) files get a re-save hint; other junk a clear error', () => {
  assert.throws(
    () => readPytorchBin(fixture('legacy.bin')),
    (e: unknown) =>
      e instanceof CheckpointError && /legacy\.bin: legacy .* re-save it with torch>=1\.6/.test(e.message),
  );
  assert.throws(() => readPytorchBin(new Uint8Array([1, 2, 3, 4]), 'junk.bin'), /junk\.bin: not a PyTorch checkpoint/);
  assert.throws(
    () => readPytorchBin('/nonexistent/pytorch_model.bin'),
    /\/nonexistent\/pytorch_model\.bin: cannot read/,
  );
});

test('a truncated storage names the file and the tensor', () => {
  const files = unzipSync(readFileSync(BIN));
  const storage = 'pytorch_model/data/0';
  files[storage] = (files[storage] ?? new Uint8Array()).subarray(0, 10);
  assert.throws(
    () => readPytorchBin(zipSync(files, { level: 0 }), 'cut.bin'),
    (e: unknown) =>
      e instanceof CheckpointError && /^cut\.bin: tensor '[\w.]+': storage data\/0 has 10 bytes/.test(e.message),
  );
});

test('a pickle calling a non-whitelisted global is refused (and nothing runs)', () => {
  const pkl = Buffer.concat([
    Buffer.from([0x80, 2]),
    Buffer.from('cos\nsystem\nX'),
    Buffer.from([5, 0, 0, 0]),
    Buffer.from('touch'),
    Buffer.from([0x85, 0x52, 0x2e]),
  ]);
  const zip = zipSync(
    { 'archive/data.pkl': pkl, 'archive/byteorder': new TextEncoder().encode('little') },
    { level: 0 },
  );
  assert.throws(
    () => readPytorchBin(zip, 'evil.bin'),
    (e: unknown) =>
      e instanceof CheckpointError && /evil\.bin:archive\/data\.pkl: .*refusing global 'os\.system'/.test(e.message),
  );
});

test('a zip bomb is refused from its directory, before anything is inflated', () => {
  // 96 MB of zeros deflate to ~100 KB: far more than a torch.save archive (stored entries) ever expands.
  const bomb = zipSync(
    { 'archive/data.pkl': new Uint8Array(8), 'archive/data/0': new Uint8Array(96 << 20) },
    { level: 9 },
  );
  assert.ok(bomb.length < 1 << 20);
  const t0 = performance.now();
  assert.throws(
    () => readPytorchBin(bomb, 'bomb.bin'),
    (e: Error) =>
      e instanceof CheckpointError &&
      /bomb\.bin: zip entries declare \d+ bytes, more than \d+ for a \d+-byte archive \(a zip bomb\?\)/.test(e.message),
  );
  assert.ok(performance.now() - t0 < 2000, 'refused without inflating 96 MB');
});
