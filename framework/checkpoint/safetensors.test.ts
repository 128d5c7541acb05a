import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, test } from 'vitest';
import { CheckpointError } from '../errors.js';
import { hostTensor, type HostTensor } from './host-tensor.js';
import { encodeSafetensors, parseSafetensors, readSafetensors, writeSafetensors } from './safetensors.js';

const dir = mkdtempSync(join(tmpdir(), 'fewprompt-st-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Builds a raw safetensors file from a header object and a data section. */
function raw(header: unknown, data = new Uint8Array(0)): Uint8Array {
  const json = Buffer.from(JSON.stringify(header));
  const prefix = Buffer.alloc(8);
  prefix.writeBigUInt64LE(BigInt(json.length));
  return Buffer.concat([prefix, json, data]);
}

const tensors = new Map<string, HostTensor>([
  ['a.weight', hostTensor('float32', [2, 3], new Float32Array([1, -2, 0.5, 3.25, 65504, -0]))],
  ['ids', hostTensor('int64', [1, 3], new BigInt64Array([0n, 1n, 2n ** 40n]))],
  ['n', hostTensor('int32', [2], new Int32Array([7, -7]))],
  ['mask', hostTensor('bool', [2], new Uint8Array([1, 0]))],
  ['empty', hostTensor('float32', [0, 4], new Float32Array(0))],
]);

test('write → read round trip in F32 and F16, with HF-style layout', () => {
  for (const dtype of ['F32', 'F16'] as const) {
    const path = join(dir, `rt-${dtype}.safetensors`);
    writeSafetensors(path, tensors, { dtype, metadata: { note: 'hi' } });
    const bytes = readFileSync(path);
    const headerLength = Number(bytes.readBigUInt64LE(0));
    assert.equal((8 + headerLength) % 8, 0, 'data starts 8-byte aligned');
    const header = JSON.parse(bytes.subarray(8, 8 + headerLength).toString()) as Record<string, { dtype?: string }>;
    assert.deepEqual(header['__metadata__'], { format: 'pt', note: 'hi' });
    assert.equal(header['a.weight']?.dtype, dtype);
    assert.equal(header['ids']?.dtype, 'I64');
    const { tensors: back, metadata } = parseSafetensors(bytes, path);
    assert.deepEqual(metadata, { format: 'pt', note: 'hi' });
    assert.deepEqual(back, tensors); // every value above is exact in F16
  }
  assert.deepEqual(
    readdirSync(dir).filter((f) => f.endsWith('.tmp')),
    [],
    'no temp files left',
  );
});

test('F16 writing rounds to nearest', () => {
  const t = new Map([['x', hostTensor('float32', [2], new Float32Array([0.1, 1 / 3]))]]);
  const back = readSafetensors(Buffer.concat(encodeSafetensors(t, { dtype: 'F16' }))).get('x');
  assert.deepEqual(back?.data, new Float32Array([0.0999755859375, 0.333251953125]));
});

test('corrupt files are CheckpointErrors naming the file and the key', () => {
  const cases: [Uint8Array, RegExp][] = [
    [new Uint8Array(4), /shorter than the 8-byte header length/],
    [raw({}).subarray(0, 9), /header length 2 does not fit/],
    [Buffer.concat([Buffer.from([3, 0, 0, 0, 0, 0, 0, 0]), Buffer.from('{x}')]), /header is not UTF-8 JSON/],
    [raw([1]), /header is not a JSON object/],
    [
      raw({ w: { dtype: 'F8', shape: [1], data_offsets: [0, 1] } }, new Uint8Array(1)),
      /tensor 'w': dtype "F8" is not one of F64, F32/,
    ],
    [raw({ w: { dtype: 'F32', shape: [-1], data_offsets: [0, 4] } }, new Uint8Array(4)), /tensor 'w': shape \[-1\]/],
    [
      raw({ w: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } }, new Uint8Array(4)),
      /tensor 'w': data_offsets \[0, 8\] fall outside the 4 data bytes/,
    ],
    [
      raw({ w: { dtype: 'F32', shape: [2], data_offsets: [0, 4] } }, new Uint8Array(8)),
      /tensor 'w': data_offsets span 4 bytes but F32 \[2\] needs 8/,
    ],
    [
      raw(
        {
          v: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
          w: { dtype: 'F32', shape: [1], data_offsets: [4, 8] },
        },
        new Uint8Array(8),
      ),
      /'v' and 'w' overlap/,
    ],
    [raw({ __metadata__: { n: 1 } }), /__metadata__\.n is 1, not a string/],
  ];
  for (const [bytes, pattern] of cases) {
    assert.throws(
      () => parseSafetensors(bytes, 'bad.safetensors'),
      (e: unknown) =>
        e instanceof CheckpointError && e.message.startsWith('bad.safetensors: ') && pattern.test(e.message),
      String(pattern),
    );
  }
  assert.throws(() => readSafetensors(join(dir, 'missing.safetensors')), /missing\.safetensors: cannot read/);
});
