import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, test } from 'vitest';
import { useBackend } from '../../framework/testing/backends.js';
import { loadClassifier } from '../runtime/classifier.js';
import { exportTinyRun, writeTinyRun } from '../testing/tiny-run.js';
import { classifierModel, PredictionServer, type ServedModel } from './server.js';

const root = mkdtempSync(join(tmpdir(), 'fewprompt-serve-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A model that answers `len:<text>` after `delayMs`, recording every call's batch. */
function fakeModel(delayMs: number): ServedModel & { calls: string[][] } {
  const calls: string[][] = [];
  return {
    calls,
    predict: async (texts) => {
      calls.push(texts);
      await new Promise((r) => setTimeout(r, delayMs));
      return texts.map((t) => ({ text: t, length: t.length }));
    },
  };
}

function post(port: number, path: string, body: string): Promise<{ status: number; json: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            json: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>,
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

test('serve a real bundle: predict, /v1/models, /healthz and Prometheus /metrics', async () => {
  await useBackend('cpu');
  const { model } = await writeTinyRun(join(root, 'run'), 'pet');
  model.dispose();
  await exportTinyRun(join(root, 'run'), join(root, 'bundle'));
  const clf = await loadClassifier(join(root, 'bundle'));
  const server = new PredictionServer({ eprstmt: classifierModel(clf) }, { port: 0 });
  const port = await server.listen();
  const r = await post(port, '/v1/models/eprstmt:predict', JSON.stringify({ texts: ['很好用', '太差了'] }));
  assert.equal(r.status, 200);
  const predictions = r.json['predictions'] as {
    text: string;
    label: string;
    score: number;
    probabilities: Record<string, number>;
  }[];
  assert.deepEqual(
    predictions.map((p) => Object.keys(p)),
    [
      ['text', 'label', 'score', 'probabilities'],
      ['text', 'label', 'score', 'probabilities'],
    ],
  );
  for (const p of predictions) {
    assert.deepEqual(Object.keys(p.probabilities), ['Negative', 'Positive']);
    assert.ok(Math.abs(p.probabilities[p.label]! - p.score) < 1e-6, "score is the predicted label's probability");
  }
  assert.equal(predictions[0]!.text, '很好用');
  const health = await fetch(`http://127.0.0.1:${port}/healthz`);
  assert.deepEqual(await health.json(), { status: 'ok', models: ['eprstmt'] });
  const models = (await (await fetch(`http://127.0.0.1:${port}/v1/models`)).json()) as {
    models: Record<string, { labels: string[] }>;
  };
  assert.deepEqual(models.models['eprstmt']!.labels, ['Negative', 'Positive']);
  const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  assert.match(metrics, /^# HELP fewprompt_requests_total/m);
  assert.match(metrics, /^fewprompt_requests_total\{model="eprstmt",code="200"\} 1$/m);
  assert.match(metrics, /^fewprompt_request_duration_seconds_bucket\{le="\+Inf",model="eprstmt"\} 1$/m);
  assert.match(metrics, /^fewprompt_batch_size_sum\{model="eprstmt"\} 2$/m);
  for (const line of metrics.trim().split('\n'))
    assert.match(line, /^(# (HELP|TYPE) \w+ .+|\w+(\{[^}]*\})? -?[\d.e+-]+|)$/, line); // blank lines separate metrics
  // A long text is batched window by window and joined: the same prediction as the classifier's for the whole text.
  const long = '物流很快，质量很好。'.repeat(60);
  const whole = (await clf.predict([long]))[0]!;
  assert.ok(whole.windows > 1, `${whole.windows} windows`);
  const served = (
    (await post(port, '/v1/models/eprstmt:predict', JSON.stringify({ texts: ['差', long] }))).json['predictions'] as {
      text: string;
      label: string;
      score: number;
    }[]
  )[1]!;
  assert.deepEqual([served.text, served.label], [long, whole.label]);
  assert.ok(Math.abs(served.score - whole.score) < 1e-5, `${served.score} vs ${whole.score}`);
  await server.close();
});

test(`bad requests: 400 with the field path, 413 for oversize bodies and too many texts, 404 unknown model; the server \
keeps serving`, async () => {
  const server = new PredictionServer({ m: fakeModel(0) }, { port: 0, maxBodyBytes: 2000, maxTexts: 4 });
  const port = await server.listen();
  const bad = await post(port, '/v1/models/m:predict', '{"texts": [');
  assert.equal(bad.status, 400);
  assert.match(String(bad.json['error']), /^malformed JSON/);
  const shape = await post(port, '/v1/models/m:predict', JSON.stringify({ texts: ['a', 7] }));
  assert.equal(shape.status, 400);
  assert.equal(shape.json['path'], 'texts.1');
  assert.match(String(shape.json['error']), /texts\[1\] must be a string \(was a number\)/);
  const missing = await post(port, '/v1/models/m:predict', JSON.stringify({ text: 'a' }));
  assert.deepEqual([missing.status, missing.json['path']], [400, 'texts']);
  const big = await post(port, '/v1/models/m:predict', JSON.stringify({ texts: ['长'.repeat(1000)] }));
  assert.equal(big.status, 413);
  const many = await post(port, '/v1/models/m:predict', JSON.stringify({ texts: ['a', 'b', 'c', 'd', 'e'] }));
  assert.deepEqual([many.status, many.json['path']], [413, 'texts']);
  const unknown = await post(port, '/v1/models/nope:predict', JSON.stringify({ texts: ['a'] }));
  assert.equal(unknown.status, 404);
  assert.match(String(unknown.json['error']), /unknown model 'nope'; mounted: m/);
  const ok = await post(port, '/v1/models/m:predict', JSON.stringify({ texts: ['abc'] }));
  assert.deepEqual(ok.json['predictions'], [{ text: 'abc', length: 3 }]);
  assert.match(await server.metrics.render(), /fewprompt_request_errors_total\{model="m"\} 5/);
  await server.close();
});

test('micro-batching: concurrent requests share model calls (maxBatch, maxWaitMs)', async () => {
  const model = fakeModel(30);
  const server = new PredictionServer({ m: model }, { port: 0, maxBatch: 8, maxWaitMs: 20 });
  const port = await server.listen();
  const replies = await Promise.all(
    Array.from({ length: 12 }, (_, i) => post(port, '/v1/models/m:predict', JSON.stringify({ texts: [`t${i}`] }))),
  );
  assert.ok(
    replies.every((r, i) => r.status === 200 && (r.json['predictions'] as { text: string }[])[0]!.text === `t${i}`),
  );
  assert.equal(model.calls.flat().length, 12);
  assert.ok(
    model.calls.length <= 3,
    `12 concurrent texts took ${model.calls.length} model calls: ${JSON.stringify(model.calls.map((c) => c.length))}`,
  );
  assert.ok(model.calls.every((c) => c.length <= 8));
  assert.equal(server.metrics.batchCount, model.calls.length);
  await server.close();
});

test('graceful shutdown: in-flight requests finish, new connections are refused', async () => {
  const model = fakeModel(300);
  const server = new PredictionServer({ m: model }, { port: 0, maxWaitMs: 1 });
  const port = await server.listen();
  const inFlight = post(port, '/v1/models/m:predict', JSON.stringify({ texts: ['slow'] }));
  await new Promise((r) => setTimeout(r, 50)); // the request is now inside the model
  const closing = server.close();
  const r = await inFlight;
  assert.equal(r.status, 200);
  assert.deepEqual(r.json['predictions'], [{ text: 'slow', length: 4 }]);
  await closing;
  await assert.rejects(post(port, '/v1/models/m:predict', JSON.stringify({ texts: ['late'] })), /ECONNREFUSED/);
});

test('unknown model names share one metrics label, malformed percent-encoding is a 400, not a 500', async () => {
  const server = new PredictionServer({ m: fakeModel(0) }, { port: 0 });
  const port = await server.listen();
  const before = (await server.metrics.render()).split('\n').length;
  for (let i = 0; i < 50; i++)
    assert.equal((await post(port, `/v1/models/random-${i}-${Math.random()}:predict`, '{"texts":["a"]}')).status, 404);
  const lines = (await server.metrics.render()).split('\n');
  assert.ok(lines.length < before + 40, `metrics grew from ${before} to ${lines.length} lines for 50 unknown names`);
  assert.match(lines.join('\n'), /fewprompt_requests_total\{model="\(unknown\)",code="404"\} 50/);
  for (const path of ['/v1/models/%E0%A4%A:predict', '/v1/models/%ZZ:predict']) {
    const bad = await post(port, path, '{"texts":["a"]}');
    assert.equal(bad.status, 400, path);
    assert.match(String(bad.json['error']), /is not valid percent-encoding/);
  }
  await server.close();
});

test('listen errors are one line naming the port: in use, out of range', async () => {
  const first = new PredictionServer({ m: fakeModel(0) }, { port: 0 });
  const port = await first.listen();
  const second = new PredictionServer({ m: fakeModel(0) }, { port });
  await assert.rejects(second.listen(), {
    name: 'ConfigError',
    message: `port ${port} on 127.0.0.1 is already in use; pick another --port (0 = any free port)`,
  });
  const third = new PredictionServer({ m: fakeModel(0) }, { port: 70000 });
  await assert.rejects(third.listen(), {
    name: 'ConfigError',
    message: '--port 70000 is not a port; expected 0 to 65535',
  });
  await first.close();
});

test(`drain: requests arriving meanwhile get 503, and a client trickling a body cannot outlive the \
deadline`, async () => {
  const model = fakeModel(400);
  const server = new PredictionServer({ m: model }, { port: 0, maxWaitMs: 1, drainSeconds: 1 });
  const port = await server.listen();
  const inFlight = post(port, '/v1/models/m:predict', JSON.stringify({ texts: ['slow'] }));
  // A client that sends half a body and then nothing.
  const trickle = request({
    host: '127.0.0.1',
    port,
    path: '/v1/models/m:predict',
    method: 'POST',
    headers: { 'content-length': 1000 },
  });
  trickle.on('error', () => {});
  trickle.write('{"texts": [');
  await new Promise((r) => setTimeout(r, 50));
  const t0 = Date.now();
  const closing = server.close();
  const late = await post(port, '/v1/models/m:predict', JSON.stringify({ texts: ['late'] }));
  assert.equal(late.status, 503);
  assert.equal((await inFlight).status, 200);
  await closing;
  assert.ok(Date.now() - t0 < 3000, `close took ${Date.now() - t0} ms with a trickling client`);
});

test(`API key on every route but /healthz (Bearer or X-API-Key); request bodies that are not UTF-8 are a \
400`, async () => {
  const server = new PredictionServer({ m: fakeModel(0) }, { port: 0, apiKey: 's3cret' });
  const port = await server.listen();
  const call = (
    headers: Record<string, string>,
    body: Buffer | string = '{"texts":["a"]}',
    path = '/v1/models/m:predict',
  ) =>
    new Promise<number>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port,
          path,
          method: 'POST',
          headers: { 'content-length': Buffer.byteLength(body), ...headers },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  assert.equal(await call({}), 401);
  assert.equal(await call({ authorization: 'Bearer wrong' }), 401);
  assert.equal(await call({ authorization: 'Bearer s3cret' }), 200);
  assert.equal(await call({ 'x-api-key': 's3cret' }), 200);
  const health = await new Promise<number>((resolve) =>
    request({ host: '127.0.0.1', port, path: '/healthz' }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    }).end(),
  );
  assert.equal(health, 200);
  assert.equal(await call({ 'x-api-key': 's3cret' }, Buffer.from([0x7b, 0x22, 0x74, 0xff, 0xfe, 0x22, 0x7d])), 400);
  await server.close();
});

test(`fair scheduling: one-text requests are answered while a maximal request is still running; a request over the \
budget is a 413`, async () => {
  // A model whose call time grows with its characters (1 ms per 100), as a real one does with windows.
  const calls: number[] = [];
  const model: ServedModel = {
    predict: async (texts) => {
      const chars = texts.reduce((n, t) => n + t.length, 0);
      calls.push(chars);
      await new Promise((r) => setTimeout(r, chars / 100));
      return texts.map((t) => ({ length: t.length }));
    },
  };
  const server = new PredictionServer(
    { m: model },
    { port: 0, maxWaitMs: 1, maxTextChars: 20_000, maxRequestChars: 100_000, maxBodyBytes: 1 << 22 },
  );
  const port = await server.listen();
  const big = post(
    port,
    '/v1/models/m:predict',
    JSON.stringify({ texts: Array.from({ length: 5 }, () => '长'.repeat(20_000)) }),
  );
  await new Promise((r) => setTimeout(r, 20));
  const bigStarted = Date.now();
  const latencies: number[] = [];
  let bigDone = 0;
  void big.then(() => {
    bigDone = Date.now() - bigStarted;
  });
  for (let i = 0; i < 6; i++) {
    const t0 = Date.now();
    const r = await post(port, '/v1/models/m:predict', JSON.stringify({ texts: ['短'] }));
    assert.equal(r.status, 200);
    latencies.push(Date.now() - t0);
  }
  assert.equal((await big).status, 200);
  // Each 20,000-character text is one 200 ms call; a small request waits for at most the call in flight.
  assert.ok(
    Math.max(...latencies) < 450,
    `one-text latencies ${latencies.join(', ')} ms (the big request took ${bigDone} ms)`,
  );
  assert.ok(calls.filter((c) => c >= 20_000).length === 5, 'the big texts went one per call');
  const over = await post(
    port,
    '/v1/models/m:predict',
    JSON.stringify({ texts: Array.from({ length: 6 }, () => '长'.repeat(20_000)) }),
  );
  assert.deepEqual([over.status, over.json['path']], [413, 'texts']);
  assert.match(String(over.json['error']), /120000 characters, at most 100000 per request/);
  await server.close();
});

test(`a long text is scored in windows, batched like texts: a one-text request waits for one call of windows, not \
for a whole 20,000-character text (seconds on the shipped model)`, async () => {
  // A model that splits texts into 100-character pieces, 1 ms per 20 characters a call: a whole 20,000-character text
  // would hold it for 1 s.
  const calls: number[] = [];
  const model: ServedModel = {
    predict: async (texts) => {
      const chars = texts.reduce((n, t) => n + t.length, 0);
      calls.push(chars);
      await new Promise((r) => setTimeout(r, chars / 20));
      return texts.map((t) => t.length);
    },
    split: (text) => ({
      pieces: text.match(/.{1,100}/gsu) ?? [''],
      join: (results) => (results as number[]).reduce((a, b) => a + b, 0),
    }),
  };
  const server = new PredictionServer({ m: model }, { port: 0, maxWaitMs: 1, maxBodyBytes: 1 << 22 });
  const port = await server.listen();
  const big = post(
    port,
    '/v1/models/m:predict',
    JSON.stringify({ texts: Array.from({ length: 2 }, () => '长'.repeat(20_000)) }),
  );
  await new Promise((r) => setTimeout(r, 50));
  const latencies: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t0 = Date.now();
    const r = await post(port, '/v1/models/m:predict', JSON.stringify({ texts: ['短'] }));
    assert.deepEqual([r.status, r.json['predictions']], [200, [1]]);
    latencies.push(Date.now() - t0);
  }
  const done = await big;
  assert.deepEqual([done.status, done.json['predictions']], [200, [20_000, 20_000]]);
  assert.ok(Math.max(...calls) <= 32 * 100, `calls of ${Math.max(...calls)} characters`);
  assert.ok(Math.max(...latencies) < 600, `one-text latencies ${latencies.join(', ')} ms`);
  await server.close();
});

test(`close(): a request whose bytes arrived before the loop read them is answered 503, not cut — on a fresh \
connection and on a keep-alive one (idle connections were closed at once, dropping what they carried)`, async () => {
  const server = new PredictionServer({ m: fakeModel(10) }, { port: 0, drainSeconds: 1 });
  const port = await server.listen();
  const payload = JSON.stringify({ texts: ['late'] });
  const predict =
    `POST /v1/models/m:predict HTTP/1.1\r\nHost: x\r\n` + `Content-Length: ${payload.length}\r\n\r\n${payload}`;
  const open = async () => {
    const socket = connect(port, '127.0.0.1');
    let text = '';
    socket.on('data', (c: Buffer) => (text += c.toString()));
    socket.on('error', () => {});
    await new Promise((r) => socket.once('connect', r));
    return { socket, text: () => text, closed: new Promise<void>((r) => socket.once('close', () => r())) };
  };
  const fresh = await open();
  const kept = await open();
  kept.socket.write(predict);
  while (!kept.text().includes('"predictions"')) await new Promise((r) => setTimeout(r, 10)); // now idle, kept alive
  const before = kept.text().length;
  // Both written in the turn of the event loop that starts close(): the server has read neither request.
  fresh.socket.write(predict);
  kept.socket.write(predict);
  const closing = server.close();
  await Promise.all([fresh.closed, kept.closed]);
  assert.match(fresh.text(), /^HTTP\/1\.1 503/);
  assert.match(kept.text().slice(before), /^HTTP\/1\.1 503/);
  await closing;
});
