import assert from 'node:assert/strict';
import { test } from 'vitest';
import { CheckpointError } from '../errors.js';
import { PyDict, PyGlobal, PyTuple, unpickle } from './pickle.js';

const hex = (s: string) => Uint8Array.from(Buffer.from(s, 'hex'));

test('protocol 2 dict (the TSDoc example)', () => {
  const v = unpickle(new Uint8Array([128, 2, 125, 113, 0, 88, 1, 0, 0, 0, 97, 113, 1, 75, 1, 115, 46]), {
    globals: {},
  });
  assert.ok(v instanceof PyDict);
  assert.deepEqual([...v.entries], [['a', 1]]);
});

test('protocol 4: FRAME, MEMOIZE, SHORT_BINUNICODE, ints, LONG1, floats, tuples, bytes', () => {
  // pickle.dumps({'k': [1, -2, 3.5, 2**70, -(2**40), True, None, (1,2,3), 'é', b'xy']}, protocol=4)
  const v = unpickle(
    hex(
      '80049543000000000000007d948c016b945d94284b014afeffffff47400c0000000000008a09000000000000' +
        '0000408a060000000000ff884e4b014b024b0387948c02c3a994430278799465732e',
    ),
    { globals: {} },
  );
  assert.ok(v instanceof PyDict);
  const list = v.entries.get('k');
  assert.ok(Array.isArray(list));
  assert.deepEqual(list.slice(0, 7), [1, -2, 3.5, 2n ** 70n, -(2 ** 40), true, null]);
  assert.ok(list[7] instanceof PyTuple);
  assert.deepEqual(list[7].items, [1, 2, 3]);
  assert.equal(list[8], 'é');
  assert.deepEqual(list[9], new Uint8Array([0x78, 0x79]));
});

test('whitelisted globals are called through the handler; others are refused without running anything', () => {
  // pickle.dumps(collections.OrderedDict([('x', 1)]), protocol=2)
  const bytes = hex('800263636f6c6c656374696f6e730a4f726465726564446963740a71002952710158010000007871024b01732e');
  const seen: string[] = [];
  const v = unpickle(bytes, { globals: { 'collections.OrderedDict': () => (seen.push('called'), new PyDict()) } });
  assert.ok(v instanceof PyDict);
  assert.deepEqual(seen, ['called']);
  assert.deepEqual([...v.entries], [['x', 1]]);
  assert.throws(
    () => unpickle(bytes, { globals: {}, name: 'evil.pkl' }),
    (e: unknown) =>
      e instanceof CheckpointError && /evil\.pkl: .*refusing global 'collections\.OrderedDict'/.test(e.message),
  );
  // c posix\nsystem\n X'echo pwned' TUPLE1 REDUCE STOP
  const evil = Buffer.concat([
    Buffer.from([0x80, 2]),
    Buffer.from('cposix\nsystem\nX'),
    Buffer.from([9, 0, 0, 0]),
    Buffer.from('echo hi!!'),
    Buffer.from([0x85, 0x52, 0x2e]),
  ]);
  assert.throws(
    () => unpickle(evil, { globals: { 'collections.OrderedDict': 'reference' } }),
    /refusing global 'posix\.system'/,
  );
});

test('a referenced-only global cannot be called; unknown opcodes and truncation are errors', () => {
  const callRef = Buffer.concat([
    Buffer.from([0x80, 2]),
    Buffer.from('ctorch\nFloatStorage\n'),
    Buffer.from([0x29, 0x52, 0x2e]),
  ]);
  assert.throws(
    () => unpickle(callRef, { globals: { 'torch.FloatStorage': 'reference' } }),
    /may be referenced but not called/,
  );
  const ref = Buffer.concat([Buffer.from([0x80, 2]), Buffer.from('ctorch\nFloatStorage\n.')]);
  const g = unpickle(ref, { globals: { 'torch.FloatStorage': 'reference' } });
  assert.ok(g instanceof PyGlobal && g.qualifiedName === 'torch.FloatStorage');
  assert.throws(
    () => unpickle(new Uint8Array([0x80, 2, 0x81, 0x2e]), { globals: {} }),
    /unsupported pickle opcode 0x81/,
  );
  assert.throws(() => unpickle(new Uint8Array([0x80, 2, 0x58, 9, 0, 0]), { globals: {} }), /truncated/);
  assert.throws(() => unpickle(new Uint8Array([0x80, 2, 0x68, 5, 0x2e]), { globals: {} }), /memo slot 5 is empty/);
  assert.throws(
    () => unpickle(new Uint8Array([0x80, 2, 0x4e, 0x51, 0x2e]), { globals: {} }),
    /persistent ids are not allowed/,
  );
});
