import assert from 'node:assert/strict';
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, test } from 'vitest';
import { useBackend } from '../../framework/testing/backends.js';
import { exportTinyRun, writeTinyRun } from '../testing/tiny-run.js';
import { loadClassifier } from './classifier.js';

const root = mkdtempSync(join(tmpdir(), 'fewprompt-bundle-check-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

await useBackend('cpu');
const { model } = await writeTinyRun(join(root, 'run'), 'pet');
model.dispose();
const good = join(root, 'good');
await exportTinyRun(join(root, 'run'), good);

/** A copy of the good bundle with `edit` applied to it. */
function variant(name: string, edit: (dir: string) => void): string {
  const dir = join(root, name);
  cpSync(good, dir, { recursive: true });
  edit(dir);
  return dir;
}
const editManifest = (dir: string, change: (m: Record<string, unknown>) => void) => {
  const file = join(dir, 'bundle.json');
  const manifest = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  change(manifest);
  writeFileSync(file, JSON.stringify(manifest));
};

test('a truncated, empty or random model.onnx is one line naming the file, not an ONNX Runtime trace', async () => {
  const model = readFileSync(join(good, 'model.onnx'));
  const cases: [string, Buffer][] = [
    ['truncated', model.subarray(0, model.length >> 1)],
    ['empty', Buffer.alloc(0)],
    ['random', Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 2654435761) >>> 24))],
  ];
  for (const [name, bytes] of cases) {
    const dir = variant(name, (d) => writeFileSync(join(d, 'model.onnx'), bytes));
    await assert.rejects(loadClassifier(dir), (e: Error) => {
      assert.equal(e.name, 'BundleError', name);
      assert.match(
        e.message,
        new RegExp(`${name}/model\\.onnx: ONNX Runtime cannot load it \\(.*\\); re-export the bundle$`),
      );
      assert.ok(!e.message.includes('\n'), `${name}: one line`);
      return true;
    });
  }
});

test('bundle.json labels must match the graph and be usable; model.file stays inside the bundle', async () => {
  const three = variant('three-labels', (d) =>
    editManifest(d, (m) => {
      m['labels'] = ['a', 'b', 'c'];
    }),
  );
  await assert.rejects(loadClassifier(three), /the graph scores 2 labels, bundle.json lists 3 \(a, b, c\)/);
  const none = variant('no-labels', (d) =>
    editManifest(d, (m) => {
      m['labels'] = [];
    }),
  );
  await assert.rejects(loadClassifier(none), /labels must be at least two distinct non-empty strings, got \[\]/);
  const twice = variant('same-label', (d) =>
    editManifest(d, (m) => {
      m['labels'] = ['a', 'a'];
    }),
  );
  await assert.rejects(loadClassifier(twice), /at least two distinct/);
  const outside = variant('outside', (d) =>
    editManifest(d, (m) => {
      (m['model'] as Record<string, unknown>)['file'] = '../../../../etc/passwd';
    }),
  );
  await assert.rejects(
    loadClassifier(outside),
    /model\.file '\.\.\/\.\.\/\.\.\/\.\.\/etc\/passwd' points outside the bundle/,
  );
  const clf = await loadClassifier(good);
  assert.equal((await clf.predict(['很好用'])).length, 1);
});

test('a failed export leaves the previous bundle whole and no temporary files behind', async () => {
  const target = variant('re-export', () => {});
  const before = readFileSync(join(target, 'model.onnx'));
  const broken = join(root, 'no-model');
  mkdirSync(broken, { recursive: true });
  copyFileSync(join(root, 'run', 'method.json'), join(broken, 'method.json'));
  await assert.rejects(exportTinyRun(broken, target), /no model\/ directory/);
  assert.deepEqual(readFileSync(join(target, 'model.onnx')), before);
  assert.equal((await (await loadClassifier(target)).predict(['好'])).length, 1);
  assert.deepEqual(
    readdirSync(root).filter((f) => f.includes('.tmp')),
    [],
  );
  // A successful export replaces it whole.
  await exportTinyRun(join(root, 'run'), target);
  assert.ok(existsSync(join(target, 'bundle.json')));
  assert.deepEqual(
    readdirSync(root).filter((f) => f.includes('.tmp') || f.includes('.old')),
    [],
  );
});
