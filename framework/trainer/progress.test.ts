import assert from 'node:assert/strict';
import { test } from 'vitest';
import { formatDuration, ProgressBar, progressLine } from './progress.js';

/** A stand-in for stderr that records what is written. */
function fakeStream(isTTY: boolean): { stream: NodeJS.WriteStream; written: string[] } {
  const written: string[] = [];
  const stream = { isTTY, write: (s: string) => written.push(s) > 0 } as unknown as NodeJS.WriteStream;
  return { stream, written };
}

test('the ETA is paced by the steps timed in this invocation, not by the steps a resumed run started with', () => {
  // 1,000 of 2,000 steps were done before; 100 more took 50 s: 900 to go at 0.5 s each.
  const line = progressLine('pretrain', 1_100, 2_000, { loss: 5.4 }, 50, 1_000);
  assert.match(line, /^pretrain █+░+ 1100\/2000 {2}loss 5\.4 {2}elapsed 50s {2}ETA 7m30s$/);
  assert.match(progressLine('train', 0, 10, {}, 0), /ETA \?$/);
});

test('away from a terminal: one line per interval and always the last step; done() adds no blank line', () => {
  let clock = 0;
  const { stream, written } = fakeStream(false);
  const bar = new ProgressBar('train', 3, { stream, everyMs: 1_000, now: () => clock });
  bar.update(1);
  clock = 500;
  bar.update(2); // within the interval: skipped
  clock = 600;
  bar.update(3); // the last step prints anyway
  bar.done();
  assert.equal(written.length, 2);
  assert.ok(written.every((w) => w.endsWith('\n') && !w.includes('\r')));
});

test('on a terminal the line redraws in place, and done() ends a line left open by a stopped run', () => {
  let clock = 0;
  const { stream, written } = fakeStream(true);
  const bar = new ProgressBar('train', 10, { stream, now: () => clock });
  bar.update(1);
  clock = 200;
  bar.update(2);
  bar.done();
  assert.deepEqual(
    written.map((w) => w.startsWith('\r\x1b[K')),
    [true, true, false],
  );
  assert.equal(written.at(-1), '\n');
  new ProgressBar('x', 1, { stream, enabled: false }).update(1);
  assert.equal(written.length, 3);
  assert.equal(formatDuration(3_725), '1h02m');
});
