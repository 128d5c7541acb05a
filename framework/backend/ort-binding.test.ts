import assert from 'node:assert/strict';
import { test } from 'vitest';
import { GraphBuilder } from '../onnx/graph.js';
import { OnnxType } from '../onnx/proto.js';
import { NativeSession, ORT_BINDING_MODULE, loadOrtBinding, nativeThreads } from './ort-binding.js';

test(`${ORT_BINDING_MODULE} still has the shape the native backend uses (fails here, naming the module, if \
not)`, () => {
  const binding = loadOrtBinding();
  assert.equal(typeof binding.InferenceSession, 'function');
  const g = new GraphBuilder('probe');
  const a = g.input('a', OnnxType.FLOAT, ['m', 'k']);
  const b = g.input('b', OnnxType.FLOAT, ['k', 'n']);
  g.output(g.op('MatMul', [a, b], { names: ['c'] }), OnnxType.FLOAT, ['m', 'n']);
  const session = NativeSession.create(g.encode(), { threads: 1 });
  // A view into a larger buffer is read at its offset; the result is synchronous, in a plain ArrayBuffer.
  const backing = new Float32Array([9, 1, 2, 3, 4, 9]);
  const { c } = session.run(
    {
      a: { type: 'float32', dims: [2, 2], data: backing.subarray(1, 5) },
      b: { type: 'float32', dims: [2, 1], data: new Float32Array([1, 1]) },
    },
    ['c'],
  );
  assert.deepEqual([...c!.dims], [2, 1]);
  assert.deepEqual([...(c!.data as Float32Array)], [3, 7]);
  assert.ok(!(c!.data.buffer instanceof SharedArrayBuffer));
  session.dispose();
});

test('FEWPROMPT_THREADS sets the native thread count and is checked', () => {
  const saved = process.env['FEWPROMPT_THREADS'];
  try {
    process.env['FEWPROMPT_THREADS'] = '3';
    assert.equal(nativeThreads(), 3);
    process.env['FEWPROMPT_THREADS'] = 'many';
    assert.throws(
      () => nativeThreads(),
      /FEWPROMPT_THREADS='many' is not a thread count; expected an integer from 1 to 1024/,
    );
  } finally {
    if (saved === undefined) delete process.env['FEWPROMPT_THREADS'];
    else process.env['FEWPROMPT_THREADS'] = saved;
  }
});

test('a feed in shared memory is copied, not refused (worker-thread buffers, wasm-threads heaps)', () => {
  const g = new GraphBuilder('neg');
  g.output(g.op('Neg', [g.input('x', OnnxType.FLOAT, ['n'])], { names: ['y'] }), OnnxType.FLOAT, ['n']);
  const session = NativeSession.create(g.encode(), { threads: 1 });
  const shared = new Float32Array(new SharedArrayBuffer(12));
  shared.set([1, 2, 3]);
  const { y } = session.run({ x: { type: 'float32', dims: [3], data: shared } }, ['y']);
  assert.deepEqual([...(y!.data as Float32Array)], [-1, -2, -3]);
  session.dispose();
});
