import { test } from 'vitest';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Lac, SHIPPED_LAC_MODEL } from './lac.js';
import { LacTagger } from './tagger.js';
import { LacWorkerPool } from './worker-pool.js';

const CJK = /[\u4e00-\u9fff]/u;

/** Every distinct Chinese string of the shipped FewCLUE fixtures (JSON lines) and its sentences, in file order. */
function fixtureSentences(): string[] {
  const root = new URL('../../../datasets/fewclue/fixtures/', import.meta.url);
  const seen = new Set<string>();
  for (const task of readdirSync(root).sort()) {
    for (const file of readdirSync(new URL(`${task}/`, root)).sort()) {
      for (const line of readFileSync(new URL(`${task}/${file}`, root), 'utf8').split('\n')) {
        if (!line.trim()) continue;
        const values: unknown[] = Object.values(JSON.parse(line) as Record<string, unknown>).flat();
        for (const v of values) {
          if (typeof v !== 'string' || !CJK.test(v)) continue;
          seen.add(v);
          for (const sentence of v.split(/(?<=[。！？；])/u)) if (CJK.test(sentence)) seen.add(sentence);
        }
      }
    }
  }
  return [...seen];
}

const sentences = fixtureSentences();

test('worker threads give exactly the serial tags on the fixture sentences', async () => {
  assert.ok(sentences.length >= 300, `only ${sentences.length} fixture sentences`);
  const texts = sentences.slice(0, 400);
  const serial = await Lac.load(SHIPPED_LAC_MODEL, { workers: 0 });
  const expected = await serial.analyze(texts);
  for (const batchSize of [32, 7]) {
    const parallel = await Lac.load(SHIPPED_LAC_MODEL, { workers: 2, batchSize });
    try {
      assert.deepEqual(await parallel.analyze(texts), expected, `batchSize ${batchSize}`);
      // Calls of 32 texts, as Taskflow's users make them, split each call across both workers.
      for (let i = 0; i < texts.length; i += 32)
        assert.deepEqual(await parallel.analyze(texts.slice(i, i + 32)), expected.slice(i, i + 32));
    } finally {
      await parallel.close();
    }
  }
});

test('close() ends every worker and later calls run on the calling thread', async () => {
  const pool = new LacWorkerPool(SHIPPED_LAC_MODEL, 'onnx', 2);
  const lac = await Lac.load(SHIPPED_LAC_MODEL, { workers: 0 });
  const tagger = await LacTagger.create(lac.weights, { backend: 'onnx' });
  const ids = lac.vocab.encode([...'三亚是一个美丽的城市']);
  const offsets = Int32Array.of(0, ids.length);
  assert.deepEqual(await pool.tag(ids, offsets), await tagger.tag(ids, offsets));
  assert.equal(pool.alive, 2);
  await pool.close();
  assert.equal(pool.alive, 0);
  await assert.rejects(pool.tag(ids, offsets), /closed/);
});

test("a process that never calls close() still exits (idle workers are unref'd)", () => {
  const script = `import { Lac } from ${JSON.stringify(new URL('./lac.ts', import.meta.url).href)};
    const lac = await Lac.load(undefined, { workers: 2 });
    const out = await lac.analyze(${JSON.stringify(sentences.slice(0, 64))});
    console.log(out.length);`;
  const dir = mkdtempSync(join(tmpdir(), 'lac-pool-'));
  writeFileSync(join(dir, 'main.mts'), script);
  const child = spawnSync(process.execPath, ['--import', 'tsx', join(dir, 'main.mts')], {
    cwd: fileURLToPath(new URL('../../../', import.meta.url)),
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...process.env, FEWPROMPT_LOG: 'warn' },
  });
  rmSync(dir, { recursive: true, force: true });
  assert.equal(child.signal, null, `child did not exit by itself: ${child.stderr}`);
  assert.equal(child.status, 0, child.stderr);
  assert.equal(child.stdout.trim(), '64');
});
