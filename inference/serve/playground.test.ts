import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, test } from 'vitest';
import { loadClassifier } from '../runtime/index.js';
import { Taskflow } from '../taskflow/index.js';
import { exportTinyRun, writeTinyRun } from '../testing/tiny-run.js';
import { classifierModel, PredictionServer, taskflowModel } from './server.js';

const root = mkdtempSync(join(tmpdir(), 'fewprompt-playground-'));
const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));
const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));
const servers: PredictionServer[] = [];
afterAll(async () => {
  for (const s of servers) await s.close();
  rmSync(root, { recursive: true, force: true });
});

async function start(models: ConstructorParameters<typeof PredictionServer>[0], apiKey?: string) {
  const server = new PredictionServer(models, { port: 0, ...(apiKey ? { apiKey } : {}) });
  servers.push(server);
  return `http://127.0.0.1:${await server.listen()}`;
}

test('GET / is the playground: one self-contained page (no CDN), served without the API key', async () => {
  const base = await start({ seg: taskflowModel(Taskflow('word_segmentation'), 'word_segmentation') }, 'secret');
  const page = await fetch(`${base}/`);
  assert.equal(page.status, 200);
  assert.match(page.headers.get('content-type') ?? '', /text\/html/);
  const html = await page.text();
  assert.doesNotMatch(html, /(src|href)\s*=\s*["']?(https?:)?\/\//, 'nothing is loaded from elsewhere');
  assert.equal((await fetch(`${base}/v1/models`)).status, 401, 'the API still wants the key');
});

test('in headless Chromium: labels with bars, words as chips, entities marked, a parse as arcs', async (ctx) => {
  if (!CHROMIUM) ctx.skip('no system Chromium (apt-get install chromium; .ci/run installs it)');
  const run = join(root, 'run');
  (await writeTinyRun(run, 'pet')).model.dispose();
  await exportTinyRun(run, join(root, 'bundle'));
  const base = await start({
    reviews: classifierModel(await loadClassifier(join(root, 'bundle'))),
    seg: taskflowModel(Taskflow('word_segmentation'), 'word_segmentation'),
    ner: taskflowModel(Taskflow('ner'), 'ner'),
    parse: taskflowModel(Taskflow('dependency_parsing'), 'dependency_parsing'),
  });
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: CHROMIUM!, args: ['--no-sandbox'] });
  try {
    const page = await browser.newPage({ viewport: { width: 1000, height: 900 } });
    await page.goto(`${base}/`);
    await page.waitForSelector('#model option', { state: 'attached' });
    const submit = async (model: string, text: string) => {
      await page.selectOption('#model', model);
      await page.fill('#texts', text);
      await page.click('#run');
      await page.waitForSelector('#results .result');
    };
    await submit('reviews', '物流很快，很满意\n质量太差');
    assert.equal(await page.locator('#results .result').count(), 2);
    assert.equal(await page.locator('#results .result').first().locator('.bar').count(), 2, 'a bar per label');
    assert.equal(await page.locator('#results .bar.top').count(), 2, 'the predicted label stands out');

    await submit('seg', '三亚是一个美丽的城市');
    assert.equal((await page.locator('#results .chip').allTextContents()).join(''), '三亚是一个美丽的城市');

    await submit('ner', '李明在北京大学工作');
    assert.ok((await page.locator('#results mark').count()) >= 1, 'entities are highlighted');

    await submit('parse', '三亚是一个美丽的城市');
    const words = await page.locator('#results svg text').count();
    assert.ok((await page.locator('#results svg path.arc').count()) >= 2 && words >= 4, 'arcs over the words');
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'playground.png'), fullPage: true });
  } finally {
    await browser.close();
  }
});
