import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, test } from 'vitest';
import { Taskflow } from '../taskflow/index.js';
import { QuestionAnsweringTask } from '../taskflow/question-answering/task.js';
import { writeTinyReaderBundle } from '../taskflow/question-answering/tiny-reader.fixture.js';
import { parsePredictRequest } from './schema.js';
import { PredictionServer, recordTaskflowModel, type ServedModel } from './server.js';

const root = mkdtempSync(join(tmpdir(), 'fewprompt-serve-records-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const CONTEXT = '长江是中国第一长河，发源于青藏高原的唐古拉山脉，最后在上海注入东海。';
const LIMITS = { maxTexts: 4, maxTextChars: 200 };

interface Reply {
  predictions: unknown[];
  error: string;
  path: string;
}

async function post(port: number, model: string, body: unknown): Promise<{ status: number; json: Reply }> {
  const res = await fetch(`http://127.0.0.1:${port}/v1/models/${model}:predict`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Reply };
}

test('schema: records as {"inputs": [...]}, checked one by one, carried as JSON; the other body is refused', () => {
  const check = QuestionAnsweringTask.checkInput;
  const item = { question: '谁？', context: '我。' };
  assert.deepEqual(parsePredictRequest(JSON.stringify({ inputs: [item] }), LIMITS, check), {
    texts: [JSON.stringify(item)],
  });
  const refused = (body: unknown, records: typeof check | undefined, status: number, message: RegExp, path: string) =>
    assert.throws(
      () => parsePredictRequest(JSON.stringify(body), LIMITS, records),
      (e: Error & { status?: number; path?: string }) =>
        e.status === status && message.test(e.message) && e.path === path,
    );
  refused({ texts: ['谁？'] }, check, 400, /this model takes records: send \{"inputs"/, 'texts');
  refused({ inputs: [item] }, undefined, 400, /this model takes texts: send \{"texts"/, 'inputs');
  refused(
    { inputs: [item, { question: '谁？' }] },
    check,
    400,
    /inputs\.1\.context must be a string, got nothing/,
    'inputs.1',
  );
  refused({ inputs: ['谁？'] }, check, 400, /inputs\[0\] must be an object/, 'inputs.0');
  refused(
    { inputs: [{ question: '谁？', context: 'x'.repeat(300) }] },
    check,
    413,
    /inputs\[0\] has 3\d\d characters as JSON/,
    'inputs.0',
  );
});

test('serve --taskflow qa=question_answering: inputs in, one answer each out; texts are a 400', async () => {
  const taskPath = join(root, 'reader');
  await writeTinyReaderBundle(taskPath);
  const qa: ServedModel = recordTaskflowModel(
    Taskflow('question_answering', { taskPath }),
    'question_answering',
    QuestionAnsweringTask.checkInput,
  );
  const server = new PredictionServer({ qa });
  const port = await server.listen();
  try {
    const asked = [
      { question: '长江在哪里注入东海？', context: CONTEXT },
      { question: '谁？', context: '' },
    ];
    const ok = await post(port, 'qa', { inputs: asked });
    assert.equal(ok.status, 200, JSON.stringify(ok.json));
    const [first, empty] = ok.json.predictions as { answer: string; start: number; end: number; score: number }[];
    assert.equal(first!.answer, CONTEXT.slice(first!.start, first!.end));
    assert.deepEqual(empty, { answer: '', start: 0, end: 0, score: 0 });
    assert.deepEqual(ok.json.predictions, await Taskflow('question_answering', { taskPath })(asked));
    const texts = await post(port, 'qa', { texts: ['长江在哪里注入东海？'] });
    assert.deepEqual([texts.status, texts.json.path], [400, 'texts']);
    const bad = await post(port, 'qa', { inputs: [{ question: '', context: CONTEXT }] });
    assert.deepEqual([bad.status, bad.json.path], [400, 'inputs.0']);
    assert.match(bad.json.error, /inputs\.0\.question must be a non-empty string/);
    const models = (await (await fetch(`http://127.0.0.1:${port}/v1/models`)).json()) as {
      models: Record<string, unknown>;
    };
    assert.deepEqual(models.models.qa, {
      kind: 'taskflow',
      task: 'question_answering',
      mode: 'base',
      input: 'records',
    });
  } finally {
    await server.close();
  }
});
