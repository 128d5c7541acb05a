import { afterAll, afterEach, test, vi } from 'vitest';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { registerTaskflowFamily } from '../../inference/taskflow/catalog.js';
import { CHAR_COUNT_FAMILY } from '../../inference/taskflow/char-count.fixture.js';
import { writeTinyReaderBundle } from '../../inference/taskflow/question-answering/tiny-reader.fixture.js';
import { main } from './main.js';

const root = mkdtempSync(join(tmpdir(), 'fewprompt-cli-taskflow-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
afterEach(() => {
  vi.restoreAllMocks();
});

const CONTEXT = '长江是中国第一长河，发源于青藏高原的唐古拉山脉，最后在上海注入东海。';

/** Runs `fewprompt ARGS`; returns the exit code and what went to stdout and stderr. */
async function run(args: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(console, 'log').mockImplementation((line: string) => void out.push(line));
  vi.spyOn(console, 'error').mockImplementation((line: string) => void err.push(line));
  const code = await main(args);
  vi.restoreAllMocks();
  return { code, out, err };
}

test('taskflow question_answering: --question with --context or --context-file, or JSON lines of --input', async () => {
  const taskPath = join(root, 'reader');
  await writeTinyReaderBundle(taskPath);
  const base = ['taskflow', 'question_answering', '--task-path', taskPath, '--question', '长江在哪里注入东海？'];
  const inline = await run([...base, '--context', CONTEXT]);
  assert.equal(inline.code, 0, inline.err.join('\n'));
  const answer = JSON.parse(inline.out[0]!) as { answer: string; start: number; end: number; score: number };
  assert.deepEqual(Object.keys(answer).sort(), ['answer', 'end', 'score', 'start']);
  assert.equal(answer.answer, CONTEXT.slice(answer.start, answer.end));

  const file = join(root, 'passage.txt');
  writeFileSync(file, CONTEXT);
  assert.deepEqual((await run([...base, '--context-file', file])).out, inline.out);

  const lines = join(root, 'questions.jsonl');
  const asked = { question: '长江在哪里注入东海？', context: CONTEXT };
  writeFileSync(lines, `${JSON.stringify(asked)}\n${JSON.stringify({ question: '谁？', context: '' })}\n`);
  const batch = await run(['taskflow', 'question_answering', '--task-path', taskPath, '--input', lines]);
  assert.deepEqual(
    batch.out.map((l) => JSON.parse(l) as unknown),
    [answer, { answer: '', start: 0, end: 0, score: 0 }],
  );
});

test('taskflow question_answering: missing or misplaced flags are one-line errors', async () => {
  const both = await run([
    'taskflow',
    'question_answering',
    '--question',
    'Q',
    '--context',
    'C',
    '--context-file',
    'F',
  ]);
  assert.equal(both.code, 2);
  assert.match(both.err[0]!, /question_answering needs --question and one of --context or --context-file/);
  const texts = await run(['taskflow', 'question_answering', '长江在哪里？']);
  assert.match(texts.err[0]!, /question_answering takes --question and --context \(or --context-file\), not TEXT/);
  const other = await run(['taskflow', 'word_segmentation', '--question', 'Q', '三亚']);
  assert.match(other.err[0]!, /--question, --context and --context-file apply to question_answering only/);
  const unread = await run(['taskflow', 'question_answering', '--question', 'Q', '--context-file', '/no/such/file']);
  assert.match(unread.err[0]!, /cannot read --context-file \/no\/such\/file/);
});

test('a family registered at run time is in taskflow and taskflow-train: their --help, their runs', async () => {
  const unregister = registerTaskflowFamily(CHAR_COUNT_FAMILY);
  try {
    const counted = await run(['taskflow', 'char_count', '三亚是一个美丽的城市', 'ab']);
    assert.deepEqual(counted, { code: 0, out: ['10', '2'], err: [] });
    assert.deepEqual((await run(['taskflow', 'char_count', '--mode', 'bytes', '--json', '三亚'])).out, ['6']);
    const help = (await run(['taskflow', '--help'])).out.join('\n');
    assert.match(
      help,
      /^ {2}char_count +characters per text \(a toy family registered by the tests\); modes: chars, bytes$/m,
    );
    const trained = await run(['taskflow-train', 'char_count', '--times', '3']);
    assert.deepEqual(trained, { code: 0, out: ['char_count → 30 characters'], err: [] });
    const trainHelp = (await run(['taskflow-train', '--help'])).out.join('\n');
    assert.match(
      trainHelp,
      /^ {2}char_count +counts the characters of --text --times times \(inference\/taskflow\/char-count\/\)$/m,
    );
    assert.match(
      trainHelp,
      /char_count options:\n {2}--text VALUE +the text to count \(default 三亚是一个美丽的城市\)/,
    );
    const refused = await run(['taskflow-train', 'char_count', '--times', '0']);
    assert.equal(refused.code, 2);
    assert.match(refused.err[0]!, /^fewprompt taskflow-train: times must be /);
  } finally {
    unregister();
  }
  const gone = await run(['taskflow', 'char_count', 'ab']);
  assert.match(gone.err[0]!, /unknown Taskflow task 'char_count'; valid: word_segmentation, /);
});
