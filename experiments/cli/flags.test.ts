import { test, vi } from 'vitest';
import assert from 'node:assert/strict';
import { ConfigError } from '../../framework/errors.js';
import { suiteInputFromFlags } from './fewclue.js';
import { numberFlag, optionalNumberFlag } from './flags.js';
import { configFromFlags } from './train.js';

test('number flags: parsed, absent, or a ConfigError naming the flag and value', () => {
  assert.equal(optionalNumberFlag({ lr: '2e-4' }, 'lr'), 2e-4);
  assert.equal(optionalNumberFlag({}, 'lr'), undefined);
  assert.throws(
    () => optionalNumberFlag({ lr: 'fast' }, 'lr'),
    (e: Error) => e instanceof ConfigError && e.message === "--lr must be a number, got 'fast'",
  );
  assert.throws(() => optionalNumberFlag({ lr: ' ' }, 'lr'), ConfigError);
  assert.equal(numberFlag({ 'max-steps': '60' }, 'max-steps'), 60);
  assert.throws(() => numberFlag({}, 'max-steps'), /--max-steps is required/);
});

test('fewclue flags: train options pass through to every run, --no-predict-test included', () => {
  const input = suiteInputFromFlags({
    tasks: 'eprstmt,csl',
    'max-steps': '60',
    'no-predict-test': true,
    'no-track': true,
  });
  assert.deepEqual(input, {
    out: 'runs/fewclue',
    tasks: ['eprstmt', 'csl'],
    train: { maxSteps: 60, predictTest: false },
    track: false,
  });
  assert.deepEqual(configFromFlags({ task: 'tnews' }), { task: 'tnews' });
});

test(`serve: numbers out of range are refused before any model loads \
(--max-batch 0 used to hang the server)`, async () => {
  const { serveCommand } = await import('./serve.js');
  for (const [flag, value, range] of [
    ['--max-batch', '0', '1 to 4096'],
    ['--port', '70000', '0 to 65535'],
    ['--max-texts', '-1', '1 to 100000'],
    ['--threads', '2.5', '0 to 1024'],
  ]) {
    await assert.rejects(
      serveCommand.run(['--bundle', 'm=/nonexistent', `${flag}=${value}`]),
      (e: Error) =>
        e instanceof ConfigError && e.message === `${flag} must be an integer from ${range}, got '${value}'`,
    );
  }
});

test('operating-system errors (a full disk, a path it may not write) are one line naming the path', async () => {
  const { systemErrorLine } = await import('./main.js');
  const full = Object.assign(new Error('ENOSPC: no space left on device, write'), {
    code: 'ENOSPC',
    syscall: 'write',
    path: 'runs/x/checkpoint/model.safetensors',
  });
  assert.match(
    systemErrorLine(full)!,
    /^no space left on the device \(runs\/x\/checkpoint\/model\.safetensors\); the last complete checkpoint/,
  );
  const denied = Object.assign(new Error('EACCES: permission denied, open'), {
    code: 'EACCES',
    syscall: 'open',
    path: '/root/x',
  });
  assert.equal(systemErrorLine(denied), 'permission denied (/root/x)');
  assert.equal(systemErrorLine(new TypeError('a bug')), undefined, 'bugs keep their stack');
});

test('pretrain: --data-parallel N; --workers N (its old name) still works, with a one-line warning', async () => {
  const { pretrainInputFromFlags } = await import('./pretrain.js');
  assert.equal(pretrainInputFromFlags(['--data-parallel', '2']).workers, 2);
  const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    assert.equal(pretrainInputFromFlags(['--workers', '3']).workers, 3);
    assert.equal(stderr.mock.calls.length, 1);
    assert.match(
      String(stderr.mock.calls[0]?.[0]),
      /^\[fewprompt\] pretrain: --workers is deprecated, use --data-parallel/,
    );
  } finally {
    stderr.mockRestore();
  }
  assert.throws(() => pretrainInputFromFlags(['--workers', '2', '--data-parallel', '2']), /give --data-parallel only/);
});
