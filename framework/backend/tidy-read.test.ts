import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'vitest';
import { hostNumbersIn, STRICT_TIDY_LIMIT } from './testing/strict-tidy.js';
import { tf, tidyRead } from './tf.js';

test('tidyRead: the result read to the host, every tensor (intermediate or returned) disposed', () => {
  const before = tf.memory().numTensors;
  const rows = tidyRead(
    () =>
      tf.mul(
        tf.tensor2d([
          [1, 2],
          [3, 4],
        ]),
        2,
      ),
    (t) => t.arraySync() as number[][],
  );
  assert.deepEqual(rows, [
    [2, 4],
    [6, 8],
  ]);
  const both = tidyRead(
    () => ({ a: tf.ones([3]), b: tf.zeros([2]) }),
    ({ a, b }) => [...a.dataSync(), ...b.dataSync()],
  );
  assert.deepEqual(both, [1, 1, 1, 0, 0]);
  assert.equal(tf.memory().numTensors, before);
  assert.throws(
    () =>
      tidyRead(
        () => tf.ones([1]),
        () => {
          throw new Error('read failed');
        },
      ),
    /read failed/,
  );
  assert.equal(tf.memory().numTensors, before, 'disposed when read throws');
});

// tf.tidy walks whatever its function returns looking for tensors, element by element for a typed array or a
// nested array (7 s for a 21,128 × 256 embedding table): host data must be read outside it (tidyRead).
test('no source returns .dataSync() / .arraySync() from a tf.tidy', () => {
  const root = fileURLToPath(new URL('../../', import.meta.url));
  const dirs = ['framework', 'templates', 'verbalizers', 'datasets', 'experiments', 'inference', 'bench', 'scripts'];
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (name === 'node_modules') continue;
      if (statSync(path).isDirectory()) walk(path);
      else if (/\.m?ts$/.test(name) && !name.endsWith('.test.ts')) files.push(path);
    }
  };
  for (const d of dirs) walk(join(root, d));
  const offenders: string[] = [];
  for (const file of files) {
    const src = readFileSync(file, 'utf8');
    for (const m of src.matchAll(/\btidy\(/g)) {
      let [i, depth] = [m.index + m[0].length, 1];
      while (depth > 0 && i < src.length) (depth += src[i] === '(' ? 1 : src[i] === ')' ? -1 : 0), i++;
      const body = src.slice(m.index + m[0].length, i - 1).trim();
      const arrowValue = /(dataSync|arraySync)\(\)(\s*as [\w[\]]+)?\s*;?\s*}?$/.test(body);
      const returned = /return [^;]*(dataSync|arraySync)\(\)[^;[]*;/.test(body);
      if (arrowValue || returned)
        offenders.push(`${file.slice(root.length)}:${src.slice(0, m.index).split('\n').length}`);
    }
  }
  assert.ok(files.length > 100, `scanned ${files.length} files`);
  assert.deepEqual(offenders, [], 'use tidyRead(fn, read) instead');
});

test(`strict tidy (every test process: scripts/vitest-setup.ts enables it): a tidy returning a large host array \
throws, one returning tensors does not`, () => {
  const big = tf.zeros([STRICT_TIDY_LIMIT + 1]);
  // The read happens in a helper, where the source scan cannot see it.
  const readAll = (t: tf.Tensor) => t.dataSync();
  assert.throws(() => tf.tidy(() => readAll(big) as unknown as tf.Tensor), /tf\.tidy returned 10001 host numbers/);
  assert.doesNotThrow(() => tf.dispose(tf.tidy(() => big.add(1))));
  big.dispose();
});

test('hostNumbersIn counts what tidy would walk', () => {
  const t = tf.ones([9]);
  assert.equal(
    hostNumbersIn({
      scores: [
        [1, 2],
        [3, 4],
      ],
      t,
    }),
    4,
  );
  assert.equal(hostNumbersIn(new Float32Array(7)), 7);
  assert.equal(hostNumbersIn([t, t]), 0);
  assert.equal(hostNumbersIn(5), 0);
  t.dispose();
});
